// socketio.run() over real sockets: one HTTP server for the app, its static files and
// the realtime endpoint, reached by the official socket.io-client and by ours.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io as theirIo, type Socket as TheirSocket } from "socket.io-client";
import { afterEach, describe, expect, it, vi } from "vitest";
import { io as ourIo, type Socket as OurSocket } from "../../src/client/index.js";
import { emit, SocketIO } from "../../src/index.js";
import { later, makeApp } from "./helpers.js";

afterEach(() => {
  vi.restoreAllMocks();
});

/** Captures what run() writes to standard output. */
function captureOutput(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split("\n").filter(Boolean));
    return true;
  });
  return lines;
}

function theirs(url: string, opts: Record<string, unknown> = {}): TheirSocket {
  const socket = theirIo(url, { forceNew: true, reconnection: false, ...opts });
  later(() => void socket.disconnect());
  return socket;
}

function ours(url: string, opts: Record<string, unknown> = {}): OurSocket {
  const socket = ourIo(url, { forceNew: true, reconnection: false, ...opts });
  later(() => void socket.disconnect());
  return socket;
}

function next<T = unknown>(
  socket: { once(ev: string, fn: (...a: any[]) => void): unknown },
  event: string,
): Promise<T> {
  return new Promise((resolve) => socket.once(event, (value: T) => resolve(value)));
}

/** A GET with the path as given (fetch would normalize `..`). */
function rawGet(url: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { path }, (res) => {
      let body = "";
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve(body));
    });
    req.on("error", reject);
    req.end();
  });
}

function hello(req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { "Content-Type": "text/plain" });
  res.end(`app saw ${req.url}`);
}

function echoApp(): SocketIO {
  const socketio = makeApp({ serveClient: true });
  socketio.on("connect", () => emit("server_response", { data: "connected" }), {
    namespace: "/test_conn",
  });
  socketio.on(
    "my_event",
    (msg: { data: string }) => {
      emit("my_response", msg);
      return "ack";
    },
    { namespace: "/test_conn" },
  );
  return socketio;
}

describe("socketio.run", () => {
  it("serves the app and the realtime endpoint on one port, to socket.io-client and to ours", async () => {
    captureOutput();
    const socketio = echoApp();
    const address = await socketio.run(hello, { port: 0, handleSignals: false });
    expect(address).toMatchObject({ address: "127.0.0.1", family: "IPv4" });
    expect(address.url).toBe(`http://127.0.0.1:${address.port}`);
    const page = await fetch(`${address.url}/page?x=1`);
    expect(await page.text()).toBe("app saw /page?x=1");
    const script = await fetch(`${address.url}/socket.io/socket.io.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/javascript/);

    for (const [name, open] of [
      ["socket.io-client", theirs],
      ["pushwire/client", ours],
    ] as const) {
      for (const transports of [["websocket"], ["polling"]]) {
        const socket = open(`${address.url}/test_conn`, { transports });
        expect(await next(socket, "server_response"), name).toEqual({ data: "connected" });
        const reply = next(socket, "my_response");
        const ack = await (socket as TheirSocket).emitWithAck("my_event", { data: name });
        expect(ack).toBe("ack");
        expect(await reply).toEqual({ data: name });
      }
    }
  });

  it("takes an object with callback() as a Koa app, in run() or in the constructor", async () => {
    captureOutput();
    const socketio = makeApp();
    // Koa's app has listen() too: it must not be taken for an HTTP server.
    const koaLike = { callback: () => hello, listen: () => {} };
    const { url } = await socketio.run(koaLike, { port: 0, handleSignals: false });
    expect(await (await fetch(`${url}/k`)).text()).toBe("app saw /k");
    const viaConstructor = new SocketIO(koaLike, { serveClient: false });
    later(() => viaConstructor.close());
    const { url: url2 } = await viaConstructor.run(undefined, { port: 0, handleSignals: false });
    expect(await (await fetch(`${url2}/k2`)).text()).toBe("app saw /k2");
  });

  it("gives an Express-style app a next(): 404 when it passes, 500 when it passes an error", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    captureOutput();
    const socketio = makeApp();
    const expressLike = (
      req: IncomingMessage,
      _res: ServerResponse,
      next?: (err?: unknown) => void,
    ) => (req.url === "/fail" ? next!(new Error("failed")) : next!());
    const { url } = await socketio.run(expressLike, { port: 0, handleSignals: false });
    expect((await fetch(`${url}/pass`)).status).toBe(404);
    expect((await fetch(`${url}/fail`)).status).toBe(500);
  });

  it('answers cross-origin pages with cors: "*"', async () => {
    captureOutput();
    const socketio = makeApp({ cors: "*" });
    const { url } = await socketio.run(undefined, { port: 0, handleSignals: false });
    const res = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, {
      headers: { Origin: "https://elsewhere.example" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const closed = makeApp();
    const { url: url2 } = await closed.run(undefined, { port: 0, handleSignals: false });
    const refused = await fetch(`${url2}/socket.io/?EIO=4&transport=polling`, {
      headers: { Origin: "https://elsewhere.example" },
    });
    expect(refused.status).toBe(403);
  });

  it("serves the app given to the constructor when run() is given none", async () => {
    captureOutput();
    const socketio = new SocketIO(hello, { serveClient: false });
    later(() => socketio.close());
    const { url } = await socketio.run(undefined, { port: 0, handleSignals: false });
    expect(await (await fetch(`${url}/c`)).text()).toBe("app saw /c");
  });

  it("serves static files before the app, index.html for /, and never a file outside the folder", async () => {
    captureOutput();
    const dir = mkdtempSync(join(tmpdir(), "pushwire-static-"));
    later(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, "index.html"), "<p>home</p>");
    writeFileSync(join(dir, "style.css"), "p{}");
    const socketio = makeApp();
    const { url } = await socketio.run(hello, { port: 0, staticDir: dir, handleSignals: false });
    const home = await fetch(`${url}/`);
    expect(home.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await home.text()).toBe("<p>home</p>");
    const css = await fetch(`${url}/style.css`);
    expect(await css.text()).toBe("p{}");
    const again = await fetch(`${url}/style.css`, {
      headers: { "If-None-Match": css.headers.get("etag")! },
    });
    expect(again.status).toBe(304);
    expect(await (await fetch(`${url}/other`)).text()).toBe("app saw /other");
    for (const path of ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/%E0%A4%A", "/a%00b"]) {
      expect(await rawGet(url, path)).toBe(`app saw ${path}`);
    }
  });

  it("answers 404 without an app, and 500 when the app throws or rejects", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    captureOutput();
    const bare = makeApp();
    const { url } = await bare.run(undefined, { port: 0, handleSignals: false });
    expect((await fetch(`${url}/x`)).status).toBe(404);
    const failing = makeApp();
    const { url: url2 } = await failing.run(
      (req: IncomingMessage) => {
        if (req.url === "/sync") throw new Error("sync");
        return Promise.reject(new Error("async"));
      },
      { port: 0, handleSignals: false },
    );
    expect((await fetch(`${url2}/sync`)).status).toBe(500);
    expect((await fetch(`${url2}/async`)).status).toBe(500);
  });

  it("says where it listens, and with logOutput one line per request", async () => {
    const lines = captureOutput();
    const socketio = makeApp();
    const { url } = await socketio.run(hello, { port: 0, handleSignals: false, logOutput: true });
    await (await fetch(`${url}/logged`)).text();
    expect(lines).toContain(`pushwire: listening on ${url}`);
    expect(lines).toContain(`pushwire:   realtime endpoint ${url}/socket.io/ (Socket.IO v5)`);
    expect(lines.some((l) => /^http: 127\.0\.0\.1 "GET \/logged" 200 /.test(l))).toBe(true);
  });

  it("logs sessions with engineioLogger and events with logger, never the Engine.IO sid", async () => {
    const lines = captureOutput();
    const socketio = makeApp({ logger: true, engineioLogger: true });
    socketio.on("ping", () => "pong");
    const { url } = await socketio.run(undefined, { port: 0, handleSignals: false });
    const socket = theirs(url, { transports: ["websocket"] });
    await next(socket, "connect");
    await socket.emitWithAck("ping");
    const engineSid = (socket.io.engine as { id: string }).id;
    expect(
      lines.some((l) => /^engineio: session opened from 127\.0\.0\.1 over websocket/.test(l)),
    ).toBe(true);
    expect(lines).toContain(`socketio: / ${socket.id} connected`);
    expect(lines).toContain(`socketio: / ${socket.id} sent "ping"`);
    expect(lines.join("\n")).not.toContain(engineSid);
  });

  it("listens on an HTTP server given to the constructor", async () => {
    captureOutput();
    const httpServer = createServer(hello);
    const socketio = new SocketIO(httpServer, { serveClient: false });
    later(() => socketio.close());
    const { url } = await socketio.run(undefined, { port: 0, handleSignals: false });
    expect(await (await fetch(`${url}/own`)).text()).toBe("app saw /own");
    const socket = theirs(url);
    await next(socket, "connect");
    await expect(socketio.run(hello, { port: 0 })).rejects.toMatchObject({
      code: "PW_ERR_APP_INVALID_OPTION",
    });
  });

  it("rejects with Node's error when the port is taken, and with PW_ERR_APP_INVALID_OPTION for a bad port", async () => {
    captureOutput();
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, "127.0.0.1", r));
    later(() => new Promise<void>((r) => blocker.close(() => r())));
    const socketio = makeApp();
    const port = (blocker.address() as AddressInfo).port;
    await expect(socketio.run(undefined, { port, handleSignals: false })).rejects.toMatchObject({
      code: "EADDRINUSE",
    });
    await expect(makeApp().run(undefined, { port: 70000 })).rejects.toMatchObject({
      code: "PW_ERR_APP_INVALID_OPTION",
    });
  });

  it("closes gracefully: clients see their transport close, the port is free again", async () => {
    captureOutput();
    const socketio = echoApp();
    const { url, port } = await socketio.run(undefined, { port: 0, handleSignals: false });
    const socket = theirs(`${url}/test_conn`, { transports: ["websocket"] });
    await next(socket, "server_response");
    const reason = next<string>(socket, "disconnect");
    await socketio.close();
    expect(await reason).toBe("transport close");
    const again = createServer();
    await new Promise<void>((r) => again.listen(port, "127.0.0.1", r));
    await new Promise<void>((r) => again.close(() => r()));
    await expect(socketio.run(undefined, { port: 0 })).rejects.toMatchObject({
      code: "PW_ERR_APP_CLOSED",
    });
  });

  it("handles SIGINT and SIGTERM while running, and lets go of them once closed", async () => {
    captureOutput();
    const before = [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];
    const socketio = new SocketIO({ serveClient: false });
    await socketio.run(undefined, { port: 0 });
    expect([process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")]).toEqual(
      before.map((n) => n + 1),
    );
    await socketio.close();
    expect([process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")]).toEqual(before);
  });
});
