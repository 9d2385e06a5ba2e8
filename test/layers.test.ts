// The layering of ../DESIGN: who may import whom, no cycles, pure codecs.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "src");

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith(".ts") ? [path] : [];
  });
}

const files = walk(src).map((path) => relative(src, path));

/** The relative imports (static, dynamic and type-only) of one source file. */
function importsOf(file: string): { local: string[]; bare: string[] } {
  const text = readFileSync(join(src, file), "utf8");
  const specifiers = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^"'`;]*?from\s*["']([^"']+)["']/g),
    ...text.matchAll(/(?:^|\n)\s*import\s*["']([^"']+)["']/g),
    ...text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
  ].map((m) => m[1]!);
  const local: string[] = [];
  const bare: string[] = [];
  for (const spec of specifiers) {
    if (spec.startsWith(".")) {
      local.push(relative(src, resolve(dirname(join(src, file)), spec)).replace(/\.js$/, ".ts"));
    } else bare.push(spec);
  }
  return { local, bare };
}

/** The layer of a file: its top folder under src/, or the file itself at the top. */
function layer(file: string): string {
  if (file.startsWith("adapter/redis/")) return "redis";
  const slash = file.indexOf("/");
  return slash === -1 ? file : file.slice(0, slash);
}

/** A file that must stay pure and isomorphic: no Node built-ins, no packages. */
function isPure(file: string): boolean {
  return (
    file.startsWith("protocol/") || /^engine\/codec[^/]*\.ts$/.test(file) || file === "errors.ts"
  );
}

const allowed: Record<string, (target: string) => boolean> = {
  "errors.ts": () => false,
  engine: (t) => t === "engine" || t === "errors.ts",
  protocol: (t) => t === "protocol" || t === "errors.ts",
  adapter: (t) => ["adapter", "protocol", "errors.ts"].includes(t),
  redis: (t) => ["redis", "adapter", "protocol", "errors.ts"].includes(t),
  server: (t) => ["server", "engine", "protocol", "adapter", "errors.ts"].includes(t),
  client: (t) => ["client", "protocol", "errors.ts"].includes(t),
  testing: (t) =>
    ["testing", "client", "server", "engine", "protocol", "adapter", "errors.ts"].includes(t),
  app: (t) => !["client"].includes(t),
};

describe("source layout", () => {
  it("imports only what each layer may import", () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = layer(file);
      const rule = allowed[from] ?? (() => true); // index.ts and other top files: anything
      for (const target of importsOf(file).local) {
        const to = layer(target);
        // The client shares the engine's pure codec and nothing else of the engine.
        const sharedCodec = from === "client" && /^engine\/codec[^/]*\.ts$/.test(target);
        if (!rule(to) && !sharedCodec) violations.push(`${file} -> ${target}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it("keeps codecs pure: no Node built-ins or packages", () => {
    const impure = files
      .filter(isPure)
      .flatMap((file) => importsOf(file).bare.map((spec) => `${file} -> ${spec}`));
    expect(impure).toEqual([]);
  });

  it("has no circular imports", () => {
    const graph = new Map(
      files.map((f) => [f, importsOf(f).local.filter((t) => files.includes(t))]),
    );
    const state = new Map<string, 1 | 2>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 2) return;
      if (state.get(file) === 1) {
        cycles.push([...path.slice(path.indexOf(file)), file].join(" -> "));
        return;
      }
      state.set(file, 1);
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 2);
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it("keeps every source file under 700 lines", () => {
    const long = files.filter((f) => readFileSync(join(src, f), "utf8").split("\n").length > 700);
    expect(long).toEqual([]);
  });
});
