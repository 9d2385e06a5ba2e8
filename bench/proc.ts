/**
 * Child processes of the runner: started pinned to one core with `taskset`, spoken to
 * over the IPC channel (rpc.ts), measured from the outside through `/proc/PID/stat`
 * (utime + stime) and `/proc/PID/status` (VmRSS, VmHWM).
 *
 * @module
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { RpcReply } from "./rpc.js";
import { parseProcStatCoreBusy, parseProcStatCpu, parseProcStatusKb } from "./stats.js";

/** Clock ticks per second of `/proc/PID/stat` (`getconf CLK_TCK`, 100 nearly everywhere). */
export function clockTicks(): number {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** Busy clock ticks of core `core` so far (see `parseProcStatCoreBusy`). */
export function coreBusyTicks(core: string): number {
  return parseProcStatCoreBusy(readFileSync("/proc/stat", "utf8"), core);
}

function hasCommand(command: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Which cores the server and the load generator run on, or why they are not pinned. */
export interface Pinning {
  server: string | null;
  load: string | null;
  note: string;
}

/** Server on core 0, load generator on core 1, when `taskset` and two cores exist. */
export function choosePinning(): Pinning {
  if (!hasCommand("taskset")) return { server: null, load: null, note: "not pinned (no taskset)" };
  if (availableParallelism() < 2)
    return { server: null, load: null, note: "not pinned (one core)" };
  return { server: "0", load: "1", note: "server on core 0, load generator on core 1 (taskset)" };
}

/** Pins this process (all its threads) to `core`, so the runner stays off the server's core. */
export function pinSelf(core: string | null): void {
  if (!core) return;
  try {
    execFileSync("taskset", ["-a", "-p", "-c", core, String(process.pid)], { stdio: "ignore" });
  } catch {
    // Not fatal: the runner mostly sleeps.
  }
}

/**
 * Raises this process's soft open-file limit to the hard one (children inherit it) and
 * returns the limit in force.
 */
export function raiseFileLimit(): { soft: number; hard: number } {
  const read = (): { soft: number; hard: number } => {
    const out = execFileSync("sh", ["-c", "ulimit -Sn; ulimit -Hn"], { encoding: "utf8" }).split(
      "\n",
    );
    const parse = (s: string | undefined): number => (s === "unlimited" ? Infinity : Number(s));
    return { soft: parse(out[0]), hard: parse(out[1]) };
  };
  try {
    const limits = read();
    if (limits.soft < limits.hard && hasCommand("prlimit")) {
      const hard = limits.hard === Infinity ? "unlimited" : String(limits.hard);
      execFileSync("prlimit", ["--pid", String(process.pid), `--nofile=${hard}:${hard}`]);
      return read();
    }
    return limits;
  } catch {
    return { soft: Number.NaN, hard: Number.NaN };
  }
}

interface Pending {
  resolve: (value: any) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** One child: a benchmarked server or the load generator. */
export class BenchChild {
  readonly pid: number;
  /** What the child said when ready (`port` for servers). */
  info: Record<string, unknown> = {};
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private stderr = "";
  private exited: string | null = null;

  private constructor(
    readonly name: string,
    private readonly proc: ChildProcess,
  ) {
    this.pid = proc.pid!;
    proc.stderr?.setEncoding("utf8");
    proc.stderr?.on("data", (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    proc.on("message", (message: RpcReply) => {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      clearTimeout(waiter.timer);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`${name}: ${message.error}`));
    });
    proc.on("exit", (code, signal) => {
      this.exited = `exited with ${signal ?? code}${this.stderr ? `: ${this.stderr.trim()}` : ""}`;
      for (const waiter of this.pending.values()) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`${name} ${this.exited}`));
      }
      this.pending.clear();
    });
  }

  /** Starts `node [nodeArgs] file [args]` on `cpu` and waits for its ready message. */
  static start(options: {
    name: string;
    file: string;
    args?: string[];
    nodeArgs?: string[];
    cpu: string | null;
    env?: Record<string, string>;
    readyTimeoutMs?: number;
  }): Promise<BenchChild> {
    const node = [...(options.nodeArgs ?? []), options.file, ...(options.args ?? [])];
    const [command, args] = options.cpu
      ? ["taskset", ["-c", options.cpu, process.execPath, ...node]]
      : [process.execPath, node];
    const proc = spawn(command, args, {
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      env: { ...process.env, ...options.env },
    });
    const child = new BenchChild(options.name, proc);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        proc.kill("SIGKILL");
        reject(new Error(`${options.name} not ready after ${options.readyTimeoutMs ?? 15_000} ms`));
      }, options.readyTimeoutMs ?? 15_000);
      proc.once("message", (message: { type?: string }) => {
        clearTimeout(timer);
        if (message.type === "ready") {
          child.info = message as Record<string, unknown>;
          resolve(child);
        } else reject(new Error(`${options.name}: unexpected first message`));
      });
      proc.once("exit", () => {
        clearTimeout(timer);
        reject(new Error(`${options.name} ${child.exited ?? "exited"}`));
      });
      proc.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  /** Sends a command and waits for its reply. */
  call<T = any>(cmd: string, args: unknown = {}, timeoutMs = 120_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.name} ${this.exited}`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: ${cmd} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.proc.send({ id, cmd, args });
    });
  }

  /** utime + stime so far, in clock ticks. */
  cpuTicks(): number {
    return parseProcStatCpu(readFileSync(`/proc/${this.pid}/stat`, "utf8"));
  }

  /** Resident set size now and its high-water mark, in kB. */
  memoryKb(): { rss: number; hwm: number } {
    const status = readFileSync(`/proc/${this.pid}/status`, "utf8");
    return { rss: parseProcStatusKb(status, "VmRSS"), hwm: parseProcStatusKb(status, "VmHWM") };
  }

  /** Resets VmHWM to the current RSS (`echo 5 > /proc/PID/clear_refs`); false if not allowed. */
  resetPeak(): boolean {
    try {
      writeFileSync(`/proc/${this.pid}/clear_refs`, "5");
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Samples RSS every `everyMs` until stopped; returns the peak in kB, also counting
   * VmHWM when `hwmWasReset` (it then covers only the sampled window, sampling gaps too).
   */
  samplePeak(everyMs: number, hwmWasReset: boolean): () => number {
    let peak = 0;
    const timer = setInterval(() => {
      try {
        peak = Math.max(peak, this.memoryKb().rss);
      } catch {
        // The process is gone; the caller learns it from its next call.
      }
    }, everyMs);
    return () => {
      clearInterval(timer);
      try {
        const now = this.memoryKb();
        return Math.max(peak, now.rss, hwmWasReset ? now.hwm : 0);
      } catch {
        return peak;
      }
    };
  }

  /** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
  async stop(graceMs = 2000): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.proc.once("exit", () => resolve()));
    this.proc.kill("SIGTERM");
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), graceMs);
    await gone;
    clearTimeout(timer);
  }
}
