import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { resolveOptions } from "../../src/engine/options.js";
import type { OriginVerdict } from "../../src/engine/origin.js";
import { checkOrigin, isSameOrigin } from "../../src/engine/origin.js";

function req(headers: Record<string, string>, encrypted = false): IncomingMessage {
  return { headers, socket: { encrypted } } as unknown as IncomingMessage;
}

function verdict(
  headers: Record<string, string>,
  cors?: Parameters<typeof resolveOptions>[0] extends infer O
    ? O extends { cors?: infer C }
      ? C
      : never
    : never,
  trustProxy = false,
): OriginVerdict {
  let result: OriginVerdict | undefined;
  checkOrigin(req(headers), resolveOptions({ cors }).cors, trustProxy, (v) => (result = v));
  if (!result) throw new Error("no synchronous verdict");
  return result;
}

describe("isSameOrigin", () => {
  it("compares scheme, host and port, ignoring case and default ports", () => {
    expect(isSameOrigin("http://example.com", req({ host: "EXAMPLE.com:80" }), false)).toBe(true);
    expect(isSameOrigin("https://example.com", req({ host: "example.com" }, true), false)).toBe(
      true,
    );
    expect(isSameOrigin("https://example.com", req({ host: "example.com" }), false)).toBe(false);
    expect(isSameOrigin("http://example.com:8080", req({ host: "example.com" }), false)).toBe(
      false,
    );
  });

  it("honours X-Forwarded-Proto and X-Forwarded-Host only behind a trusted proxy", () => {
    const headers = {
      host: "10.0.0.5:3000",
      "x-forwarded-proto": "https",
      "x-forwarded-host": "app.example.com",
    };
    expect(isSameOrigin("https://app.example.com", req(headers), true)).toBe(true);
    expect(isSameOrigin("https://app.example.com", req(headers), false)).toBe(false);
  });
});

describe("checkOrigin", () => {
  it("allows requests without an Origin header (non-browser clients)", () => {
    expect(verdict({ host: "a.test" })).toEqual({ ok: true, cors: null });
  });

  it("allows same-origin requests without the cors option", () => {
    expect(verdict({ host: "a.test", origin: "http://a.test" })).toEqual({ ok: true, cors: null });
  });

  it("refuses cross-origin requests without the cors option", () => {
    expect(verdict({ host: "a.test", origin: "http://evil.test" })).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(verdict({ host: "a.test", origin: "null" })).toMatchObject({ ok: false, status: 403 });
  });

  it("refuses an Origin header with control characters as a bad request", () => {
    expect(verdict({ host: "a.test", origin: "http://a.test\u0001" })).toMatchObject({
      ok: false,
      status: 400,
    });
  });

  it("answers * for cors origin *, without credentials", () => {
    const result = verdict(
      { host: "a.test", origin: "http://evil.test" },
      { origin: "*", credentials: true },
    );
    expect(result).toEqual({ ok: true, cors: { "Access-Control-Allow-Origin": "*" } });
  });

  it("reflects an allowlisted origin with Vary and credentials", () => {
    const cors = { origin: ["https://app.example.com"], credentials: true };
    expect(verdict({ host: "a.test", origin: "https://app.example.com" }, cors)).toEqual({
      ok: true,
      cors: {
        "Access-Control-Allow-Origin": "https://app.example.com",
        Vary: "Origin",
        "Access-Control-Allow-Credentials": "true",
      },
    });
  });

  it("matches allowlisted origins exactly, not by prefix or suffix", () => {
    const cors = { origin: "https://example.com" };
    for (const origin of [
      "https://example.com.evil.net",
      "https://evilexample.com",
      "http://example.com",
      "https://example.com:8443",
    ]) {
      expect(verdict({ host: "a.test", origin }, cors), origin).toMatchObject({
        ok: false,
        status: 403,
      });
    }
    expect(verdict({ host: "a.test", origin: "https://EXAMPLE.com:443" }, cors)).toMatchObject({
      ok: true,
    });
  });

  it("tests patterns against the origin, resetting global regexps", () => {
    const cors = { origin: /^https:\/\/[a-z]+\.example\.com$/g };
    expect(verdict({ host: "a.test", origin: "https://app.example.com" }, cors)).toMatchObject({
      ok: true,
    });
    expect(verdict({ host: "a.test", origin: "https://app.example.com" }, cors)).toMatchObject({
      ok: true,
    });
    expect(verdict({ host: "a.test", origin: "https://app.example.com.evil" }, cors)).toMatchObject(
      { ok: false },
    );
  });

  it("asks an origin function and applies what it answers", async () => {
    const { cors } = resolveOptions({
      cors: { origin: (origin, cb) => setImmediate(() => cb(null, origin === "https://ok.test")) },
    });
    const ask = (origin: string) =>
      new Promise<OriginVerdict>((resolve) =>
        checkOrigin(req({ host: "a.test", origin }), cors, false, resolve),
      );
    expect(await ask("https://ok.test")).toMatchObject({
      ok: true,
      cors: { "Access-Control-Allow-Origin": "https://ok.test" },
    });
    expect(await ask("https://no.test")).toMatchObject({ ok: false, status: 403 });
  });

  it("refuses when the origin function fails or throws", async () => {
    const ask = (fn: (o: string | undefined, cb: (e: Error | null, v?: boolean) => void) => void) =>
      new Promise<OriginVerdict>((resolve) =>
        checkOrigin(
          req({ host: "a.test", origin: "https://x.test" }),
          resolveOptions({ cors: { origin: fn } }).cors,
          false,
          resolve,
        ),
      );
    expect(await ask((_o, cb) => cb(new Error("down")))).toMatchObject({ ok: false });
    expect(
      await ask(() => {
        throw new Error("bug");
      }),
    ).toMatchObject({ ok: false });
  });
});
