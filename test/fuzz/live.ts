// Clients for fuzzing a live server (RELIABILITY 3, "Harness"): pools of connections
// that already did the Engine.IO handshake and the Socket.IO CONNECT, so that each input
// costs its own frames and a probe, and the outcome of each input: the server still
// answers a probe event, or it ended the session in a documented way.
import { Agent, request } from "node:http";
import { WebSocket } from "ws";
import { decodePacket } from "../../src/engine/codec.js";
import type { Frame, PollingInput } from "./inputs.js";

/** How an input ended. */
export type Outcome =
  | { kind: "answered"; how?: string }
  | { kind: "closed"; how: string }
  | { kind: "undocumented"; how: string };

/** Close codes a fuzzed WebSocket may end with, and why (docs/lifecycle.md). */
const WS_CLOSES: Record<number, string> = {
  1000: "closed by the server (engine close packet, Socket.IO protocol error)",
  1002: "WebSocket protocol error (ws)",
  1006: "socket terminated (transport error)",
  1007: "invalid UTF-8 in a text frame (ws)",
  1008: "parse error, or a ws policy limit",
  1009: "message over maxPayload (ws)",
};

const TIMEOUT = 3000;

/** Checks one text message the server sent: an Engine.IO packet, a known Socket.IO type. */
export function wellFormed(text: string): boolean {
  const packet = decodePacket(text);
  if (packet === null) return false;
  if (packet.type !== "message" || typeof packet.data !== "string") return true;
  const type = packet.data.charCodeAt(0) - 48;
  return type >= 0 && type <= 6;
}

class WsConn {
  readonly ws: WebSocket;
  readonly received: string[] = [];
  closed: { code: number; reason: string } | null = null;
  malformed: string | null = null;
  private waiter: (() => void) | null = null;

  constructor(port: number) {
    this.ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
    this.ws.on("error", () => {});
    this.ws.on("message", (data, isBinary) => {
      if (isBinary) return;
      const text = data.toString();
      if (text === "2") return void this.ws.send("3");
      if (!wellFormed(text)) this.malformed ??= text;
      this.received.push(text);
      this.waiter?.();
    });
    this.ws.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.waiter?.();
    });
  }

  /** Resolves when `done()` holds (checked on each message and on close), or times out. */
  wait(done: () => boolean): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve(false);
      }, TIMEOUT);
      this.waiter = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.waiter = null;
        resolve(true);
      };
    });
  }
}

/** WebSocket connections connected to `/`, ready for an input each. */
export class WsPool {
  private readonly ready: WsConn[] = [];
  private opening = 0;
  private probe = 1;
  readonly outcomes = new Map<string, number>();

  constructor(
    private readonly port: number,
    private readonly size: number,
  ) {}

  private async open(): Promise<void> {
    this.opening++;
    try {
      const conn = new WsConn(this.port);
      const ok = await conn.wait(() => conn.closed !== null || conn.received.length >= 1);
      if (!ok || conn.closed !== null) throw new Error("no open packet");
      conn.ws.send("40");
      await conn.wait(() => conn.closed !== null || conn.received.length >= 2);
      if (conn.closed !== null || !conn.received[1]!.startsWith("40{")) {
        throw new Error(`no CONNECT answer: ${conn.received[1]}`);
      }
      conn.received.length = 0;
      this.ready.push(conn);
    } finally {
      this.opening--;
    }
  }

  private async take(): Promise<WsConn> {
    while (this.ready.length === 0) {
      const missing = this.size - this.ready.length - this.opening;
      const opening = [...Array(Math.max(1, missing))].map(() => this.open());
      await Promise.race(opening);
    }
    const conn = this.ready.pop()!;
    const missing = this.size - this.ready.length - this.opening;
    for (let i = 0; i < missing; i++) void this.open().catch(() => {});
    return conn;
  }

  /** Sends one input's frames then a probe event; the outcome decides the connection's fate. */
  async run(frames: Frame[]): Promise<Outcome> {
    const conn = await this.take();
    const id = this.probe++;
    for (const frame of frames) {
      if (frame.kind === "text") conn.ws.send(frame.data);
      else conn.ws.send(frame.data, { binary: frame.kind === "binary" });
    }
    conn.ws.send(`42${id}["echo","p${id}"]`);
    const answer = `43${id}["p${id}"]`;
    const ended = await conn.wait(() => conn.closed !== null || conn.received.includes(answer));
    const outcome = this.judge(conn, ended, answer);
    this.outcomes.set(outcomeKey(outcome), (this.outcomes.get(outcomeKey(outcome)) ?? 0) + 1);
    if (outcome.kind === "answered") {
      conn.received.length = 0;
      this.ready.push(conn);
    } else conn.ws.terminate();
    return outcome;
  }

  private judge(conn: WsConn, ended: boolean, answer: string): Outcome {
    if (conn.malformed !== null) {
      return { kind: "undocumented", how: `malformed output ${JSON.stringify(conn.malformed)}` };
    }
    if (!ended) return { kind: "undocumented", how: `no answer and no close in ${TIMEOUT} ms` };
    if (conn.received.includes(answer)) return { kind: "answered" };
    const { code, reason } = conn.closed!;
    if (WS_CLOSES[code] === undefined) {
      return { kind: "undocumented", how: `close ${code} ${reason}` };
    }
    return { kind: "closed", how: `close ${code}${reason ? ` (${reason})` : ""}` };
  }

  close(): void {
    for (const conn of this.ready.splice(0)) conn.ws.terminate();
  }
}

function outcomeKey(outcome: Outcome): string {
  const how = outcome.how === undefined ? "" : outcome.how.replace(/\d+ ms/, "");
  return outcome.kind === "answered" ? `answered${how === "" ? "" : ` after ${how}`}` : how;
}

// --- polling ------------------------------------------------------------------------

interface Reply {
  status: number;
  body: string;
}

function http(
  agent: Agent,
  port: number,
  path: string,
  method: "GET" | "POST",
  body?: string | Uint8Array,
  contentType = "text/plain;charset=UTF-8",
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> =
      contentType === "" ? {} : { "content-type": contentType };
    const req = request({ host: "127.0.0.1", port, path, method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
      res.on("error", reject);
    });
    req.setTimeout(TIMEOUT, () => req.destroy(new Error(`no answer in ${TIMEOUT} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** A refusal's body: `{"code":0-5,"message":"..."}` and nothing else (RELIABILITY D7). */
function isRefusal(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { code?: unknown; message?: unknown };
    return (
      Object.keys(parsed).length === 2 &&
      typeof parsed.message === "string" &&
      Number.isInteger(parsed.code) &&
      (parsed.code as number) >= 0 &&
      (parsed.code as number) <= 5
    );
  } catch {
    return false;
  }
}

/** Polling sessions connected to `/`, ready for an input each. */
export class PollingPool {
  private readonly ready: string[] = [];
  private opening = 0;
  private probe = 1;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  readonly outcomes = new Map<string, number>();

  constructor(
    private readonly port: number,
    private readonly size: number,
  ) {}

  private path(sid: string): string {
    return `/socket.io/?EIO=4&transport=polling&sid=${sid}`;
  }

  private async open(): Promise<void> {
    this.opening++;
    try {
      const open = await http(this.agent, this.port, "/socket.io/?EIO=4&transport=polling", "GET");
      const sid = (JSON.parse(open.body.slice(1)) as { sid: string }).sid;
      await http(this.agent, this.port, this.path(sid), "POST", "40");
      const answer = await http(this.agent, this.port, this.path(sid), "GET");
      if (!answer.body.startsWith("40{")) throw new Error(`no CONNECT answer: ${answer.body}`);
      this.ready.push(sid);
    } finally {
      this.opening--;
    }
  }

  private async take(): Promise<string> {
    while (this.ready.length === 0) {
      const missing = this.size - this.ready.length - this.opening;
      await Promise.race([...Array(Math.max(1, missing))].map(() => this.open()));
    }
    const sid = this.ready.pop()!;
    const missing = this.size - this.ready.length - this.opening;
    for (let i = 0; i < missing; i++) void this.open().catch(() => {});
    return sid;
  }

  /** POSTs one input, then a probe event, then polls for its answer or the close. */
  async run(input: PollingInput): Promise<Outcome> {
    const sid = await this.take();
    const outcome = await this.judge(sid, input).catch((err: Error): Outcome => ({
      kind: "undocumented",
      how: err.message,
    }));
    const key = outcomeKey(outcome);
    this.outcomes.set(key, (this.outcomes.get(key) ?? 0) + 1);
    if (outcome.kind === "answered") this.ready.push(sid);
    return outcome;
  }

  private async judge(sid: string, input: PollingInput): Promise<Outcome> {
    const path = this.path(sid);
    let posted: Reply;
    try {
      posted = await http(this.agent, this.port, path, "POST", input.body, input.contentType);
    } catch (err) {
      // A body over maxHttpBufferSize is answered 413 (Connection: close) as soon as the
      // limit is crossed; the client may see the close before it finished sending.
      const code = (err as { code?: string }).code;
      if (input.body.length > 1e6 && (code === "ECONNRESET" || code === "EPIPE")) {
        return { kind: "closed", how: "oversize POST cut short by the server" };
      }
      throw err;
    }
    let how: string;
    if (posted.status === 200 && posted.body === "ok") how = "POST ok";
    else if ((posted.status === 400 || posted.status === 413) && isRefusal(posted.body)) {
      how = `POST ${posted.status} ${(JSON.parse(posted.body) as { message: string }).message}`;
    } else return { kind: "undocumented", how: `POST ${posted.status} ${posted.body}` };
    const id = this.probe++;
    const probe = await http(this.agent, this.port, path, "POST", `42${id}["echo","p${id}"]`);
    if (probe.status === 400 && isRefusal(probe.body)) return { kind: "closed", how };
    if (probe.status !== 200) return { kind: "undocumented", how: `probe ${probe.status}` };
    const answer = `43${id}["p${id}"]`;
    for (let polls = 0; polls < 20; polls++) {
      const got = await http(this.agent, this.port, path, "GET");
      if (got.status === 400 && isRefusal(got.body)) return { kind: "closed", how };
      if (got.status !== 200) return { kind: "undocumented", how: `GET ${got.status}` };
      const packets = got.body.split("\x1e");
      const bad = packets.find((p) => !wellFormed(p));
      if (bad !== undefined)
        return { kind: "undocumented", how: `malformed ${JSON.stringify(bad)}` };
      if (packets.includes(answer)) return { kind: "answered", how };
      if (packets.includes("1")) return { kind: "closed", how: `${how}, then close packet` };
      if (packets.includes("2")) await http(this.agent, this.port, path, "POST", "3");
    }
    return { kind: "undocumented", how: "no answer after 20 polls" };
  }

  close(): void {
    this.agent.destroy();
  }
}
