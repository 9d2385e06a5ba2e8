/**
 * Builds the browser bundles of pushwire/client into dist/client-bundle/, the files the
 * server serves at /socket.io/ (the same names as socket.io-client's dist/):
 *
 * - socket.io.esm.min.js   ES module, minified
 * - socket.io.js           classic script defining the global `io`, readable
 * - socket.io.min.js       the same, minified
 *
 * each with its source map, and prints the min+gzip size next to socket.io-client's.
 *
 *   npm run build:client
 */
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build, type BuildOptions } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const CLIENT_BUNDLE_DIR = join(root, "dist", "client-bundle");
const entry = join(root, "src", "client", "index.ts");

/** Browsers with native class private fields; older ones would pay for WeakMap helpers. */
const TARGET = ["chrome91", "edge91", "firefox90", "safari15"];

function common(): BuildOptions {
  return {
    entryPoints: [entry],
    bundle: true,
    platform: "browser",
    target: TARGET,
    sourcemap: true,
    sourcesContent: true,
    // Only Node loads `ws` (a dynamic import the browser never reaches).
    external: ["ws"],
    legalComments: "none",
    logLevel: "warning",
  };
}

/** Sizes in bytes of one file, raw and gzipped (level 9, as socket.io measures). */
export interface BundleSize {
  raw: number;
  gzip: number;
}

export function sizeOf(code: Buffer | string): BundleSize {
  const bytes = typeof code === "string" ? Buffer.from(code) : code;
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

/** Builds the three bundles (and maps) into `outdir`. */
export async function buildClientBundle(outdir: string = CLIENT_BUNDLE_DIR): Promise<void> {
  // The classic script: `var io = (() => {...})()` holds the module; the footer makes
  // the global the callable `io` itself, with `io.connect`, `io.Manager`, ...
  const classic: BuildOptions = {
    ...common(),
    format: "iife",
    globalName: "io",
    footer: { js: "io=io.default;" },
  };
  await Promise.all([
    build({
      ...common(),
      format: "esm",
      minify: true,
      outfile: join(outdir, "socket.io.esm.min.js"),
    }),
    build({ ...classic, outfile: join(outdir, "socket.io.js") }),
    build({ ...classic, minify: true, outfile: join(outdir, "socket.io.min.js") }),
  ]);
}

async function main(): Promise<void> {
  await buildClientBundle();
  const ours = sizeOf(await readFile(join(CLIENT_BUNDLE_DIR, "socket.io.min.js")));
  const esm = sizeOf(await readFile(join(CLIENT_BUNDLE_DIR, "socket.io.esm.min.js")));
  const theirs = sizeOf(
    await readFile(join(root, "node_modules", "socket.io-client", "dist", "socket.io.min.js")),
  );
  const line = (name: string, s: BundleSize) =>
    `${name.padEnd(40)} ${String(s.raw).padStart(7)} B min  ${String(s.gzip).padStart(6)} B min+gzip`;
  const report = [
    line("pushwire socket.io.min.js", ours),
    line("pushwire socket.io.esm.min.js", esm),
    line("socket.io-client 4.8 socket.io.min.js", theirs),
    `ratio (min+gzip): ${(ours.gzip / theirs.gzip).toFixed(3)}`,
  ].join("\n");
  console.log(report);
  await writeFile(join(CLIENT_BUNDLE_DIR, "SIZES.txt"), report + "\n");
  if (ours.gzip > theirs.gzip) {
    console.error("the bundle is larger than socket.io-client's");
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
