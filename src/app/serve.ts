/**
 * `socketio.run()`: one HTTP server for the app, its static files and the realtime
 * endpoint; log lines saying where it listens; the reloader in debug mode; the
 * graceful stop on SIGINT/SIGTERM.
 *
 * @module
 * @internal
 */
import { createServer, type Server as HttpServer } from "node:http";
import type { Server as HttpsServer } from "node:https";
import { PushwireError } from "../errors.js";
import { checkClientBundle } from "../server/serve-client.js";
import type { Server } from "../server/server.js";
import type { App, RunAddress, RunOptions } from "./options.js";
import { isReloaderChild, supervise, watchedPaths } from "./reloader.js";
import { appListener, handleSignals, handlerOf, listen, logRequests, writeLine } from "./run.js";

/** What `run()` needs of the app. @internal */
export interface Runnable {
  readonly server: Server;
  readonly ready: Promise<unknown>;
  readonly _httpServer: HttpServer | HttpsServer | undefined;
  readonly _isClosed: boolean;
  readonly _writeOnly: boolean;
  _attach(httpServer: HttpServer | HttpsServer): void;
  _debugLogs(): void;
  _onSignalsHandled(remove: () => void): void;
  _stopTasks(): void;
  close(): Promise<void>;
}

function log(line: string): void {
  writeLine(`pushwire: ${line}`);
}

function invalid(message: string): PushwireError {
  return new PushwireError("PW_ERR_APP_INVALID_OPTION", message);
}

/** @internal */
export async function runApp(
  face: Runnable,
  app: App | undefined,
  opts: RunOptions,
): Promise<RunAddress> {
  if (face._writeOnly) {
    throw new PushwireError(
      "PW_ERR_APP_WRITE_ONLY",
      "run() is not available on a write-only SocketIO (it has no clients)",
    );
  }
  if (face._isClosed) throw new PushwireError("PW_ERR_APP_CLOSED");
  const host = opts.host ?? "127.0.0.1";
  const port = opts.port ?? 5000;
  if (typeof host !== "string" || host === "") throw invalid("host must be a non-empty string");
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw invalid(`port must be an integer from 0 to 65535 (got ${String(port)})`);
  const debug = opts.debug === true;
  await face.ready;

  if (debug && opts.useReloader !== false && !isReloaderChild()) {
    // This process becomes the supervisor and serves nothing (Flask's reloader).
    face._stopTasks();
    return supervise(watchedPaths(opts.extraFiles), log);
  }
  if (debug) face._debugLogs();

  const handler = handlerOf(app);
  let httpServer = face._httpServer;
  if (httpServer === undefined) {
    httpServer = createServer(appListener(handler, opts.staticDir));
    face._attach(httpServer);
  } else if (handler !== undefined || opts.staticDir !== undefined) {
    throw invalid(
      "the SocketIO was given an HTTP server: it serves its own requests (give run() no app and no staticDir)",
    );
  }
  if (opts.logOutput ?? debug) logRequests(httpServer, (line) => writeLine(`http: ${line}`));
  if (face.server.serveClient()) {
    try {
      checkClientBundle();
    } catch (err) {
      console.warn(
        `pushwire: ${(err as Error).message}; pages loading /socket.io/socket.io.js will fail`,
      );
    }
  }

  const address = await listen(httpServer, port, host);
  const path = face.server.path();
  log(`listening on ${address.url}`);
  log(`  realtime endpoint ${address.url}${path}/ (Socket.IO v5)`);
  if (face.server.serveClient()) log(`  client script ${address.url}${path}/socket.io.js`);
  if (opts.staticDir !== undefined) log(`  static files from ${opts.staticDir}`);
  if (handler !== undefined) log(`  the app answers everything else`);
  if (opts.handleSignals !== false) {
    face._onSignalsHandled(handleSignals(() => face.close(), log));
    log("press Ctrl+C to stop");
  }
  return address;
}
