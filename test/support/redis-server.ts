// A private redis-server per test file, and a TCP fault proxy in front of it
// (RELIABILITY §3 harness: "Redis" and "Faults"). Never touches the shared server on 6379.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A redis-server this process started, listening on a unix socket only (TCP off). */
export interface RedisServer {
  /** The unix socket path; stays the same across restarts. */
  readonly socketPath: string;
  /** The pid of the running server, or undefined while it is down. */
  readonly pid: number | undefined;
  /** Sends one command with redis-cli and returns its raw output. */
  cli(...args: string[]): Promise<string>;
  /** SIGKILLs the server and waits for it to exit. */
  kill(): Promise<void>;
  /** SIGSTOPs the server: it keeps its sockets but answers nothing. */
  pause(): void;
  /** SIGCONTs a paused server. */
  resume(): void;
  /** Starts the server again on the same socket, after {@link kill}. Empty dataset. */
  restart(): Promise<void>;
  /** Stops the server for good and removes its folder. */
  close(): Promise<void>;
}

/** How long a fresh server may take to accept connections. */
const START_TIMEOUT_MS = 5_000;

function ping(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(path);
    let answer = "";
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      answer += chunk.toString();
      if (answer.includes("\r\n")) done(answer.startsWith("+PONG"));
    });
  });
}

async function waitReady(path: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    if (await ping(path)) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("redis-server did not start in time");
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/**
 * Starts a private redis-server with TCP off (`--port 0`), no persistence, listening on
 * a unix socket in a fresh temporary folder.
 */
export async function startRedis(): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), "pw-redis-"));
  const socketPath = join(dir, "r.sock");
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const proc = spawn(
      "redis-server",
      [
        "--port",
        "0",
        "--unixsocket",
        socketPath,
        "--unixsocketperm",
        "700",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
        "--loglevel",
        "warning",
        "--enable-debug-command",
        "local",
      ],
      { stdio: ["ignore", "ignore", "inherit"] },
    );
    child = proc;
    await waitReady(socketPath, proc);
  };

  await launch();

  return {
    socketPath,
    get pid() {
      return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
    },
    cli(...args) {
      return new Promise((resolve, reject) => {
        const proc = spawn("redis-cli", ["-s", socketPath, ...args], {
          stdio: ["ignore", "pipe", "pipe"],
        });
        let out = "";
        proc.stdout.on("data", (c: Buffer) => (out += c.toString()));
        proc.on("error", reject);
        proc.on("exit", () => resolve(out.trim()));
      });
    },
    async kill() {
      if (!child) return;
      const proc = child;
      proc.kill("SIGCONT");
      proc.kill("SIGKILL");
      await exited(proc);
    },
    pause() {
      child?.kill("SIGSTOP");
    },
    resume() {
      child?.kill("SIGCONT");
    },
    async restart() {
      if (child && child.exitCode === null && child.signalCode === null) {
        throw new Error("redis-server is still running");
      }
      rmSync(socketPath, { force: true });
      await launch();
    },
    async close() {
      if (child) {
        const proc = child;
        proc.kill("SIGCONT");
        proc.kill("SIGKILL");
        await exited(proc);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What the proxy does with traffic. */
export type ProxyMode = "pass" | "blackhole" | "reset";

/** A TCP proxy on 127.0.0.1 that forwards to a unix socket and can inject faults. */
export interface FaultProxy {
  /** The TCP port clients connect to. */
  readonly port: number;
  /** The current mode. */
  readonly mode: ProxyMode;
  /**
   * `pass` forwards bytes; `blackhole` stops reading and writing but keeps every socket
   * open (a partition with no RST); `reset` destroys every connection with a RST and
   * resets new ones at once.
   */
  setMode(mode: ProxyMode): void;
  /** Closes the listener and every connection. */
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
}

/** Starts a fault proxy in front of `target` (a unix socket path). */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  let mode: ProxyMode = "pass";
  const pairs = new Set<Pair>();

  const drop = (pair: Pair): void => {
    pairs.delete(pair);
    pair.client.resetAndDestroy();
    pair.upstream.destroy();
  };

  const server = net.createServer((client) => {
    client.on("error", () => {});
    if (mode === "reset") {
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(target);
    upstream.on("error", () => {});
    const pair: Pair = { client, upstream };
    pairs.add(pair);
    client.pipe(upstream);
    upstream.pipe(client);
    if (mode === "blackhole") {
      client.pause();
      upstream.pause();
    }
    const end = (): void => {
      if (pairs.delete(pair)) {
        client.destroy();
        upstream.destroy();
      }
    };
    client.on("close", end);
    upstream.on("close", end);
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    get mode() {
      return mode;
    },
    setMode(next) {
      mode = next;
      for (const pair of [...pairs]) {
        if (next === "reset") drop(pair);
        else if (next === "blackhole") {
          pair.client.pause();
          pair.upstream.pause();
        } else {
          pair.client.resume();
          pair.upstream.resume();
        }
      }
    },
    async close() {
      for (const pair of [...pairs]) drop(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
