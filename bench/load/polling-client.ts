/**
 * A simulated Socket.IO client over HTTP long-polling (Engine.IO v4 §transports/polling):
 * one GET always outstanding to receive, at most one POST at a time to send (engine.io
 * refuses overlapping POSTs), packets joined with `\x1e`.
 *
 * @module
 */
import { request, type Agent, type IncomingMessage } from "node:http";
import { BenchClient, type ClientSink } from "./client.js";
import { joinPayload, parseOpen, readConnect, splitPayload } from "./protocol.js";

/** Where a polling client talks to. */
export interface PollingTarget {
  host: string;
  port: number;
  agent: Agent;
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => (body += chunk));
    res.on("end", () => {
      if ((res.statusCode ?? 0) >= 400) reject(new Error(`HTTP ${res.statusCode}: ${body}`));
      else resolve(body);
    });
    res.on("error", reject);
  });
}

/** One client over HTTP long-polling. */
export class PollingBenchClient extends BenchClient {
  private sid = "";
  private queue: string[] = [];
  private posting = false;
  private onConnected: ((err?: Error) => void) | null = null;

  constructor(
    index: number,
    sink: ClientSink,
    private readonly target: PollingTarget,
  ) {
    super(index, sink);
  }

  private http(method: "GET" | "POST", body?: string): Promise<string> {
    const sid = this.sid ? `&sid=${this.sid}` : "";
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.target.host,
          port: this.target.port,
          agent: this.target.agent,
          method,
          path: `/socket.io/?EIO=4&transport=polling${sid}`,
          headers: body === undefined ? {} : { "content-type": "text/plain;charset=UTF-8" },
        },
        (res) => readBody(res).then(resolve, reject),
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  /** Handshakes, sends `40` and resolves on `40{sid}`. */
  async open(timeoutMs: number): Promise<void> {
    const open = parseOpen(splitPayload(await this.http("GET"))[0] ?? "");
    this.sid = open.sid;
    const connected = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("connect timeout")), timeoutMs);
      this.onConnected = (err) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
    });
    this.send("40");
    this.poll();
    await connected;
  }

  private poll(): void {
    this.http("GET").then(
      (body) => {
        for (const packet of splitPayload(body)) this.receive(packet);
        if (!this.closed) this.poll();
      },
      (err: Error) => this.fail(err),
    );
  }

  private receive(packet: string): void {
    if (!this.connected && packet.startsWith("4")) {
      try {
        if (readConnect(packet) !== null) {
          this.connected = true;
          this.onConnected?.();
          return;
        }
      } catch (err) {
        this.onConnected?.(err as Error);
        return;
      }
    }
    const bytes = Buffer.from(packet, "latin1");
    this.dispatch(bytes, bytes.length);
  }

  private fail(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.connected = false;
    this.onConnected?.(err);
    this.sink.onClose(this, err.message);
  }

  send(packet: string): void {
    if (this.closed) return;
    this.queue.push(packet);
    if (!this.posting) this.flush();
  }

  private flush(): void {
    const body = joinPayload(this.queue);
    this.queue = [];
    this.posting = true;
    this.http("POST", body).then(
      () => {
        this.posting = false;
        if (this.queue.length > 0 && !this.closed) this.flush();
      },
      (err: Error) => this.fail(err),
    );
  }

  close(abrupt: boolean): void {
    if (this.closed) return;
    if (!abrupt) this.send("1");
    this.closed = true;
    this.connected = false;
  }
}
