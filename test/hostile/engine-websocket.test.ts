// RELIABILITY 3a, A3: hostile WebSocket upgrades and frames, sent as raw bytes.
import { afterEach, describe, expect, it } from "vitest";
import {
  clientFrame,
  closeAll,
  closeReason,
  eio,
  handshake,
  openWs,
  poll,
  rawExchange,
  rawWebSocket,
  startEngine,
  until,
  upgrade,
  upgradeHead,
  wsSession,
} from "../engine/harness.js";

afterEach(closeAll);

const text = (s: string) => clientFrame(1, Buffer.from(s));

/** Opens a raw WebSocket session, sends `bytes`, and returns the server's close code. */
async function closeCodeFor(port: number, bytes: Buffer | Buffer[]): Promise<number | null> {
  const raw = await rawWebSocket(port, eio("", "websocket"));
  for (const chunk of Array.isArray(bytes) ? bytes : [bytes]) raw.socket.write(chunk);
  return raw.closed;
}

describe("A3 WebSocket upgrade and frames", () => {
  it("A3-1 refuses broken upgrade requests with 4xx, leaving no session", async () => {
    const { port, engine } = await startEngine();
    const path = eio("", "websocket");
    const cases: [string, RegExp][] = [
      [upgradeHead(path, { "Sec-WebSocket-Key": "short" }), /^HTTP\/1.1 400/],
      [upgradeHead(path, { "Sec-WebSocket-Version": "12" }), /^HTTP\/1.1 400/],
      [upgradeHead(path).replace(/^GET/, "POST"), /^HTTP\/1.1 405/],
      [upgradeHead(path, { Upgrade: "h2c" }), /^HTTP\/1.1 400/],
      [
        upgradeHead(path, { Upgrade: "h2c", "HTTP2-Settings": "AAMAAABkAAQAAP__" }),
        /^HTTP\/1.1 400/,
      ],
    ];
    for (const [head, expected] of cases) {
      const { data } = await rawExchange(port, head);
      expect(data, head.split("\r\n")[0]).toMatch(expected);
    }
    expect(engine.clientsCount).toBe(0);
    await wsSession(port);
  });

  it("A3-2 closes a connection whose frame bytes come with the upgrade request (RSV2/RSV3)", async () => {
    const { port, sessions } = await startEngine();
    const bad = clientFrame(1, Buffer.from("4x"), { rsv: 0b011 });
    const { data } = await rawExchange(
      port,
      Buffer.concat([Buffer.from(upgradeHead(eio("", "websocket"))), bad]),
    );
    expect(data).toMatch(/^HTTP\/1.1 101/);
    await until(() => sessions[0]?.readyState === "closed", "session closed");
    await wsSession(port);
  });

  it("A3-3 answers huge or prototype-named Sec-WebSocket headers without trouble", async () => {
    const { port } = await startEngine({ perMessageDeflate: true });
    const path = eio("", "websocket");
    const protocol = await rawExchange(
      port,
      upgradeHead(path, { "Sec-WebSocket-Protocol": ", ".repeat(32 * 1024) }),
    );
    expect(protocol.data).toMatch(/^HTTP\/1.1 431/);
    const comma = await rawExchange(
      port,
      upgradeHead(path, { "Sec-WebSocket-Protocol": ", ".repeat(4000) }),
    );
    expect(comma.data).toMatch(/^HTTP\/1.1 400/);
    // Unknown extensions are ignored (RFC 6455 section 9.1), prototype names included.
    const raw = await rawWebSocket(port, path, {
      "Sec-WebSocket-Extensions": "constructor; __proto__=1, toString",
    });
    expect(raw.head).not.toMatch(/Sec-WebSocket-Extensions/i);
    raw.socket.destroy();
    const mixed = await rawExchange(
      port,
      upgradeHead(path, { "Sec-WebSocket-Extensions": "permessage-deflate; __proto__=1" }),
    );
    expect(mixed.data).toMatch(/^HTTP\/1.1 400/);
  });

  it("A3-4 closes with 1002 on frame-level protocol violations", async () => {
    const { port, engine } = await startEngine();
    const unmasked = Buffer.from([0x81, 0x02, 0x34, 0x78]);
    const bigPing = clientFrame(9, Buffer.alloc(126));
    const cases: [string, Buffer | Buffer[]][] = [
      ["RSV1 without deflate", clientFrame(1, Buffer.from("4x"), { rsv: 0b100 })],
      ["RSV2", clientFrame(1, Buffer.from("4x"), { rsv: 0b010 })],
      ["unmasked frame", unmasked],
      ["control frame over 125 bytes", bigPing],
      ["fragmented control frame", clientFrame(9, Buffer.from("p"), { fin: false })],
      ["stray continuation", clientFrame(0, Buffer.from("x"))],
      [
        "data frame inside a fragmented message",
        [clientFrame(1, Buffer.from("4a"), { fin: false }), clientFrame(1, Buffer.from("b"))],
      ],
      ["one-byte close payload", clientFrame(8, Buffer.from([3]))],
      ["invalid close code", clientFrame(8, Buffer.from([0x03, 0xe7]))],
      ["reserved opcode", clientFrame(3, Buffer.from("x"))],
    ];
    for (const [name, bytes] of cases) expect(await closeCodeFor(port, bytes), name).toBe(1002);
    await until(() => engine.clientsCount === 0, "sessions freed");
  });

  it("A3-4 closes with 1007 on invalid UTF-8 in a text frame", async () => {
    const { port } = await startEngine();
    expect(await closeCodeFor(port, clientFrame(1, Buffer.from([0x34, 0xff, 0xfe])))).toBe(1007);
  });

  it("A3-4 closes with 1009 on a length over maxPayload, 2^63 included", async () => {
    const { port } = await startEngine();
    expect(await closeCodeFor(port, text("4" + "x".repeat(1e6)))).toBe(1009);
    const huge = Buffer.from([0x81, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]);
    expect(await closeCodeFor(port, huge)).toBe(1009);
  });

  it("A3-4 closes with 1008 when a message has more fragments than ws allows", async () => {
    const { port } = await startEngine();
    const fragments = [clientFrame(1, Buffer.from("4"), { fin: false })];
    for (let i = 0; i < 17_000; i++)
      fragments.push(clientFrame(0, Buffer.alloc(0), { fin: false }));
    expect(await closeCodeFor(port, Buffer.concat(fragments))).toBe(1008);
  });

  it("A3-5 stops a deflate bomb at maxPayload with 1009", async () => {
    const { port, sessions } = await startEngine({ perMessageDeflate: true });
    const client = await openWs(port, undefined, { perMessageDeflate: { threshold: 0 } });
    await client.next();
    const closed = closeReason(sessions[0]!);
    client.ws.send("4" + "a".repeat(20 * 1024 * 1024));
    expect((await client.closed).code).toBe(1009);
    expect((await closed).reason).toBe("transport error");
  });

  it("A3-6 survives a reset mid-frame, and frees a socket whose peer never answers the close", async () => {
    const { port, sessions } = await startEngine({ closeTimeout: 50 });
    const raw = await rawWebSocket(port, eio("", "websocket"));
    const closed = closeReason(sessions[0]!);
    raw.socket.write(text("4" + "x".repeat(1000)).subarray(0, 300));
    raw.socket.resetAndDestroy();
    expect(["transport close", "transport error"]).toContain((await closed).reason);

    const silent = await rawWebSocket(port, eio("", "websocket"));
    sessions[1]!.close(); // the peer reads the close frame but never answers it
    expect(await silent.closed).toBe(1000);
  });

  it("A3-7 refuses a second WebSocket for a session while upgrading and after, leaving the first alone", async () => {
    const harness = await startEngine();
    const { sid } = await handshake(harness.port);
    const path = eio(`&sid=${sid}`, "websocket");
    const probe = await openWs(harness.port, path);
    probe.ws.send("2probe");
    expect(await probe.next()).toBe("3probe");
    const during = await openWs(harness.port, path);
    expect((await during.closed).code).toBe(1008);
    probe.ws.send("5");
    probe.ws.send("4hi");
    expect(await probe.next()).toBe("4hi");
    const after = await openWs(harness.port, path);
    expect((await after.closed).code).toBe(1008);
    probe.ws.send("4still");
    expect(await probe.next()).toBe("4still");
    const direct = await wsSession(harness.port);
    const second = await openWs(harness.port, eio(`&sid=${direct.sid}`, "websocket"));
    expect((await second.closed).code).toBe(1008);
    probe.ws.close();
    direct.ws.close();
  });

  it("A3-8 closes a probe that never sends 2probe or 5 at upgradeTimeout; polling carries on", async () => {
    const harness = await startEngine({ upgradeTimeout: 50 }, { echo: false });
    const { sid } = await handshake(harness.port);
    const client = await openWs(harness.port, eio(`&sid=${sid}`, "websocket"));
    await client.closed;
    harness.sessions[0]!.send("polling still works");
    expect((await poll(harness.port, sid)).body).toBe("4polling still works");
    const again = await upgrade(harness.port, sid);
    again.ws.send("4x");
    await until(() => harness.sessions[0]!.transportName === "websocket", "upgrade");
    again.ws.close();
  });
});
