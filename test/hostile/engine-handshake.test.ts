// RELIABILITY 3a, A1: hostile HTTP handshakes and queries (polling GET and WS upgrade).
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { afterEach, describe, expect, it, onTestFinished } from "vitest";
import {
  closeAll,
  eio,
  handshake,
  openWs,
  rawExchange,
  request,
  startEngine,
  until,
  upgradeHead,
} from "../engine/harness.js";

afterEach(closeAll);

function body(text: string): unknown {
  return JSON.parse(text.slice(text.indexOf("\r\n\r\n") + 4));
}

describe("A1 handshake and query", () => {
  it("A1-1 refuses a missing or unsupported EIO with 400 code 5, on polling and on WS", async () => {
    const { port, engine } = await startEngine();
    for (const value of [null, "3", "5", "4x", "04", ""]) {
      const query = value === null ? "transport=polling" : `EIO=${value}&transport=polling`;
      const reply = await request(port, `/engine.io/?${query}`);
      expect(reply.status, query).toBe(400);
      expect(JSON.parse(reply.body)).toEqual({ code: 5, message: "Unsupported protocol version" });
      const wsQuery = query.replace("polling", "websocket");
      const { data } = await rawExchange(port, upgradeHead(`/engine.io/?${wsQuery}`));
      expect(data, wsQuery).toMatch(/^HTTP\/1.1 400 Bad Request/);
      expect(body(data)).toEqual({ code: 5, message: "Unsupported protocol version" });
    }
    expect(engine.clientsCount).toBe(0);
  });

  it("A1-2 refuses unknown and prototype-named transports with code 0", async () => {
    const { port, engine } = await startEngine();
    for (const name of [
      "carrier",
      "__proto__",
      "constructor",
      "toString",
      "webtransport",
      "",
      "hasOwnProperty",
    ]) {
      const reply = await request(port, `/engine.io/?EIO=4&transport=${name}`);
      expect(reply.status, name).toBe(400);
      expect(JSON.parse(reply.body), name).toEqual({ code: 0, message: "Transport unknown" });
      const { data } = await rawExchange(port, upgradeHead(`/engine.io/?EIO=4&transport=${name}`));
      expect(body(data), name).toEqual({ code: 0, message: "Transport unknown" });
    }
    expect((await request(port, "/engine.io/?EIO=4")).status).toBe(400);
    expect(engine.clientsCount).toBe(0);
  });

  it("A1-3 refuses repeated parameters with code 3, every time", async () => {
    const { port } = await startEngine();
    const { sid } = await handshake(port);
    for (const query of [
      "EIO=4&EIO=3&transport=polling",
      "EIO=4&EIO=4&transport=polling",
      "EIO=4&transport=polling&transport=websocket",
      `EIO=4&transport=polling&sid=${sid}&sid=${sid}`,
    ]) {
      const reply = await request(port, `/engine.io/?${query}`);
      expect(reply.status, query).toBe(400);
      expect(JSON.parse(reply.body).code, query).toBe(3);
    }
  });

  it("A1-4 refuses unknown, 1 KiB and non-base64url sids with code 1, allocating nothing", async () => {
    const { port, engine } = await startEngine();
    for (const sid of [
      "unknown",
      "x".repeat(1024),
      "%00%ff%fe",
      "..%2F..",
      "__proto__",
      "constructor",
    ]) {
      const reply = await request(port, eio(`&sid=${sid}`));
      expect(reply.status, sid.slice(0, 20)).toBe(400);
      expect(JSON.parse(reply.body).code).toBe(1);
      const post = await request(port, eio(`&sid=${sid}`), { method: "POST", body: "4x" });
      expect(JSON.parse(post.body).code).toBe(1);
      const { data } = await rawExchange(port, upgradeHead(eio(`&sid=${sid}`, "websocket")));
      expect((body(data) as { code: number }).code).toBe(1);
    }
    expect(engine.clientsCount).toBe(0);
  });

  it("A1-5 refuses a handshake that is not a GET with code 2, and other methods on a session with 400", async () => {
    const { port } = await startEngine();
    for (const method of ["POST", "PUT", "DELETE", "PATCH"]) {
      const reply = await request(port, eio(), {
        method,
        body: method === "DELETE" ? undefined : "4x",
      });
      expect(reply.status, method).toBe(400);
      expect(JSON.parse(reply.body), method).toEqual({ code: 2, message: "Bad handshake method" });
    }
    const { sid } = await handshake(port);
    for (const method of ["PUT", "DELETE", "PATCH", "OPTIONS"]) {
      const reply = await request(port, eio(`&sid=${sid}`), { method });
      expect(reply.status, method).toBe(400);
      expect(JSON.parse(reply.body).code, method).toBe(3);
    }
  });

  it("A1-6 refuses transport=websocket without upgrade headers with code 3", async () => {
    const { port, engine } = await startEngine();
    const reply = await request(port, eio("", "websocket"));
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toEqual({
      code: 3,
      message: "Bad request: websocket needs an upgrade request",
    });
    expect(engine.clientsCount).toBe(0);
  });

  it("A1-7 refuses an Origin with control characters with code 3", async () => {
    // Node's strict parser already rejects them; the lenient one lets them reach us.
    const { port } = await startEngine(
      { cors: { origin: "*" } },
      { serverOptions: { insecureHTTPParser: true } },
    );
    for (const ch of ["\x01", "\x7f", "\x1b"]) {
      const raw = `GET ${eio()} HTTP/1.1\r\nHost: a\r\nOrigin: http://a${ch}b\r\nConnection: close\r\n\r\n`;
      const { data } = await rawExchange(port, raw);
      expect(data, JSON.stringify(ch)).toMatch(/^HTTP\/1.1 400/);
      expect(body(data)).toEqual({ code: 3, message: "Bad request: invalid Origin header" });
      const upgrade = await rawExchange(
        port,
        upgradeHead(eio("", "websocket"), { Origin: `http://a${ch}b` }),
      );
      expect(upgrade.data).toMatch(/^HTTP\/1.1 400/);
    }
    const strict = await startEngine();
    const { data } = await rawExchange(
      strict.port,
      `GET ${eio()} HTTP/1.1\r\nHost: a\r\nOrigin: http://a\x01b\r\n\r\n`,
    );
    expect(data).toMatch(/^HTTP\/1.1 400/);
  });

  it("A1-8 refuses a JSONP j parameter", async () => {
    const { port } = await startEngine();
    const reply = await request(port, eio("&j=0"));
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body)).toEqual({
      code: 3,
      message: "Bad request: JSONP is not supported",
    });
  });

  it("A1-9 survives an oversized URL and 2001 headers with Upgrade last", async () => {
    const { port } = await startEngine();
    const long = await rawExchange(
      port,
      `GET ${eio("&x=" + "a".repeat(20_000))} HTTP/1.1\r\nHost: a\r\n\r\n`,
    );
    expect(long.data).toMatch(/^HTTP\/1.1 431/);
    let head = `GET ${eio("", "websocket")} HTTP/1.1\r\nHost: a\r\n`;
    for (let i = 0; i < 2001; i++) head += `X-H${i}: 1\r\n`;
    head +=
      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nUpgrade: websocket\r\n\r\n";
    const many = await rawExchange(port, head);
    expect(many.data).toMatch(/^HTTP\/1.1 400/);
    await handshake(port);
  });

  it("A1-10 answers a request denied by the allowlist or allowRequest with 403 code 4, before any 101", async () => {
    const { port, engine } = await startEngine({
      cors: { origin: ["https://good.test"] },
      allowRequest: (req, cb) => cb("blocked", req.headers["x-block"] === undefined),
    });
    const origin = { origin: "https://evil.test" };
    const polling = await request(port, eio(), { headers: origin });
    expect(polling.status).toBe(403);
    expect(JSON.parse(polling.body).code).toBe(4);
    const ws = await rawExchange(
      port,
      upgradeHead(eio("", "websocket"), { Origin: "https://evil.test" }),
    );
    expect(ws.data).toMatch(/^HTTP\/1.1 403 Forbidden/);
    expect(body(ws.data)).toMatchObject({ code: 4 });
    const hooked = await request(port, eio(), { headers: { "x-block": "1" } });
    expect(hooked.status).toBe(403);
    expect(JSON.parse(hooked.body)).toEqual({ code: 4, message: "blocked" });
    const hookedWs = await rawExchange(port, upgradeHead(eio("", "websocket"), { "X-Block": "1" }));
    expect(hookedWs.data).toMatch(/^HTTP\/1.1 403 Forbidden/);
    expect(engine.clientsCount).toBe(0);
    await openWs(port, eio("", "websocket"), { headers: { origin: "https://good.test" } });
  });

  it("A1-11 closes 10k sessions that never poll at pingInterval + pingTimeout, back to 0", async () => {
    const reasons = new Map<string, number>();
    const onClose = (message: unknown) => {
      const { reason } = message as { reason: string };
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    };
    subscribe("pushwire:engine:close", onClose);
    onTestFinished(() => void unsubscribe("pushwire:engine:close", onClose));
    const { port, engine } = await startEngine({ pingInterval: 100, pingTimeout: 100 });
    const total = 10_000;
    let started = 0;
    const worker = async () => {
      while (started < total) {
        started++;
        await request(port, eio());
      }
    };
    await Promise.all(Array.from({ length: 50 }, worker));
    expect(engine.clientsCount).toBeGreaterThan(0);
    await until(() => engine.clientsCount === 0, "every session to expire");
    // Every one of them by the heartbeat, nothing else.
    expect([...reasons]).toEqual([["ping timeout", total]]);
  }, 60_000);
});
