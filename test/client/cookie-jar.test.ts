import { afterEach, describe, expect, it, vi } from "vitest";
import { CookieJar } from "../../src/client/cookie-jar.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("cookie jar", () => {
  it("sends back the cookies the server set, name=value, joined by '; '", () => {
    const jar = new CookieJar();
    jar.parse(["io=abc; Path=/; HttpOnly; SameSite=Lax", 'lb="node-2"']);
    expect(jar.header()).toBe("io=abc; lb=node-2");
  });

  it("replaces a cookie set again", () => {
    const jar = new CookieJar();
    jar.parse(["a=1"]);
    jar.parse(["a=2"]);
    expect(jar.header()).toBe("a=2");
  });

  it("forgets cookies at Max-Age or Expires, and at once for Max-Age=0 or a bad date", () => {
    vi.useFakeTimers();
    const jar = new CookieJar();
    jar.parse([
      "short=1; Max-Age=10",
      "gone=1; Max-Age=0",
      "bad=1; Expires=never",
      "later=1; expires=Fri, 31 Dec 9999 23:59:59 GMT",
    ]);
    expect(jar.header()).toBe("short=1; later=1");
    vi.advanceTimersByTime(10_000);
    expect(jar.header()).toBe("later=1");
  });

  it("ignores lines without a name", () => {
    const jar = new CookieJar();
    jar.parse(["=x", "novalue"]);
    expect(jar.header()).toBe("");
  });
});
