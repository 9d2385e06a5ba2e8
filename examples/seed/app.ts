/**
 * The seed's demo, as Flask-SocketIO would have it: an `index` view for the page, and
 * handlers on the namespace `/test_conn`.
 *
 * - connect: `server_response` `{ data: "connected" }` to that client
 * - message (the client's `send`): sent back to its sender with `send`
 * - my_event `{ data }`: `my_response` `{ data }` to the sender
 * - broadcast `{ data }`: `server_response` `{ data }` to every client of the namespace
 * - a background task: `server_response` `{ data: "tick N" }` to every client, once a second
 */
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { fileURLToPath } from "node:url";
import { SocketIO, emit, request, send, type BackgroundTask } from "../../src/index.js";

export const NAMESPACE = "/test_conn";

/** Where the page's stylesheet and other files are (`run({ staticDir })`). */
export const STATIC_DIR = fileURLToPath(new URL("./static/", import.meta.url));

const PAGE = new URL("./templates/index.html", import.meta.url);

/** The index view: the page at `/`, as Flask's `render_template("index.html")`. */
export async function index(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method !== "GET" || path !== "/") {
    res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
    res.end("Not Found\n");
    return;
  }
  const html = await readFile(PAGE);
  res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-cache" });
  res.end(html);
}

/** The `data` field of what a client sent, whatever it sent. */
function dataOf(message: unknown): unknown {
  return typeof message === "object" && message !== null
    ? (message as { data?: unknown }).data
    : message;
}

export interface SeedApp {
  socketio: SocketIO;
  app: typeof index;
  ticker: BackgroundTask;
}

/** Builds the demo. `tickSeconds` is the ticker's period (1 s in the demo). */
export function createSeedApp(opts: { tickSeconds?: number; logger?: boolean } = {}): SeedApp {
  const tickSeconds = opts.tickSeconds ?? 1;
  const socketio = new SocketIO({ cors: "*", logger: opts.logger ?? false });
  const on = { namespace: NAMESPACE };

  socketio.on(
    "connect",
    () => {
      emit("server_response", { data: "connected" });
    },
    on,
  );

  socketio.on(
    "message",
    (message: unknown) => {
      send(message);
    },
    on,
  );

  socketio.on(
    "my_event",
    (message: unknown) => {
      emit("my_response", { data: dataOf(message) });
    },
    on,
  );

  socketio.on(
    "broadcast",
    (message: unknown) => {
      emit("server_response", { data: dataOf(message) }, { broadcast: true });
    },
    on,
  );

  socketio.on(
    "disconnect",
    (reason: string) => {
      console.log(`client ${request.sid} left ${NAMESPACE} (${reason})`);
    },
    on,
  );

  // Pushing on its own, once a second: a background task, never a loop in a handler.
  const ticker = socketio.startBackgroundTask(async (signal) => {
    for (let n = 1; !signal.aborted; n++) {
      await socketio.sleep(tickSeconds);
      socketio.emit("server_response", { data: `tick ${n}` }, { namespace: NAMESPACE });
    }
  });

  return { socketio, app: index, ticker };
}
