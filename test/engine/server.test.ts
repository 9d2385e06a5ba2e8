import { once } from "node:events";
import { createServer } from "node:http";
import { gunzipSync } from "node:zlib";
import { WebSocket } from "ws";
import { afterEach, describe, expect, it } from "vitest";
import type { ConnectionErrorEvent } from "../../src/engine/index.js";
import { EngineServer } from "../../src/engine/index.js";
import {
  closeAll,
  eio,
  handshake,
  openWs,
  poll,
  post,
  rawExchange,
  request,
  startEngine,
  until,
  upgradeHead,
  wsSession,
} from "./harness.js";

afterEach(closeAll);

describe("handshake", () => {
  it("opens a polling session with sid, upgrades, pingInterval, pingTimeout and maxPayload", async () => {
    const { port, engine } = await startEngine({ pingInterval: 1000, pingTimeout: 500 });
    const { sid, open, reply } = await handshake(port);
    expect(reply.headers["content-type"]).toBe("text/plain; charset=UTF-8");
    expect(open).toEqual({
      sid,
      upgrades: ["websocket"],
      pingInterval: 1000,
      pingTimeout: 500,
      maxPayload: 1e6,
    });
    expect(sid).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(engine.clientsCount).toBe(1);
    expect(engine.clients.get(sid)?.transportName).toBe("polling");
  });

  it("opens a WebSocket session directly, offering no upgrades", async () => {
    const { port, engine } = await startEngine();
    const client = await wsSession(port);
    expect(client.open.upgrades).toEqual([]);
    expect(engine.clients.get(client.sid)?.transportName).toBe("websocket");
    client.ws.close();
  });

  it("offers no upgrade when upgrades are disabled or websocket is not enabled", async () => {
    const a = await startEngine({ allowUpgrades: false });
    expect((await handshake(a.port)).open.upgrades).toEqual([]);
    const b = await startEngine({ transports: ["polling"] });
    expect((await handshake(b.port)).open.upgrades).toEqual([]);
  });

  it("refuses a transport that is not enabled with code 0", async () => {
    const { port } = await startEngine({ transports: ["websocket"] });
    const reply = await request(port, eio());
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toEqual({ code: 0, message: "Transport unknown" });
  });

  it("answers refusals with a JSON body and content type", async () => {
    const { port } = await startEngine();
    const reply = await request(port, "/engine.io/?EIO=3&transport=polling");
    expect(reply.status).toBe(400);
    expect(reply.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(reply.body)).toEqual({ code: 5, message: "Unsupported protocol version" });
  });

  it("hints at sticky sessions when the sid is unknown", async () => {
    const { port } = await startEngine();
    const reply = await poll(port, "nope");
    expect(reply.status).toBe(400);
    const body = JSON.parse(reply.body) as { code: number; message: string };
    expect(body.code).toBe(1);
    expect(body.message).toMatch(/^Session ID unknown: .*sticky sessions/);
  });

  it("sends initialPacket right after the open packet", async () => {
    const { port } = await startEngine({ initialPacket: "welcome" });
    const { reply } = await handshake(port);
    expect(reply.body.split("\x1e")[1]).toBe("4welcome");
  });

  it("uses generateId, synchronous or asynchronous", async () => {
    let n = 0;
    const a = await startEngine({ generateId: () => `custom-${++n}` });
    expect((await handshake(a.port)).sid).toBe("custom-1");
    const b = await startEngine({ generateId: async () => "async-id" });
    expect((await handshake(b.port)).sid).toBe("async-id");
  });

  it("uses generateId, the option or a replaced method, on WebSocket handshakes", async () => {
    const a = await startEngine({ generateId: async () => "ws-async-id" });
    expect((await wsSession(a.port)).sid).toBe("ws-async-id");
    const b = await startEngine();
    b.engine.generateId = () => "ws-own-id";
    expect((await wsSession(b.port)).sid).toBe("ws-own-id");
    const c = await startEngine({ allowRequest: (_req, cb) => setImmediate(() => cb(null, true)) });
    expect((await wsSession(c.port)).sid).toMatch(/^[A-Za-z0-9_-]{20}$/);
  });

  it("refuses the handshake when generateId fails or repeats an id", async () => {
    const { port } = await startEngine({ generateId: () => "same" });
    await handshake(port);
    const reply = await request(port, eio());
    expect(reply.status).toBe(400);
    const b = await startEngine({
      generateId: () => {
        throw new Error("no ids");
      },
    });
    expect((await request(b.port, eio())).status).toBe(400);
  });

  it("keeps a snapshot of the handshake request, not the request", async () => {
    const { port, sessions } = await startEngine();
    await handshake(port, { "x-custom": "yes" });
    const info = sessions[0]!.request;
    expect(sessions[0]!.request).toBe(info);
    expect(info).toMatchObject({ method: "GET", secure: false, remoteAddress: "127.0.0.1" });
    expect(info.url).toBe(eio());
    expect(info.headers["x-custom"]).toBe("yes");
    expect(Object.keys(info).sort()).toEqual([
      "headers",
      "method",
      "remoteAddress",
      "secure",
      "url",
    ]);
  });
});

describe("allowRequest", () => {
  it("accepts the handshake when it says so", async () => {
    const { port } = await startEngine({ allowRequest: (_req, cb) => cb(null, true) });
    await handshake(port);
  });

  it("refuses polling with 403 code 4 and its message", async () => {
    const { port, engine } = await startEngine({
      allowRequest: (_req, cb) => setImmediate(() => cb("not today", false)),
    });
    const reply = await request(port, eio());
    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.body)).toEqual({ code: 4, message: "not today" });
    expect(engine.clientsCount).toBe(0);
  });

  it("refuses a WebSocket handshake with 403 before the 101", async () => {
    const { port } = await startEngine({ allowRequest: (_req, cb) => cb(null, false) });
    const { data } = await rawExchange(port, upgradeHead(eio("", "websocket")));
    expect(data).toMatch(/^HTTP\/1.1 403 Forbidden/);
    expect(data).not.toMatch(/101/);
  });

  it("treats a throwing hook as a refusal", async () => {
    const { port } = await startEngine({
      allowRequest: () => {
        throw new Error("bug");
      },
    });
    expect((await request(port, eio())).status).toBe(403);
  });
});

describe("events", () => {
  it("emits connection_error with the request, code, message and context", async () => {
    const { port, engine } = await startEngine();
    const errors: ConnectionErrorEvent[] = [];
    engine.on("connection_error", (err) => errors.push(err));
    await request(port, "/engine.io/?EIO=4&transport=carrier-pigeon");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      code: 0,
      message: "Transport unknown",
      context: { transport: "carrier-pigeon" },
    });
    expect(errors[0]!.req.url).toContain("carrier-pigeon");
  });

  it("lets initial_headers and headers listeners add headers, on polling and on the 101", async () => {
    const { port, engine } = await startEngine();
    engine.on("initial_headers", (headers) => {
      headers["X-Initial"] = "1";
    });
    engine.on("headers", (headers) => {
      headers["X-Every"] = "1";
    });
    const { sid, reply } = await handshake(port);
    expect(reply.headers).toMatchObject({ "x-initial": "1", "x-every": "1" });
    const ok = await post(port, sid, "4x");
    expect(ok.headers["x-every"]).toBe("1");
    expect(ok.headers["x-initial"]).toBeUndefined();
    const ws = new WebSocket(`ws://127.0.0.1:${port}${eio("", "websocket")}`);
    const [res] = (await once(ws, "upgrade")) as [{ headers: Record<string, string> }];
    expect(res.headers).toMatchObject({ "x-initial": "1", "x-every": "1" });
    ws.close();
  });
});

describe("cookie", () => {
  it("sets no cookie by default", async () => {
    const { port } = await startEngine();
    expect((await handshake(port)).reply.headers["set-cookie"]).toBeUndefined();
  });

  it("sets io=<sid>; Path=/; HttpOnly; SameSite=Lax on the handshake only", async () => {
    const { port } = await startEngine({ cookie: true });
    const { sid, reply } = await handshake(port);
    expect(reply.headers["set-cookie"]).toEqual([`io=${sid}; Path=/; HttpOnly; SameSite=Lax`]);
    expect((await post(port, sid, "4x")).headers["set-cookie"]).toBeUndefined();
  });

  it("sets the cookie on a WebSocket handshake too", async () => {
    const { port } = await startEngine({ cookie: { name: "sticky" } });
    const ws = new WebSocket(`ws://127.0.0.1:${port}${eio("", "websocket")}`);
    const [res] = (await once(ws, "upgrade")) as [{ headers: Record<string, string[]> }];
    expect(res.headers["set-cookie"]![0]).toMatch(
      /^sticky=[A-Za-z0-9_-]{20}; Path=\/; HttpOnly; SameSite=Lax$/,
    );
    ws.close();
  });

  it("sets no cookie on the 101 of an upgrade probe", async () => {
    const { port } = await startEngine({ cookie: { name: "sticky" } });
    const { sid } = await handshake(port);
    const ws = new WebSocket(`ws://127.0.0.1:${port}${eio(`&sid=${sid}`, "websocket")}`);
    const [res] = (await once(ws, "upgrade")) as [{ headers: Record<string, string[]> }];
    expect(res.headers["set-cookie"]).toBeUndefined();
    ws.close();
  });

  it("marks the cookie Secure behind a trusted https proxy", async () => {
    const { port } = await startEngine({ cookie: true, trustProxy: true });
    const { reply } = await handshake(port, { "x-forwarded-proto": "https" });
    expect(reply.headers["set-cookie"]![0]).toMatch(/; Secure$/);
  });
});

describe("httpCompression", () => {
  it("gzips a polling response above the threshold when the client accepts it", async () => {
    const { port, sessions } = await startEngine();
    const { sid } = await handshake(port);
    const big = "x".repeat(5000);
    sessions[0]!.send(big);
    const reply = await request(port, eio(`&sid=${sid}`), {
      headers: { "accept-encoding": "gzip" },
    });
    expect(reply.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(reply.raw).toString()).toBe("4" + big);
  });

  it("leaves small responses, clients without Accept-Encoding, and disabled compression alone", async () => {
    const { port, sessions } = await startEngine();
    const { sid } = await handshake(port);
    sessions[0]!.send("small");
    const small = await request(port, eio(`&sid=${sid}`), {
      headers: { "accept-encoding": "gzip" },
    });
    expect(small.headers["content-encoding"]).toBeUndefined();
    sessions[0]!.send("y".repeat(5000));
    const plain = await poll(port, sid);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    const off = await startEngine({ httpCompression: false });
    const other = await handshake(off.port);
    off.sessions[0]!.send("z".repeat(5000));
    const reply = await request(off.port, eio(`&sid=${other.sid}`), {
      headers: { "accept-encoding": "gzip" },
    });
    expect(reply.headers["content-encoding"]).toBeUndefined();
  });
});

describe("attach", () => {
  it("leaves requests outside the path to the server's own handler", async () => {
    const { port } = await startEngine({}, { handler: (_req, res) => res.end("app") });
    expect((await request(port, "/")).body).toBe("app");
    expect((await request(port, "/engine.iox")).body).toBe("app");
    await handshake(port);
  });

  it("answers under a custom path such as /socket.io/", async () => {
    const { port } = await startEngine({ path: "/socket.io" });
    const reply = await request(port, "/socket.io/?EIO=4&transport=polling");
    expect(reply.body.startsWith("0{")).toBe(true);
    expect((await request(port, eio())).status).toBe(404);
  });

  it("leaves upgrades outside the path to other upgrade listeners", async () => {
    const { port, http } = await startEngine();
    http.on("upgrade", (req, socket) => {
      if (req.url === "/other")
        socket.end("HTTP/1.1 418 I'm a teapot\r\nContent-Length: 0\r\n\r\n");
    });
    const { data } = await rawExchange(port, upgradeHead("/other"));
    expect(data).toMatch(/^HTTP\/1.1 418/);
  });

  it("ends an upgrade outside the path that nobody answers", async () => {
    const { port } = await startEngine({ destroyUpgradeTimeout: 20 });
    const { data } = await rawExchange(port, upgradeHead("/nobody"));
    expect(data).toBe("");
  });

  it("works without attach, through handleRequest and handleUpgrade", async () => {
    const engine = new EngineServer();
    engine.on("connection", (s) => (s.onmessage = (d) => s.send(d)));
    const http = createServer((req, res) => engine.handleRequest(req, res));
    http.on("upgrade", (req, socket, head) => engine.handleUpgrade(req, socket, head));
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    const port = (http.address() as { port: number }).port;
    try {
      await handshake(port);
      const client = await wsSession(port);
      client.ws.send("4hi");
      expect(await client.next()).toBe("4hi");
      client.ws.close();
    } finally {
      engine.close();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
  });
});

describe("close", () => {
  it("ends every session with forced server close and gives the server back", async () => {
    const { port, engine, http, sessions } = await startEngine(
      {},
      { handler: (_q, res) => res.end("app") },
    );
    const { sid } = await handshake(port);
    const client = await wsSession(port);
    const reasons: string[] = [];
    for (const s of sessions) s.onclose = (reason) => reasons.push(reason);
    const pending = poll(port, sid);
    await until(
      () =>
        (engine.clients.get(sid) as unknown as { polling: { writable: boolean } }).polling.writable,
    );
    engine.close();
    expect(reasons).toEqual(["forced server close", "forced server close"]);
    expect(engine.clientsCount).toBe(0);
    expect((await pending).body).toBe("1");
    expect((await client.closed).code).toBe(1001);
    expect(http.listeners("upgrade")).toHaveLength(0);
    expect((await request(port, eio())).body).toBe("app");
  });

  it("closes with the http server", async () => {
    const { port, engine, http } = await startEngine();
    await handshake(port);
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
    expect(engine.clientsCount).toBe(0);
  });

  it("refuses WebSocket upgrades after close", async () => {
    const { port, engine, http } = await startEngine();
    const closedEngine = new EngineServer();
    closedEngine.close();
    http.removeAllListeners("upgrade");
    http.on("upgrade", (req, socket, head) => closedEngine.handleUpgrade(req, socket, head));
    await expect(openWs(port)).rejects.toThrow();
    expect(engine.clientsCount).toBe(0);
  });
});
