import { describe, expect, it } from "vitest";
import { PushwireError } from "../../src/errors.js";
import { resolveOptions } from "../../src/engine/options.js";

describe("resolveOptions", () => {
  it("applies engine.io's defaults", () => {
    const options = resolveOptions();
    expect(options).toMatchObject({
      path: "/engine.io/",
      pingInterval: 25000,
      pingTimeout: 20000,
      upgradeTimeout: 10000,
      maxHttpBufferSize: 1e6,
      maxBufferedBytes: 1024 * 1024,
      polling: true,
      websocket: true,
      allowUpgrades: true,
      cors: null,
      cookie: null,
      perMessageDeflate: false,
      httpCompression: { threshold: 1024 },
    });
  });

  it("normalizes the path with one trailing slash, unless told not to add it", () => {
    expect(resolveOptions({ path: "/socket.io" }).path).toBe("/socket.io/");
    expect(resolveOptions({ path: "socket.io/" }).path).toBe("/socket.io/");
    expect(resolveOptions({ path: "/rt", addTrailingSlash: false }).path).toBe("/rt");
  });

  it("refuses reflecting any origin together with credentials", () => {
    expect(() => resolveOptions({ cors: { origin: true, credentials: true } })).toThrow(
      PushwireError,
    );
    expect(() => resolveOptions({ cors: { origin: [true], credentials: true } })).toThrow(
      /list the allowed origins/,
    );
  });

  it("accepts an explicit allowlist with credentials, normalizing its origins", () => {
    const { cors } = resolveOptions({
      cors: { origin: ["https://App.example.com:443/", /\.example\.org$/], credentials: true },
    });
    expect([...cors!.exact]).toEqual(["https://app.example.com"]);
    expect(cors!.patterns).toHaveLength(1);
    expect(cors!.credentials).toBe(true);
  });

  it("takes a bare origin string as the cors option", () => {
    expect(resolveOptions({ cors: "*" }).cors!.any).toBe("*");
    expect(resolveOptions({ cors: {} }).cors!.any).toBe("*");
  });

  it("builds the default cookie as HttpOnly, SameSite=Lax, Path=/", () => {
    expect(resolveOptions({ cookie: true }).cookie).toEqual({
      name: "io",
      attributes: "; Path=/; HttpOnly; SameSite=Lax",
      secure: undefined,
    });
  });

  it("refuses cookie names and paths with characters a cookie cannot carry", () => {
    expect(() => resolveOptions({ cookie: { name: "a b" } })).toThrow(PushwireError);
    expect(() => resolveOptions({ cookie: { name: "a;b" } })).toThrow(PushwireError);
    expect(() => resolveOptions({ cookie: { path: "/;Domain=evil" } })).toThrow(PushwireError);
    expect(() => resolveOptions({ cookie: { domain: "evil.com; Secure" } })).toThrow(PushwireError);
  });

  it("refuses unknown transports and non-positive limits", () => {
    expect(() => resolveOptions({ transports: ["webtransport" as "polling"] })).toThrow(
      /unknown transport/,
    );
    expect(() => resolveOptions({ transports: [] })).toThrow(PushwireError);
    expect(() => resolveOptions({ pingInterval: 0 })).toThrow(/pingInterval/);
    expect(() => resolveOptions({ maxHttpBufferSize: -1 })).toThrow(/maxHttpBufferSize/);
  });

  it("turns httpCompression and perMessageDeflate on with a 1024-byte threshold", () => {
    expect(resolveOptions({ httpCompression: false }).httpCompression).toBeNull();
    expect(resolveOptions({ httpCompression: { threshold: 10 } }).httpCompression).toEqual({
      threshold: 10,
    });
    expect(resolveOptions({ perMessageDeflate: true }).perMessageDeflate).toEqual({
      threshold: 1024,
    });
  });
});
