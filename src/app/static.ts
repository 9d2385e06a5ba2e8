/**
 * Serves the files of one folder (`run({ staticDir })`): `GET`/`HEAD` only, `index.html`
 * for a folder, never a path outside the folder, `ETag`/`If-None-Match` revalidation.
 *
 * @module
 * @internal
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, resolve, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".htm": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".wasm": "application/wasm",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
};

/** The file under `root` a URL path names, or null when it names none (or escapes `root`). */
function fileOf(root: string, url: string): string | null {
  const query = url.indexOf("?");
  let path: string;
  try {
    path = decodeURIComponent(query === -1 ? url : url.slice(0, query));
  } catch {
    return null;
  }
  if (path.includes("\0") || path[0] !== "/") return null;
  const file = resolve(root, "." + path);
  return file === root || file.startsWith(root + sep) ? file : null;
}

/**
 * A function answering requests for the files of `dir`; it resolves to false, having
 * touched nothing, when the request is for something else.
 *
 * @internal
 */
export function staticFiles(
  dir: string,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const root = resolve(dir);
  return async (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    let file = fileOf(root, req.url ?? "/");
    if (file === null) return false;
    let info = await stat(file).catch(() => null);
    if (info?.isDirectory() === true) {
      file = join(file, "index.html");
      info = await stat(file).catch(() => null);
    }
    if (info === null || !info.isFile()) return false;
    const etag = `"${info.size.toString(36)}-${Math.floor(info.mtimeMs).toString(36)}"`;
    res.setHeader("ETag", etag);
    res.setHeader("Cache-Control", "no-cache");
    if (req.headers["if-none-match"] === etag) {
      res.writeHead(304);
      res.end();
      return true;
    }
    res.writeHead(200, {
      "Content-Type": TYPES[extname(file).toLowerCase()] ?? "application/octet-stream",
      "Content-Length": info.size,
    });
    if (req.method === "HEAD") {
      res.end();
      return true;
    }
    const stream = createReadStream(file);
    stream.on("error", () => res.destroy());
    stream.pipe(res);
    return true;
  };
}
