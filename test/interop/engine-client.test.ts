// The official engine.io-client against our server: polling, WebSocket and the upgrade
// between them, with text and binary both ways.
import { Socket } from "engine.io-client";
import type { SocketOptions } from "engine.io-client";
import { afterEach, describe, expect, it } from "vitest";
import type { EngineSession, RawData } from "../../src/engine/index.js";
import { closeAll, startEngine } from "../engine/harness.js";

const clients: Socket[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await closeAll();
});

function connect(port: number, options: Partial<SocketOptions> = {}): Socket {
  const client = new Socket(`http://127.0.0.1:${port}`, options);
  clients.push(client);
  return client;
}

function opened(client: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    client.once("open", () => resolve());
    client.once("error", reject);
  });
}

function nextMessage(client: Socket): Promise<RawData> {
  return new Promise((resolve) => client.once("message", (data) => resolve(data as RawData)));
}

function bytes(data: RawData): number[] {
  return typeof data === "string" ? [] : [...new Uint8Array(data)];
}

/** Sends text and binary each way and checks what arrives. */
async function exchange(client: Socket, session: EngineSession): Promise<void> {
  const received: RawData[] = [];
  session.onmessage = (data) => received.push(data);
  client.send("from client");
  client.send(Uint8Array.of(1, 2, 3));
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      if (received.length === 2) {
        clearInterval(check);
        resolve();
      }
    }, 5);
  });
  expect(received[0]).toBe("from client");
  expect(bytes(received[1]!)).toEqual([1, 2, 3]);

  const text = nextMessage(client);
  session.send("from server €");
  expect(await text).toBe("from server €");
  const binary = nextMessage(client);
  session.send(Uint8Array.of(250, 0, 7));
  expect(bytes(await binary)).toEqual([250, 0, 7]);
}

describe("engine.io-client interop", () => {
  it("connects by polling and exchanges text and binary both ways", async () => {
    const { port, sessions } = await startEngine({}, { echo: false });
    const client = connect(port, { transports: ["polling"] });
    await opened(client);
    expect(client.transport.name).toBe("polling");
    expect(sessions[0]!.transportName).toBe("polling");
    await exchange(client, sessions[0]!);
  });

  it("connects by WebSocket and exchanges text and binary both ways", async () => {
    const { port, sessions } = await startEngine({}, { echo: false });
    const client = connect(port, { transports: ["websocket"] });
    await opened(client);
    expect(client.transport.name).toBe("websocket");
    expect(sessions[0]!.transportName).toBe("websocket");
    await exchange(client, sessions[0]!);
  });

  it("upgrades from polling to WebSocket and exchanges text and binary both ways", async () => {
    const { port, sessions } = await startEngine({}, { echo: false });
    const client = connect(port);
    const upgraded = new Promise<string>((resolve) =>
      client.once("upgrade", (transport) => resolve(transport.name)),
    );
    await opened(client);
    const serverSide = new Promise<string>((resolve) =>
      sessions[0]!.once("upgrade", (transport) => resolve(transport.name)),
    );
    expect(await upgraded).toBe("websocket");
    expect(await serverSide).toBe("websocket");
    expect(sessions[0]!.transportName).toBe("websocket");
    expect(sessions[0]!.upgraded).toBe(true);
    await exchange(client, sessions[0]!);
  });

  it("keeps the session alive across heartbeats", async () => {
    const { port, sessions } = await startEngine({ pingInterval: 30, pingTimeout: 200 });
    const client = connect(port, { transports: ["websocket"] });
    await opened(client);
    let beats = 0;
    sessions[0]!.on("heartbeat", () => beats++);
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (beats >= 3) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    expect(sessions[0]!.readyState).toBe("open");
  });

  it("tells the client when the server closes the session", async () => {
    const { port, sessions } = await startEngine();
    const client = connect(port, { transports: ["polling"] });
    await opened(client);
    const closed = new Promise<string>((resolve) =>
      client.once("close", (reason) => resolve(reason)),
    );
    sessions[0]!.close();
    expect(await closed).toBe("transport close");
  });

  it("reports the server's close on WebSocket too", async () => {
    const { port, sessions } = await startEngine();
    const client = connect(port, { transports: ["websocket"] });
    await opened(client);
    const closed = new Promise<string>((resolve) =>
      client.once("close", (reason) => resolve(reason)),
    );
    sessions[0]!.close();
    expect(await closed).toBe("transport close");
  });

  it("tells the server when the client closes", async () => {
    const { port, sessions } = await startEngine();
    const client = connect(port);
    await opened(client);
    const closed = new Promise<string>(
      (resolve) => (sessions[0]!.onclose = (reason) => resolve(reason)),
    );
    client.close();
    expect(await closed).toBe("transport close");
  });
});
