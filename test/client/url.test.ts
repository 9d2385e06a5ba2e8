import { describe, expect, it } from "vitest";
import { url } from "../../src/client/url.js";

const page = { protocol: "https:", host: "app.example:8443", port: "8443" };

describe("client url", () => {
  it("takes the namespace from the path of a ws:// URL, as the seed's page writes it", () => {
    const u = url("ws://127.0.0.1:5000/test_conn", "/socket.io");
    expect(u).toMatchObject({
      protocol: "ws",
      host: "127.0.0.1",
      port: "5000",
      path: "/test_conn",
    });
    expect(u.id).toBe("ws://127.0.0.1:5000/socket.io");
  });

  it("fills the scheme's default port, so that host and host:80 share a manager", () => {
    expect(url("http://example.com").port).toBe("80");
    expect(url("wss://example.com").port).toBe("443");
    expect(url("http://example.com/a").id).toBe(url("http://example.com:80/b").id);
  });

  it("gives '/' as the namespace of a URL without path", () => {
    expect(url("https://example.com").path).toBe("/");
  });

  it("keeps the query string", () => {
    expect(url("http://h/nsp?x=1&y=2").query).toBe("x=1&y=2");
  });

  it("resolves a path against the page's host, and a protocol-relative URL against its scheme", () => {
    expect(url("/chat", "", page)).toMatchObject({
      protocol: "https",
      host: "app.example",
      port: "8443",
      path: "/chat",
    });
    expect(url("//other.example/x", "", page)).toMatchObject({
      protocol: "https",
      host: "other.example",
      path: "/x",
    });
  });

  it("defaults to the page itself when no URL is given", () => {
    expect(url(undefined, "", page)).toMatchObject({ host: "app.example", path: "/" });
  });

  it("adds the page's scheme to a scheme-less URL, else https", () => {
    expect(url("localhost:3000/a", "", { protocol: "http:", host: "x", port: "" }).protocol).toBe(
      "http",
    );
    expect(url("localhost:3000/a", "", undefined)).toMatchObject({
      protocol: "https",
      port: "3000",
      path: "/a",
    });
  });

  it("strips IPv6 brackets from the host and puts them back in the id", () => {
    const u = url("http://[::1]:3000/x", "/socket.io");
    expect(u.host).toBe("::1");
    expect(u.id).toBe("http://[::1]:3000/socket.io");
  });

  it("leaves the port out of href when it is the page's own", () => {
    expect(url("/x", "", page).href).toBe("https://app.example");
    expect(url("http://h:81/").href).toBe("http://h:81");
  });

  it("throws PW_ERR_CLIENT_INVALID_URL without a URL outside a page, and for an unparseable one", () => {
    expect(() => url(undefined, "", undefined)).toThrow(
      expect.objectContaining({ code: "PW_ERR_CLIENT_INVALID_URL" }),
    );
    expect(() => url("/relative", "", undefined)).toThrow(
      expect.objectContaining({ code: "PW_ERR_CLIENT_INVALID_URL" }),
    );
    expect(() => url("http://exa mple.com")).toThrow(
      expect.objectContaining({ code: "PW_ERR_CLIENT_INVALID_URL" }),
    );
  });
});
