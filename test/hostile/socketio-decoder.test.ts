// RELIABILITY 3a, A5: hostile Socket.IO packets against the whole server (engine,
// codec, client routing), as literal frames over a raw WebSocket. Each case ends with the
// connection closed (or the packet ignored, where the table says so) and a fresh client
// served as before.
import { afterEach, describe, expect, it } from "vitest";
import { closeAll, hostile } from "./socketio-harness.js";

afterEach(closeAll);

/** Sends each packet on a fresh connection to `/` and expects the server to close it. */
async function expectEachCloses(packets: (string | Uint8Array)[][], connect = true) {
  const server = await hostile();
  for (const frames of packets) {
    const client = connect ? await server.connected() : await server.raw();
    for (const frame of frames) client.send(frame);
    await client.closed;
  }
  await server.healthy();
  return server;
}

describe("A5 Socket.IO decoder", () => {
  it("A5-1 closes the connection on socket.io-parser's invalid-payload corpus", async () => {
    const corpus = [
      '42["some","data"',
      '0/admin,"invalid"',
      "0[]",
      "1/admin,{}",
      '2/admin,"invalid',
      "2/admin,{}",
      '2[{"toString":"foo"}]',
      '2[true,"foo"]',
      '2[null,"bar"]',
      '2["connect"]',
      '2["disconnect","123"]',
      "999",
      "5",
      "51",
      "5a-",
      "51.23-",
    ];
    const server = await expectEachCloses(corpus.map((packet) => [packet]));
    expect(server.reasons.filter((r) => r === "parse error").length).toBeGreaterThan(0);
  });

  it("A5-1 closes the connection on a digit run as long as a message may be", async () => {
    await expectEachCloses([
      ["2" + "1".repeat(900_000) + '["x"]'],
      ["5" + "1".repeat(900_000) + "-"],
      ["0/" + "a".repeat(900_000)],
    ]);
  });

  it("A5-2 closes the connection on too many or malformed attachment counts", async () => {
    await expectEachCloses([
      ['511-["x",{"_placeholder":true,"num":0}]'],
      ['599999999999-["x"]'],
      ['5-1-["x"]'],
      ['50-["x",{"_placeholder":true,"num":0}]'],
    ]);
  });

  it("A5-3 closes the connection on placeholders whose num is not an index", async () => {
    const nums = ['"splice"', '"__proto__"', '"0"', "-1", "0.5", "1e309", "1"];
    await expectEachCloses(
      nums.map((num) => [`51-["x",{"_placeholder":true,"num":${num}}]`, new Uint8Array([1])]),
    );
  });

  it('A5-3 treats a placeholder marked with the string "true" as plain data, never as an attachment', async () => {
    const server = await hostile();
    const got: unknown[] = [];
    server.io.on("connection", (socket) => socket.on("x", (arg) => got.push(arg)));
    const client = await server.connected();
    client.send('51-["x",{"_placeholder":"true","num":0}]');
    client.send(new Uint8Array([1]));
    client.send('21["echo","after"]');
    expect(await client.next()).toBe('431["after"]');
    expect(got).toEqual([{ _placeholder: "true", num: 0 }]);
  });

  it("A5-4 closes the connection on a binary frame with no header, and on text during reconstruction", async () => {
    await expectEachCloses([
      [new Uint8Array([1, 2, 3])],
      ['52-["x",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]', '2["text"]'],
    ]);
  });

  it("A5-5 closes a connection whose attachments stop coming, at binaryTimeout", async () => {
    const server = await hostile({ binaryTimeout: 100 });
    const client = await server.connected();
    const placeholders = Array.from({ length: 10 }, (_, num) => ({ _placeholder: true, num }));
    client.send(`510-${JSON.stringify(["upload", ...placeholders])}`);
    for (let i = 0; i < 9; i++) client.send(new Uint8Array(1000));
    await client.closed;
    expect(server.reasons).toEqual(["parse error"]);
    await server.healthy();
  });

  it("A5-5 closes the connection on a BINARY_EVENT for a namespace not joined", async () => {
    const server = await hostile();
    server.io.of("/other");
    const client = await server.connected();
    client.send('51-/other,["x",{"_placeholder":true,"num":0}]');
    client.send(new Uint8Array([1]));
    await client.closed;
    expect(server.io.of("/other").sockets.size).toBe(0);
    await server.healthy();
  });

  it("A5-6 closes on an ack id out of range and on an ACK that is not an array", async () => {
    await expectEachCloses([['2999999999999999999999["x"]'], ['33"x"'], ["33{}"]]);
  });

  it("A5-6 ignores an ACK for an unknown id, and a duplicate ACK", async () => {
    const server = await hostile();
    let socketAcks = 0;
    server.io.on("connection", (socket) => {
      socket.emit("q", () => socketAcks++);
    });
    const client = await server.connected();
    const question = await client.next();
    expect(question).toMatch(/^42\d+\["q"\]$/);
    const id = /^42(\d+)/.exec(question as string)![1];
    client.send("3777[]");
    client.send(`3${id}[]`);
    client.send(`3${id}[]`);
    client.send('21["echo","after"]');
    expect(await client.next()).toBe('431["after"]');
    expect(socketAcks).toBe(1);
    expect(client.isClosed()).toBe(false);
  });

  it("A5-7 closes on a second CONNECT, an EVENT before CONNECT, and a CONNECT_ERROR from the client", async () => {
    await expectEachCloses([["0"]]);
    await expectEachCloses([['2["hello"]'], ['4{"message":"x"}']], false);
  });

  it("A5-8 refuses odd namespace names without creating a Namespace, and closes on huge ones", async () => {
    const server = await hostile();
    const before = new Set(server.io._nsps.keys());
    const names = [
      "/\u0000",
      "/ａｄｍｉｎ",
      "/__proto__",
      "/constructor",
      "/admin/../",
      "/toString",
    ];
    for (const name of names) {
      const client = await server.raw();
      client.send(`0${name},`);
      expect(await client.next()).toBe(`44${name},{"message":"Invalid namespace"}`);
    }
    const noComma = await server.raw();
    noComma.send("0/nowhere");
    expect(await noComma.next()).toBe('44/nowhere,{"message":"Invalid namespace"}');
    const huge = await server.raw();
    huge.send(`0/${"x".repeat(100_000)},`);
    await huge.closed;
    expect(new Set(server.io._nsps.keys())).toEqual(before);
    await server.healthy();
  });
});
