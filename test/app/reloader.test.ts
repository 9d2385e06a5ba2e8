// run({ debug: true }): the process becomes a supervisor that runs the program as a
// child and restarts it when a file of the program's folder changes.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { later } from "./helpers.js";

const root = fileURLToPath(new URL("../../", import.meta.url));

describe("the reloader of run({ debug: true })", () => {
  it("restarts the program when one of its files changes, and stops with it on SIGTERM", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pushwire-reload-"));
    later(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      join(dir, "app.mts"),
      [
        `import { SocketIO } from ${JSON.stringify(join(root, "src/index.js"))};`,
        `const socketio = new SocketIO({ serveClient: false });`,
        `await socketio.run((_req, res) => res.end(String(process.pid)), { port: 0, debug: true });`,
      ].join("\n"),
    );
    const supervisor = spawn(process.execPath, ["--import", "tsx", join(dir, "app.mts")], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const pids: number[] = [];
    later(() => {
      supervisor.kill("SIGKILL");
      for (const pid of pids) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    });
    let out = "";
    const listening: ((url: string) => void)[] = [];
    const urls: string[] = [];
    const onOutput = (chunk: Buffer): void => {
      out += chunk.toString();
      for (const match of out.matchAll(/listening on (http:\/\/127\.0\.0\.1:\d+)/g)) {
        if (!urls.includes(match[1]!)) {
          urls.push(match[1]!);
          listening.shift()?.(match[1]!);
        }
      }
    };
    supervisor.stdout.on("data", onOutput);
    supervisor.stderr.on("data", onOutput);
    const exitedEarly = new Promise<never>((_resolve, reject) =>
      supervisor.once("exit", (code) => reject(new Error(`exited with ${code}: ${out}`))),
    );
    exitedEarly.catch(() => {});
    const nextUrl = (): Promise<string> =>
      Promise.race([new Promise<string>((resolve) => listening.push(resolve)), exitedEarly]);

    const first = await nextUrl();
    expect(out).toContain(`pushwire: debug mode: restarting on changes under ${dir}`);
    const firstPid = Number(await (await fetch(first)).text());
    pids.push(firstPid);
    expect(firstPid).not.toBe(supervisor.pid);

    const second = nextUrl();
    writeFileSync(join(dir, "helper.ts"), "export const changed = true;\n");
    const secondPid = Number(await (await fetch(await second)).text());
    pids.push(secondPid);
    expect(secondPid).not.toBe(firstPid);
    expect(out).toMatch(/helper\.ts changed: restarting/);

    const code = new Promise<number | null>((resolve) => supervisor.once("exit", resolve));
    supervisor.kill("SIGTERM");
    expect(await code).toBe(0);
    expect(() => process.kill(secondPid, 0)).toThrow(); // the child is gone too
  });
});
