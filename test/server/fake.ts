// An in-memory EngineConnection and a hand-driven clock, so that the server layer's
// logic is tested without sockets or wall time. Messages are Socket.IO packets as the
// wire carries them (without the Engine.IO "4" prefix).
import type {
  CloseReason,
  EngineConnection,
  PreparedMessage,
  RawData,
  RequestInfo,
  SendOptions,
} from "../../src/engine/connection.js";
import { ConnectionEventSource } from "../../src/engine/connection-events.js";
import { Server, type ServerOptions } from "../../src/index.js";
import { CONNECT_SPACING } from "../../src/server/connect-spacing.js";
import { FakeClock } from "../support/fake-clock.js";

export { FakeClock };

let counter = 0;

export class FakeConnection extends ConnectionEventSource implements EngineConnection {
  readonly id = `fake-sid-${++counter}`;
  readonly protocol = 4;
  readonly request: RequestInfo;
  transportName = "websocket";
  readyState: "opening" | "open" | "closing" | "closed" = "open";
  onmessage: ((data: RawData) => void) | null = null;
  onclose: ((reason: CloseReason, description?: unknown) => void) | null = null;
  /** Everything sent, in order, with the options it was sent with. */
  readonly sent: { data: RawData; options: SendOptions | undefined; prepared?: PreparedMessage }[] =
    [];
  closedByServer = false;

  constructor(request: Partial<RequestInfo> = {}) {
    super();
    this.request = {
      method: "GET",
      url: "/socket.io/?EIO=4&transport=websocket",
      headers: { host: "localhost" },
      remoteAddress: "127.0.0.1",
      secure: false,
      ...request,
    };
  }

  get transport(): { readonly name: string } {
    return { name: this.transportName };
  }

  get remoteAddress(): string {
    return this.request.remoteAddress;
  }

  send(data: RawData, options?: SendOptions): void {
    if (this.readyState !== "open") return;
    this.sent.push({ data, options });
  }

  sendPrepared(message: PreparedMessage, options?: SendOptions): void {
    if (this.readyState !== "open") return;
    this.sent.push({ data: message.data, options, prepared: message });
  }

  close(): void {
    if (this.readyState === "closed") return;
    this.closedByServer = true;
    this.readyState = "closed";
    this.onclose?.("forced close");
  }

  /** The peer sends one message. */
  receive(data: RawData): void {
    this.onmessage?.(data);
  }

  /** The peer goes away. */
  drop(reason: CloseReason = "transport close"): void {
    if (this.readyState === "closed") return;
    this.readyState = "closed";
    this.onclose?.(reason);
  }

  /** The text messages sent so far. */
  get texts(): string[] {
    return this.sent.map((m) => m.data).filter((d): d is string => typeof d === "string");
  }

  /** Forgets what was sent so far. */
  clear(): void {
    this.sent.length = 0;
  }
}

export interface FakeServer {
  io: Server;
  clock: FakeClock;
  /** Opens a connection (no namespace yet). */
  open(request?: Partial<RequestInfo>): FakeConnection;
  /** Opens a connection and connects `nsp`; returns it once the CONNECT answer is sent. */
  connect(nsp?: string, auth?: object): Promise<FakeConnection>;
}

/** A server with no engine, fed by fake connections, on a fake clock. */
export function fakeServer(options: ServerOptions = {}): FakeServer {
  const clock = new FakeClock();
  const io = new Server({ clock, serveClient: false, ...options });
  const open = (request?: Partial<RequestInfo>): FakeConnection => {
    const conn = new FakeConnection(request);
    io.onconnection(conn);
    return conn;
  };
  return {
    io,
    clock,
    open,
    async connect(nsp = "/", auth?: object) {
      const conn = open();
      const prefix = nsp === "/" ? "" : `${nsp},`;
      conn.receive(`0${prefix}${auth ? JSON.stringify(auth) : ""}`);
      await until(() => conn.texts.some((t) => t.startsWith(`0${prefix}{`) || t.startsWith("4")));
      await announced();
      return conn;
    },
  };
}

/** Waits until what was sent after the CONNECT answers so far has been written. */
export function announced(): Promise<void> {
  // The server releases those writes on one timer of this delay; a timer of the same
  // delay set now fires after it.
  return new Promise((resolve) => setTimeout(resolve, CONNECT_SPACING));
}

/** Waits (on the event loop, not on wall-clock thresholds) until `check()` holds. */
export async function until(check: () => boolean, turns = 1000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (check()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error("condition never held");
}

/** The socket id a CONNECT answer carries. */
export function sidOf(conn: FakeConnection, nsp = "/"): string {
  const prefix = nsp === "/" ? "0{" : `0${nsp},{`;
  const text = conn.texts.find((t) => t.startsWith(prefix));
  if (text === undefined) throw new Error(`no CONNECT answer for ${nsp}`);
  return (JSON.parse(text.slice(prefix.length - 1)) as { sid: string }).sid;
}
