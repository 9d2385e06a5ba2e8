// RELIABILITY 3d (engine parts): origin policy, CSWSH, sids, cookies, information leaks.
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request as httpsRequest, createServer as createHttpsServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EngineServer } from "../../src/engine/index.js";
import { randomSid } from "../../src/engine/sid.js";
import {
  closeAll,
  eio,
  handshake,
  openWs,
  poll,
  rawExchange,
  request,
  startEngine,
  upgrade,
  upgradeHead,
  wsSession,
} from "../engine/harness.js";

afterEach(closeAll);

const ORIGIN_CASES = [
  "https://evil.com",
  "null",
  "https://example.com.evil.net",
  "https://evilexample.com",
  "http://example.com",
  "https://example.com:8443",
];

describe("D1 origin allowlist", () => {
  it("D1 refuses disallowed origins on polling with 403 before any session, without CORS headers", async () => {
    const { port, engine } = await startEngine({
      cors: { origin: ["https://example.com"], credentials: true },
    });
    for (const origin of ORIGIN_CASES) {
      const reply = await request(port, eio(), { headers: { origin } });
      expect(reply.status, origin).toBe(403);
      expect(JSON.parse(reply.body).code).toBe(4);
      expect(reply.headers["access-control-allow-origin"]).toBeUndefined();
      expect(reply.headers["access-control-allow-credentials"]).toBeUndefined();
    }
    expect(engine.clientsCount).toBe(0);
  });

  it("D1 refuses disallowed origins on the WebSocket upgrade with 403 before the 101", async () => {
    const { port, engine } = await startEngine({ cors: { origin: ["https://example.com"] } });
    for (const origin of ORIGIN_CASES) {
      const { data } = await rawExchange(
        port,
        upgradeHead(eio("", "websocket"), { Origin: origin }),
      );
      expect(data, origin).toMatch(/^HTTP\/1.1 403 Forbidden/);
      expect(data).not.toContain("101");
    }
    expect(engine.clientsCount).toBe(0);
  });

  it("D1 accepts the allowed origin in case, default-port and trailing-slash variants", async () => {
    const { port } = await startEngine({ cors: { origin: ["https://example.com/"] } });
    for (const origin of [
      "https://example.com",
      "https://EXAMPLE.com",
      "https://example.com:443",
    ]) {
      const { reply } = await handshake(port, { origin });
      expect(reply.headers["access-control-allow-origin"], origin).toBe(origin);
      const client = await openWs(port, eio("", "websocket"), { headers: { origin } });
      client.ws.close();
    }
  });

  it("D1 allows requests without Origin (non-browser clients) on both transports", async () => {
    const { port } = await startEngine({ cors: { origin: ["https://example.com"] } });
    await handshake(port);
    (await wsSession(port)).ws.close();
  });

  it("D1 answers a disallowed preflight with 403 and an allowed one with 204", async () => {
    const { port } = await startEngine({ cors: { origin: ["https://example.com"] } });
    const headers = (origin: string) => ({ origin, "access-control-request-method": "POST" });
    const refused = await request(port, eio(), {
      method: "OPTIONS",
      headers: headers("https://evil.com"),
    });
    expect(refused.status).toBe(403);
    expect(refused.headers["access-control-allow-origin"]).toBeUndefined();
    const allowed = await request(port, eio(), {
      method: "OPTIONS",
      headers: headers("https://example.com"),
    });
    expect(allowed.status).toBe(204);
  });

  it("D1 never pairs credentials with a reflected arbitrary origin", async () => {
    expect(() => new EngineServer({ cors: { origin: true, credentials: true } })).toThrow(
      expect.objectContaining({ code: "PW_ERR_ENGINE_INVALID_OPTION" }),
    );
    const { port } = await startEngine({ cors: { origin: "*", credentials: true } });
    const { reply } = await handshake(port, { origin: "https://evil.com" });
    expect(reply.headers["access-control-allow-origin"]).toBe("*");
    expect(reply.headers["access-control-allow-credentials"]).toBeUndefined();
  });

  it("D1 refuses cross-origin requests on both transports when no cors option is set", async () => {
    const { port, engine } = await startEngine();
    const polling = await request(port, eio(), {
      headers: { origin: "https://evil.com", host: "example.com" },
    });
    expect(polling.status).toBe(403);
    const { reply } = await handshake(port, { origin: "http://example.com", host: "example.com" });
    expect(reply.status).toBe(200);
    expect(engine.clientsCount).toBe(1);
  });
});

describe("D2 cross-site WebSocket hijacking", () => {
  it("D2 refuses a cross-origin upgrade carrying the victim's session cookie, before the 101", async () => {
    const { port, engine } = await startEngine({ cookie: true });
    const { sid } = await handshake(port);
    const attack = upgradeHead(eio(`&sid=${sid}`, "websocket"), {
      Origin: "https://evil.com",
      Cookie: `io=${sid}`,
    });
    const { data } = await rawExchange(port, attack);
    expect(data).toMatch(/^HTTP\/1.1 403 Forbidden/);
    const fresh = await rawExchange(
      port,
      upgradeHead(eio("", "websocket"), { Origin: "https://evil.com", Cookie: `io=${sid}` }),
    );
    expect(fresh.data).toMatch(/^HTTP\/1.1 403 Forbidden/);
    expect(engine.clients.get(sid)?.transportName).toBe("polling");
    expect(engine.clientsCount).toBe(1);
  });
});

describe("D4 session ids", () => {
  it("D4 makes sids of 120 random bits with no collision in 10^6", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1_000_000; i++) seen.add(randomSid());
    expect(seen.size).toBe(1_000_000);
    const bytes = Buffer.from(randomSid(), "base64url");
    expect(bytes.length * 8).toBeGreaterThanOrEqual(96);
  });

  it("D4 refuses polling with a sid after the upgrade and a second WebSocket for it", async () => {
    const { port } = await startEngine();
    const { sid } = await handshake(port);
    const client = await upgrade(port, sid);
    expect((await poll(port, sid)).status).toBe(400);
    const second = await openWs(port, eio(`&sid=${sid}`, "websocket"));
    expect((await second.closed).code).toBe(1008);
    client.ws.send("4ok");
    expect(await client.next()).toBe("4ok");
    client.ws.close();
  });

  it("D4 never echoes a sid in refusals", async () => {
    const { port, engine } = await startEngine();
    const contexts: unknown[] = [];
    engine.on("connection_error", (err) => contexts.push(err.context));
    const secret = "S3cr3tS3cr3tS3cr3tXX";
    const reply = await poll(port, secret);
    expect(reply.body).not.toContain(secret);
    expect(JSON.stringify(contexts)).not.toContain(secret);
  });
});

describe("D5 sticky cookie", () => {
  let dir: string;
  let key: string;
  let cert: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "pushwire-tls-"));
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
        "-days",
        "1",
        "-keyout",
        join(dir, "key.pem"),
        "-out",
        join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    key = readFileSync(join(dir, "key.pem"), "utf8");
    cert = readFileSync(join(dir, "cert.pem"), "utf8");
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("D5 sets the sid cookie HttpOnly, SameSite=Lax, Path=/ and Secure under TLS", async () => {
    const server = createHttpsServer({ key, cert });
    const engine = new EngineServer(server, { cookie: true });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as { port: number }).port;
    try {
      const cookie = await new Promise<string[] | undefined>((resolve, reject) => {
        const req = httpsRequest(
          { host: "127.0.0.1", port, path: eio(), ca: cert, agent: false },
          (res) => {
            res.resume();
            resolve(res.headers["set-cookie"]);
          },
        );
        req.on("error", reject);
        req.end();
      });
      expect(cookie).toHaveLength(1);
      expect(cookie![0]).toMatch(/^io=[A-Za-z0-9_-]{20}; Path=\/; HttpOnly; SameSite=Lax; Secure$/);
    } finally {
      engine.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("D5 leaves Secure off over plain HTTP and refuses invalid cookie names and paths", async () => {
    const { port } = await startEngine({ cookie: true });
    const { reply } = await handshake(port);
    expect(reply.headers["set-cookie"]![0]).not.toMatch(/Secure/);
    for (const cookie of [
      { name: "bad name" },
      { name: "a=b" },
      { path: "/\r\nX: y" },
      { path: "/;x" },
    ]) {
      expect(() => new EngineServer({ cookie }), JSON.stringify(cookie)).toThrow(
        expect.objectContaining({ code: "PW_ERR_ENGINE_INVALID_OPTION" }),
      );
    }
  });
});

describe("D7 information leaks", () => {
  it("D7 answers every refusal with only code and message, no stack", async () => {
    const { port } = await startEngine({
      maxHttpBufferSize: 10,
      cors: { origin: ["https://ok.test"] },
    });
    const { sid } = await handshake(port);
    const replies = [
      await request(port, "/engine.io/?EIO=9&transport=polling"),
      await request(port, "/engine.io/?EIO=4&transport=nope"),
      await request(port, eio("&sid=nope")),
      await request(port, eio(), { method: "PUT" }),
      await request(port, eio(), { headers: { origin: "https://evil.test" } }),
      await request(port, eio(`&sid=${sid}`), { method: "POST", body: "4" + "x".repeat(20) }),
    ];
    for (const reply of replies) {
      expect(Object.keys(JSON.parse(reply.body)).sort()).toEqual(["code", "message"]);
      expect(reply.body).not.toMatch(/at .*\.(ts|js):\d+/);
    }
  });

  it("D7 keeps close reasons within 123 bytes", async () => {
    const { port } = await startEngine();
    const client = await wsSession(port);
    client.ws.send("zzz");
    const { reason } = await client.closed;
    expect(reason).toBe("parse error");
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
  });

  it("D7 writes frames whose every byte is the message's own, lone surrogates included", async () => {
    const { port, sessions } = await startEngine({}, { echo: false });
    const client = await wsSession(port);
    const samples = ["\ud800", "a\udc00b", "€".repeat(100), "x".repeat(70_000) + "\udfff"];
    for (const sample of samples) sessions[0]!.send(sample);
    for (const sample of samples) {
      const received = (await client.next()) as string;
      expect(Buffer.from(received)).toEqual(Buffer.from("4" + sample));
    }
    client.ws.close();
  });
});
