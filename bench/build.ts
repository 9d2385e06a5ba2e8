/**
 * Bundles each TypeScript entry of the benchmark with esbuild (platform node, packages
 * left external) into a git-ignored folder, so that children run on plain `node` and no
 * TypeScript loader inflates their memory or start-up.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

/** Where bundles go (inside .bench-results/, which git ignores). */
export const BUILD_DIR = ".bench-results/build";

/** A bundle, or why there is none. */
export type Built = { ok: true; file: string } | { ok: false; reason: string };

/** Explains an esbuild failure for an entry that imports pushwire's `src/index.ts`. */
export function explainBuildFailure(message: string): string {
  if (/Could not resolve "\.\.\/\.\.\/src\/index\.js"/.test(message))
    return "src/index.ts does not exist";
  const missing = /No matching export in "src\/index\.ts" for import "(\w+)"/.exec(message);
  if (missing) return `src/index.ts does not export ${missing[1]}`;
  return message.split("\n")[0] ?? message;
}

/** Bundles `entry` (relative to the repository root) to `BUILD_DIR/<name>.mjs`. */
export async function bundle(root: string, entry: string, name: string): Promise<Built> {
  const outfile = join(root, BUILD_DIR, `${name}.mjs`);
  try {
    await build({
      absWorkingDir: root,
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      packages: "external",
      sourcemap: "linked",
      logLevel: "silent",
    });
    return { ok: true, file: outfile };
  } catch (err) {
    const errors = (err as { errors?: { text: string }[] }).errors;
    const text = errors?.[0]?.text ?? (err as Error).message;
    if (entry.endsWith("pushwire.ts") && !existsSync(join(root, "src/index.ts"))) {
      return { ok: false, reason: "src/index.ts does not exist" };
    }
    return { ok: false, reason: explainBuildFailure(text) };
  }
}
