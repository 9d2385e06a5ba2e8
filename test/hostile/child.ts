// Starts child-server.ts in its own process (RELIABILITY 3, "Harness": small heap,
// strict unhandled rejections, exit 70 on an uncaught exception) and talks to it over IPC.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ServerOptions } from "../../src/index.js";

export interface ChildServer {
  child: ChildProcess;
  port: number;
  /** The exit code once the child exited on its own, else null. */
  exited(): number | null;
  /** What the child wrote to stderr. */
  stderr(): string;
  call<T = Record<string, unknown>>(cmd: string, args?: object): Promise<T>;
  stop(): Promise<void>;
}

const script = fileURLToPath(new URL("./child-server.ts", import.meta.url));

export async function spawnServer(
  options: ServerOptions = {},
  { exposeGc = false }: { exposeGc?: boolean } = {},
): Promise<ChildServer> {
  const child = fork(script, {
    execArgv: [
      "--import",
      "tsx",
      "--max-old-space-size=256",
      "--unhandled-rejections=strict",
      ...(exposeGc ? ["--expose-gc"] : []),
    ],
    env: { ...process.env, PW_CHILD_OPTIONS: JSON.stringify(options) },
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  let exitCode: number | null = null;
  let stopping = false;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      if (!stopping) exitCode = code ?? (signal === null ? -1 : 128);
      resolve();
    }),
  );
  let seq = 0;
  const waiting = new Map<number, (body: never) => void>();
  const port = await new Promise<number>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`child-server exited with ${code}: ${stderr}`)));
    child.on("message", (msg: { id?: number; ready?: boolean; port?: number }) => {
      if (msg.ready) resolve(msg.port!);
      else if (msg.id !== undefined) waiting.get(msg.id)?.(msg as never);
    });
  });
  return {
    child,
    port,
    exited: () => exitCode,
    stderr: () => stderr,
    call: (cmd, args = {}) =>
      new Promise((resolve, reject) => {
        if (exitCode !== null) return reject(new Error(`child-server exited: ${stderr}`));
        const id = ++seq;
        waiting.set(id, resolve as (body: never) => void);
        child.send({ id, cmd, ...args });
      }),
    async stop() {
      stopping = exitCode === null;
      child.kill("SIGKILL");
      await exited;
    },
  };
}
