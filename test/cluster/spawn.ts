// Starts a node script in a child process and talks to it over IPC.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface NodeProcess {
  child: ChildProcess;
  uid: string;
  port: number;
  call<T = Record<string, unknown>>(cmd: string, args?: object): Promise<T>;
}

export async function spawnNode(script: string, env: Record<string, string>): Promise<NodeProcess> {
  const child = fork(fileURLToPath(new URL(script, import.meta.url)), {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let seq = 0;
  const waiting = new Map<number, (body: never) => void>();
  const ready = await new Promise<{ uid: string; port: number }>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
    child.on("message", (msg: { id?: number; ready?: boolean; uid: string; port: number }) => {
      if (msg.ready) resolve(msg);
      else if (msg.id !== undefined) waiting.get(msg.id)?.(msg as never);
    });
  });
  return {
    child,
    uid: ready.uid,
    port: ready.port,
    call: (cmd, args = {}) =>
      new Promise((resolve) => {
        const id = ++seq;
        waiting.set(id, resolve as (body: never) => void);
        child.send({ id, cmd, ...args });
      }),
  };
}
