import { afterEach, describe, expect, it } from "vitest";
import type { RawData } from "../../src/engine/index.js";
import {
  closeAll,
  eio,
  handshake,
  openWs,
  poll,
  post,
  rawExchange,
  startEngine,
  until,
  upgrade,
  upgradeHead,
} from "./harness.js";

afterEach(closeAll);

type Inspectable = { polling: { writable: boolean } | null; probe: unknown };
function internals(
  harness: { engine: { clients: Map<string, unknown> } },
  sid: string,
): Inspectable {
  return harness.engine.clients.get(sid) as Inspectable;
}

describe("upgrade from polling to WebSocket", () => {
  it("answers 2probe with 3probe, releases the pending poll with 6, and switches on 5", async () => {
    const harness = await startEngine();
    const { sid } = await handshake(harness.port);
    const session = harness.sessions[0]!;
    const events: string[] = [];
    session.on("upgrading", (t) => events.push(`upgrading:${t.name}`));
    session.on("upgrade", (t) => events.push(`upgrade:${t.name}`));
    const pending = poll(harness.port, sid);
    await until(() => internals(harness, sid).polling?.writable === true, "pending GET");
    const client = await openWs(harness.port, eio(`&sid=${sid}`, "websocket"));
    expect(session.upgrading).toBe(true);
    client.ws.send("2probe");
    expect(await client.next()).toBe("3probe");
    expect((await pending).body).toBe("6");
    expect(session.transportName).toBe("polling");
    client.ws.send("5");
    client.ws.send("4after");
    expect(await client.next()).toBe("4after");
    expect(session.transportName).toBe("websocket");
    expect(session.upgraded).toBe(true);
    expect(events).toEqual(["upgrading:websocket", "upgrade:websocket"]);
    client.ws.close();
  });

  it("answers polls with 6 while the upgrade is under way", async () => {
    const { port } = await startEngine();
    const { sid } = await handshake(port);
    const client = await openWs(port, eio(`&sid=${sid}`, "websocket"));
    client.ws.send("2probe");
    await client.next();
    expect((await poll(port, sid)).body).toBe("6");
    client.ws.close();
  });

  it("moves what was queued during the upgrade to the WebSocket, in order", async () => {
    const harness = await startEngine({}, { echo: false });
    const { sid } = await handshake(harness.port);
    const session = harness.sessions[0]!;
    session.send("before");
    const client = await openWs(harness.port, eio(`&sid=${sid}`, "websocket"));
    client.ws.send("2probe");
    await client.next();
    session.send("during");
    session.send(Uint8Array.of(7));
    client.ws.send("5");
    await until(() => client.messages.length === 4, "queued messages");
    expect(client.messages.slice(1)).toEqual(["4before", "4during", Buffer.from([7])]);
    client.ws.close();
  });

  it("keeps receiving POSTed messages until the switch", async () => {
    const harness = await startEngine({}, { echo: false });
    const { sid } = await handshake(harness.port);
    const received: RawData[] = [];
    harness.sessions[0]!.onmessage = (d) => received.push(d);
    const client = await openWs(harness.port, eio(`&sid=${sid}`, "websocket"));
    client.ws.send("2probe");
    await client.next();
    await post(harness.port, sid, "4by polling");
    client.ws.send("5");
    client.ws.send("4by websocket");
    await until(() => received.length === 2);
    expect(received).toEqual(["by polling", "by websocket"]);
    client.ws.close();
  });

  it("refuses polling with the sid once upgraded", async () => {
    const { port } = await startEngine();
    const { sid } = await handshake(port);
    const client = await upgrade(port, sid);
    client.ws.send("4ping");
    expect(await client.next()).toBe("4ping");
    const reply = await poll(port, sid);
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body).code).toBe(3);
    client.ws.close();
  });

  it("closes the probe at upgradeTimeout and carries on over polling", async () => {
    const harness = await startEngine({ upgradeTimeout: 30 });
    const { sid } = await handshake(harness.port);
    const client = await openWs(harness.port, eio(`&sid=${sid}`, "websocket"));
    await client.closed;
    const session = harness.sessions[0]!;
    expect(session.readyState).toBe("open");
    expect(session.upgrading).toBe(false);
    await post(harness.port, sid, "4still here");
    expect((await poll(harness.port, sid)).body).toBe("4still here");
  });

  it("resumes polling when the probe WebSocket goes away", async () => {
    const harness = await startEngine({}, { echo: false });
    const { sid } = await handshake(harness.port);
    const client = await openWs(harness.port, eio(`&sid=${sid}`, "websocket"));
    client.ws.send("2probe");
    await client.next();
    harness.sessions[0]!.send("queued");
    client.ws.close();
    await until(() => internals(harness, sid).probe === null, "probe gone");
    expect((await poll(harness.port, sid)).body).toBe("4queued");
  });

  it("drops the probe on any packet other than the probe ping and upgrade", async () => {
    const harness = await startEngine();
    const { sid } = await handshake(harness.port);
    const client = await openWs(harness.port, eio(`&sid=${sid}`, "websocket"));
    client.ws.send("4too early");
    await client.closed;
    expect(harness.sessions[0]!.readyState).toBe("open");
    expect(harness.sessions[0]!.transportName).toBe("polling");
  });

  it("refuses an upgrade when upgrades are disabled", async () => {
    const { port } = await startEngine({ allowUpgrades: false });
    const { sid } = await handshake(port);
    const { data } = await rawExchange(port, upgradeHead(eio(`&sid=${sid}`, "websocket")));
    expect(data).toMatch(/^HTTP\/1.1 400/);
    expect(data).toContain('"code":3');
  });
});
