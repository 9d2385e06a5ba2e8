// The published package: compiled declarations stand on their own (no skipLibCheck) and
// every subpath export resolves from another folder through package.json "exports".
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "../..");
const tsc = join(root, "node_modules/.bin/tsc");
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "pushwire-package-"));
  const pkg = join(work, "pkg");
  mkdirSync(pkg);
  cpSync(join(root, "package.json"), join(pkg, "package.json"));
  symlinkSync(join(root, "node_modules"), join(pkg, "node_modules"));
  await run(tsc, ["-p", join(root, "tsconfig.build.json"), "--outDir", join(pkg, "dist")]);

  const consumer = join(work, "consumer");
  mkdirSync(join(consumer, "node_modules/@types"), { recursive: true });
  symlinkSync(pkg, join(consumer, "node_modules/pushwire"));
  symlinkSync(join(root, "node_modules/@types/node"), join(consumer, "node_modules/@types/node"));
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ type: "module" }));
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the built package", () => {
  it("type-checks a consumer of every entry point without skipLibCheck", async () => {
    const consumer = join(work, "consumer");
    writeFileSync(
      join(consumer, "index.ts"),
      `import { Server, SocketIO, emit, PushwireError, type Socket } from "pushwire";
import { io, Manager } from "pushwire/client";
import { createRedisAdapter, Emitter } from "pushwire/redis";
import { SocketIOTestClient } from "pushwire/testing";

interface ServerToClient { news(item: { id: number }): void }
const server = new Server<Record<string, never>, ServerToClient>();
server.on("connection", (socket: Socket<Record<string, never>, ServerToClient>) => {
  socket.emit("news", { id: 1 });
});
const face = new SocketIO();
face.on("message", (data: unknown) => emit("echo", data));
export const all = [io, Manager, createRedisAdapter, Emitter, SocketIOTestClient, PushwireError];
`,
    );
    writeFileSync(
      join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          noEmit: true,
          skipLibCheck: false,
          types: ["node"],
        },
        files: ["index.ts"],
      }),
    );
    const result = await run(tsc, ["-p", consumer]).then(
      () => "",
      (err: { stdout: string }) => err.stdout,
    );
    expect(result).toBe("");
  }, 60_000);

  it("resolves every subpath export at run time from another folder", async () => {
    const consumer = join(work, "consumer");
    writeFileSync(
      join(consumer, "check.mjs"),
      `const names = [];
for (const [entry, name] of [["pushwire", "Server"], ["pushwire", "SocketIO"], ["pushwire/client", "io"], ["pushwire/redis", "createRedisAdapter"], ["pushwire/testing", "SocketIOTestClient"]]) {
  const mod = await import(entry);
  names.push(entry + ":" + typeof mod[name]);
}
console.log(names.join(" "));
`,
    );
    const { stdout } = await run(process.execPath, ["check.mjs"], { cwd: consumer });
    expect(stdout.trim()).toBe(
      "pushwire:function pushwire:function pushwire/client:function pushwire/redis:function pushwire/testing:function",
    );
  }, 60_000);
});
