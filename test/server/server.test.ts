import { once } from "node:events";
import { createServer, request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { Adapter, EngineServer, Server, type Namespace, type Socket } from "../../src/index.js";
import { PacketType, type Packet } from "../../src/protocol/index.js";
import { announced, fakeServer, until } from "./fake.js";

const servers: Server[] = [];
afterEach(async () => {
  for (const io of servers.splice(0)) await io.close();
});

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: "127.0.0.1", port, path }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on("error", reject)
      .end();
  });
}

describe("server: construction and attaching", () => {
  it("takes options alone and attaches later, answering under /socket.io/", async () => {
    const io = new Server({ serveClient: false });
    servers.push(io);
    expect(io.engine).toBeUndefined();
    const http = createServer((_req, res) => res.end("app"));
    io.attach(http);
    expect(io.engine).toBeInstanceOf(EngineServer);
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    const port = (http.address() as { port: number }).port;
    const handshake = await get(port, "/socket.io/?EIO=4&transport=polling");
    expect(handshake.status).toBe(200);
    expect(handshake.body).toMatch(/^0\{"sid":/);
    expect((await get(port, "/other")).body).toBe("app");
  });

  it("listens on a port it was given, on a server of its own", async () => {
    const io = new Server(0, { serveClient: false });
    servers.push(io);
    await once(io.httpServer!, "listening");
    const port = (io.httpServer!.address() as { port: number }).port;
    expect((await get(port, "/socket.io/?EIO=4&transport=polling")).status).toBe(200);
    expect((await get(port, "/")).status).toBe(404);
  });

  it("serves the client bundle at /socket.io/socket.io.js unless serveClient is false", async () => {
    const served = new Server(0);
    const plain = new Server(0, { serveClient: false });
    servers.push(served, plain);
    await Promise.all([
      once(served.httpServer!, "listening"),
      once(plain.httpServer!, "listening"),
    ]);
    const portOf = (io: Server) => (io.httpServer!.address() as { port: number }).port;
    const bundle = await get(portOf(served), "/socket.io/socket.io.js");
    expect(bundle.status).toBe(200);
    expect(bundle.body.length).toBeGreaterThan(1000);
    expect((await get(portOf(plain), "/socket.io/socket.io.js")).status).toBe(400);
  });

  it("answers under a custom path", async () => {
    const http = createServer();
    const io = new Server(http, { path: "/realtime/", serveClient: false });
    servers.push(io);
    expect(io.path()).toBe("/realtime");
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    const port = (http.address() as { port: number }).port;
    expect((await get(port, "/realtime/?EIO=4&transport=polling")).status).toBe(200);
  });

  it("refuses an Express app in place of an HTTP server", () => {
    const io = new Server({ serveClient: false });
    expect(() => io.attach((() => {}) as never)).toThrowError(
      expect.objectContaining({ code: "PW_ERR_SERVER_UNSUPPORTED" }),
    );
  });

  it("refuses negative limits with PW_ERR_SERVER_INVALID_OPTION", () => {
    for (const option of [
      "maxPendingAcks",
      "maxRoomsPerSocket",
      "connectTimeout",
      "binaryTimeout",
    ]) {
      expect(() => new Server({ [option]: -1 })).toThrowError(
        expect.objectContaining({ code: "PW_ERR_SERVER_INVALID_OPTION" }),
      );
    }
  });

  it("reads and sets path, serveClient, connectTimeout and the adapter, as socket.io", async () => {
    const io = new Server({ serveClient: false });
    expect(io.path()).toBe("/socket.io");
    expect(io.path("/x").path()).toBe("/x");
    expect(io.serveClient()).toBe(false);
    expect(io.serveClient(true).serveClient()).toBe(true);
    expect(io.connectTimeout()).toBe(45_000);
    expect(io.connectTimeout(10).connectTimeout()).toBe(10);
    class MyAdapter extends Adapter {}
    const admin = io.of("/admin");
    io.adapter(MyAdapter);
    expect(io.adapter()).toBe(MyAdapter);
    expect(admin.adapter).toBeInstanceOf(MyAdapter);
    expect(io.of("/new").adapter).toBeInstanceOf(MyAdapter);
    await io.close();
  });

  it("applies a changed connectTimeout to later connections", () => {
    const { io, clock, open } = fakeServer({ connectTimeout: 1000 });
    io.connectTimeout(100);
    const conn = open();
    clock.advance(100);
    expect(conn.closedByServer).toBe(true);
  });
});

describe("server: namespaces and events", () => {
  it("normalizes names and emits new_namespace", () => {
    const { io } = fakeServer();
    const created: string[] = [];
    io.on("new_namespace", (nsp: Namespace) => created.push(nsp.name));
    expect(io.of("admin").name).toBe("/admin");
    expect(io.of("/admin")).toBe(io.of("admin"));
    expect(io.of("/")).toBe(io.sockets);
    expect(created).toEqual(["/admin"]);
  });

  it("takes a connection listener in of()", async () => {
    const server = fakeServer();
    const names: string[] = [];
    server.io.of("/a", (socket) => names.push(socket.nsp.name));
    await server.connect("/a");
    expect(names).toEqual(["/a"]);
  });

  it("routes EventEmitter methods to the main namespace", () => {
    const { io } = fakeServer();
    const listener = (_socket: Socket) => {};
    io.on("connection", listener);
    expect(io.sockets.listeners("connection")).toEqual([listener]);
    expect(io.listeners("connection")).toEqual([listener]);
    expect(io.listenerCount("connection")).toBe(1);
    io.off("connection", listener);
    expect(io.sockets.listenerCount("connection")).toBe(0);
  });

  it("closes every socket with `server shutting down`", async () => {
    const server = fakeServer();
    const reasons: string[] = [];
    server.io.on("connection", (s) => s.on("disconnect", (r) => reasons.push(r)));
    server.io.of("/b").on("connection", (s) => s.on("disconnect", (r) => reasons.push(r)));
    await server.connect("/");
    await server.connect("/b");
    await server.io.close();
    expect(reasons).toEqual(["server shutting down", "server shutting down"]);
  });
});

describe("server: custom parser", () => {
  it("uses a socket.io-parser style codec: an encoder class and a decoder that emits `decoded`", async () => {
    const { EventEmitter } = await import("node:events");
    class Encoder {
      encode(packet: Packet): unknown[] {
        return [JSON.stringify(packet)];
      }
    }
    class Decoder extends EventEmitter {
      add(chunk: unknown): void {
        this.emit("decoded", JSON.parse(String(chunk)) as Packet);
      }
      destroy(): void {}
    }
    const server = fakeServer({ parser: { Encoder, Decoder } });
    const got: unknown[] = [];
    server.io.on("connection", (socket) => socket.on("hi", (x) => got.push(x)));
    const conn = server.open();
    conn.receive(JSON.stringify({ type: PacketType.CONNECT, nsp: "/" }));
    await until(() => conn.texts.length > 0);
    expect(JSON.parse(conn.texts[0]!)).toMatchObject({
      type: 0,
      nsp: "/",
      data: { sid: expect.any(String) },
    });
    await announced();
    conn.receive(JSON.stringify({ type: PacketType.EVENT, nsp: "/", data: ["hi", 5] }));
    expect(got).toEqual([5]);
  });
});
