/**
 * Serves the browser bundle of pushwire/client at `<path>/socket.io.js` (and
 * `.min.js`, `.esm.min.js`, their `.map`), as socket.io's `serveClient` does, so that
 * a page with `<script src="/socket.io/socket.io.js">` works unchanged.
 *
 * The files come from `dist/client-bundle/` (`npm run build:client`), read once and
 * kept in memory with their gzip form and a content ETag; a rebuilt file is noticed by
 * its modification time. Responses carry `Cache-Control: public, max-age=0` and an
 * ETag, so browsers revalidate and get a 304 while the bundle is unchanged.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { PushwireError } from "../errors.js";

/** The files served, as socket.io-client names them. */
const CLIENT_FILES = new Set([
  "socket.io.js",
  "socket.io.js.map",
  "socket.io.min.js",
  "socket.io.min.js.map",
  "socket.io.esm.min.js",
  "socket.io.esm.min.js.map",
]);

/**
 * Where the bundle is: `dist/client-bundle/` of the package, seen from the sources
 * (`src/server/`, run by tsx or vitest) or from the build (`dist/server/`). Each ends
 * with a slash.
 *
 * @internal Exported for tests.
 */
export const CANDIDATES = [
  fileURLToPath(new URL("../../dist/client-bundle/", import.meta.url)),
  fileURLToPath(new URL("../client-bundle/", import.meta.url)),
];

interface CachedFile {
  mtimeMs: number;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

const cache = new Map<string, CachedFile>();

/** The bundle's directory, or `undefined` when it has not been built. */
function bundleDir(): string | undefined {
  return CANDIDATES.find((dir) => existsSync(dir + "socket.io.js"));
}

/**
 * Throws when the client bundle has not been built. A server with `serveClient` on
 * calls it at start-up, so that the problem shows before the first page load.
 *
 * @throws PushwireError `PW_ERR_SERVER_CLIENT_BUNDLE_MISSING`, saying what to run.
 * @example
 * ```ts
 * if (options.serveClient) checkClientBundle();
 * ```
 */
export function checkClientBundle(): void {
  if (bundleDir() === undefined) {
    throw new PushwireError(
      "PW_ERR_SERVER_CLIENT_BUNDLE_MISSING",
      `the client bundle is missing (looked in ${CANDIDATES.join(" and ")}): run \`npm run build:client\``,
    );
  }
}

async function load(dir: string, name: string): Promise<CachedFile> {
  const file = dir + name;
  const { mtimeMs } = await stat(file);
  const cached = cache.get(file);
  if (cached !== undefined && cached.mtimeMs === mtimeMs) return cached;
  const body = await readFile(file);
  const hash = createHash("sha256").update(body).digest("base64url").slice(0, 27);
  // RFC 9110, section 8.8.3: an entity tag is quoted.
  const entry = { mtimeMs, body, gzip: gzipSync(body, { level: 9 }), etag: `"${hash}"` };
  cache.set(file, entry);
  return entry;
}

/** Whether `If-None-Match` matches the tag (weak comparison, RFC 9110 section 13.1.2). */
function matches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) => {
    const t = tag.trim();
    return t === etag || t === "W/" + etag;
  });
}

/** Whether `Accept-Encoding` allows gzip (a `q=0` refuses it). */
function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  for (const part of header.split(",")) {
    const params = part.split(";");
    if (params[0]!.trim().toLowerCase() !== "gzip") continue;
    const q = params.find((p) => p.trim().startsWith("q="));
    return q === undefined || Number(q.trim().slice(2)) > 0;
  }
  return false;
}

/**
 * Answers a request for a client bundle file under `path` (the server's `path` option,
 * `/socket.io` by default). Returns `false`, touching nothing, when the request is for
 * something else; `true` when it has answered (or will, once the file is read).
 *
 * @example
 * ```ts
 * httpServer.on("request", (req, res) => {
 *   if (options.serveClient && serveClientFile(req, res, options.path)) return;
 *   engine.handleRequest(req, res);
 * });
 * ```
 */
export function serveClientFile(
  req: IncomingMessage,
  res: ServerResponse,
  path = "/socket.io",
): boolean {
  const url = req.url;
  if (url === undefined || (req.method !== "GET" && req.method !== "HEAD")) return false;
  const prefix = path.replace(/\/$/, "") + "/";
  if (!url.startsWith(prefix)) return false;
  const query = url.indexOf("?");
  const name = url.slice(prefix.length, query === -1 ? undefined : query);
  if (!CLIENT_FILES.has(name)) return false;

  const dir = bundleDir();
  if (dir === undefined) {
    const err = new PushwireError("PW_ERR_SERVER_CLIENT_BUNDLE_MISSING");
    res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
    res.end(`${err.code}: ${err.message}\n`);
    return true;
  }
  load(dir, name).then(
    (file) => {
      res.setHeader("Cache-Control", "public, max-age=0");
      res.setHeader("ETag", file.etag);
      res.setHeader("Vary", "Accept-Encoding");
      if (matches(req.headers["if-none-match"], file.etag)) {
        res.writeHead(304);
        res.end();
        return;
      }
      const gzip = acceptsGzip(req.headers["accept-encoding"]);
      const body = gzip ? file.gzip : file.body;
      const type = name.endsWith(".map") ? "application/json" : "application/javascript";
      res.setHeader("Content-Type", type + "; charset=utf-8");
      res.setHeader("Content-Length", body.length);
      if (gzip) res.setHeader("Content-Encoding", "gzip");
      res.writeHead(200);
      res.end(req.method === "HEAD" ? undefined : body);
    },
    (err: unknown) => {
      // Removed between the check and the read (a rebuild in progress).
      if (res.headersSent) return;
      res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
      res.end(`PW_ERR_SERVER_CLIENT_BUNDLE_MISSING: ${(err as Error).message}\n`);
    },
  );
  return true;
}
