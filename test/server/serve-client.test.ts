// serveClientFile: the browser bundle at <path>/socket.io.js and friends, with ETag,
// 304 and gzip, leaving every other request alone.
import { readFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANDIDATES, checkClientBundle, serveClientFile } from "../../src/server/serve-client.js";

let server: Server;
let port: number;

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(path: string, headers: Record<string, string> = {}, method = "GET"): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

const bundle = (name: string) =>
  readFileSync(new URL(`../../dist/client-bundle/${name}`, import.meta.url));

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.headers["x-path"] as string | undefined;
    if (serveClientFile(req, res, path)) return;
    res.writeHead(418);
    res.end("not mine");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("serveClientFile", () => {
  it("serves /socket.io/socket.io.js as JavaScript with an ETag and revalidation caching", async () => {
    const res = await get("/socket.io/socket.io.js");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/javascript; charset=utf-8");
    expect(res.headers["cache-control"]).toBe("public, max-age=0");
    expect(res.headers.etag).toMatch(/^"[\w-]+"$/);
    expect(res.body.equals(bundle("socket.io.js"))).toBe(true);
  });

  it("serves the minified, ESM and source map files, maps as JSON", async () => {
    for (const name of ["socket.io.min.js", "socket.io.esm.min.js"]) {
      const res = await get(`/socket.io/${name}?v=1`);
      expect(res.status).toBe(200);
      expect(res.body.equals(bundle(name))).toBe(true);
    }
    const map = await get("/socket.io/socket.io.min.js.map");
    expect(map.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(JSON.parse(map.body.toString()).version).toBe(3);
  });

  it("answers 304 to If-None-Match with the ETag, strong or weak, or in a list", async () => {
    const { headers } = await get("/socket.io/socket.io.min.js");
    const etag = headers.etag as string;
    for (const value of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
      const res = await get("/socket.io/socket.io.min.js", { "if-none-match": value });
      expect(res.status).toBe(304);
      expect(res.body.length).toBe(0);
    }
    expect((await get("/socket.io/socket.io.min.js", { "if-none-match": '"stale"' })).status).toBe(
      200,
    );
  });

  it("gzips when the client accepts it, and not when q=0", async () => {
    const res = await get("/socket.io/socket.io.js", { "accept-encoding": "br, gzip;q=0.8" });
    expect(res.headers["content-encoding"]).toBe("gzip");
    expect(res.headers.vary).toBe("Accept-Encoding");
    expect(gunzipSync(res.body).equals(bundle("socket.io.js"))).toBe(true);
    const refused = await get("/socket.io/socket.io.js", { "accept-encoding": "gzip;q=0" });
    expect(refused.headers["content-encoding"]).toBeUndefined();
  });

  it("answers HEAD with the headers and no body", async () => {
    const res = await get("/socket.io/socket.io.js", {}, "HEAD");
    expect(res.status).toBe(200);
    expect(Number(res.headers["content-length"])).toBe(bundle("socket.io.js").length);
    expect(res.body.length).toBe(0);
  });

  it("follows the server's path option", async () => {
    expect((await get("/rt/socket.io.js", { "x-path": "/rt" })).status).toBe(200);
    expect((await get("/socket.io/socket.io.js", { "x-path": "/rt" })).status).toBe(418);
  });

  it("leaves Engine.IO requests, other files and other methods to the next handler", async () => {
    for (const path of [
      "/socket.io/?EIO=4&transport=polling",
      "/socket.io/other.js",
      "/socket.io.js",
      "/socket.io/socket.io.js/x",
    ]) {
      expect((await get(path)).status).toBe(418);
    }
    expect((await get("/socket.io/socket.io.js", {}, "POST")).status).toBe(418);
  });

  it("answers 500 saying to run npm run build:client when the bundle is missing", async () => {
    const saved = CANDIDATES.splice(0, CANDIDATES.length, "/nonexistent/");
    try {
      const res = await get("/socket.io/socket.io.js");
      expect(res.status).toBe(500);
      expect(res.body.toString()).toContain("PW_ERR_SERVER_CLIENT_BUNDLE_MISSING");
      expect(res.body.toString()).toContain("npm run build:client");
      expect(() => checkClientBundle()).toThrow(/npm run build:client/);
    } finally {
      CANDIDATES.splice(0, CANDIDATES.length, ...saved);
    }
    expect(() => checkClientBundle()).not.toThrow();
  });
});
