// Vitest global setup: builds the browser bundle of pushwire/client when it is missing
// or older than its sources, so that tests (serveClient, the browser test) run from a
// fresh checkout with no prior `npm run build:client`.
import { mkdir, mkdtemp, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { buildClientBundle, CLIENT_BUNDLE_DIR } from "../../scripts/build-client.js";

const root = join(CLIENT_BUNDLE_DIR, "..", "..");
const SOURCES = [
  "src/client",
  "src/protocol",
  "src/engine/codec.ts",
  "src/engine/codec-base64.ts",
  "src/errors.ts",
  "scripts/build-client.ts",
];
const OUTPUTS = ["socket.io.js", "socket.io.min.js", "socket.io.esm.min.js"];

async function newest(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.mtimeMs;
  const names = await readdir(path);
  const times = await Promise.all(names.map((name) => newest(join(path, name))));
  return Math.max(info.mtimeMs, ...times);
}

async function oldestOutput(): Promise<number> {
  try {
    const times = await Promise.all(
      OUTPUTS.map(async (name) => (await stat(join(CLIENT_BUNDLE_DIR, name))).mtimeMs),
    );
    return Math.min(...times);
  } catch {
    return -Infinity;
  }
}

export default async function setup(): Promise<void> {
  const sources = Math.max(...(await Promise.all(SOURCES.map((p) => newest(join(root, p))))));
  if ((await oldestOutput()) >= sources) return;
  // Built aside, then renamed into place file by file: another test run reading the
  // bundle meanwhile sees whole files only.
  await mkdir(CLIENT_BUNDLE_DIR, { recursive: true });
  const tmp = await mkdtemp(join(root, "dist", ".client-bundle-"));
  try {
    await buildClientBundle(tmp);
    for (const name of await readdir(tmp))
      await rename(join(tmp, name), join(CLIENT_BUNDLE_DIR, name));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
