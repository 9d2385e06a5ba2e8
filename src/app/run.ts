/**
 * What `socketio.run()` is made of: the request listener that puts static files and
 * the app behind one HTTP server (the realtime endpoint is attached in front of it),
 * listening, log lines, and the graceful stop on SIGINT/SIGTERM.
 *
 * @module
 * @internal
 */
import type { IncomingMessage, Server as HttpServer, ServerResponse } from "node:http";
import type { Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { PushwireError } from "../errors.js";
import type { App, AppHandler, RunAddress } from "./options.js";
import { staticFiles } from "./static.js";

/** Writes one line to standard output (the run's own messages). @internal */
export function writeLine(line: string): void {
  process.stdout.write(line + "\n");
}

/** The request listener of an app: itself, or Koa's `app.callback()`. @internal */
export function handlerOf(app: App | undefined): AppHandler | undefined {
  if (app === undefined) return undefined;
  if (typeof app === "function") return app;
  if (typeof (app as { callback?: unknown }).callback === "function") {
    return (app as { callback(): AppHandler }).callback();
  }
  throw new PushwireError(
    "PW_ERR_APP_INVALID_OPTION",
    "app must be a request listener ((req, res) => ...) or have a callback() returning one (Koa)",
  );
}

function notFound(res: ServerResponse): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
  res.end("Not Found\n");
}

function failed(res: ServerResponse, err: unknown): void {
  console.error("pushwire: the app failed to answer a request:", err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
  res.end("Internal Server Error\n");
}

/**
 * The listener for everything outside the realtime endpoint: a file of `staticDir`,
 * else the app, else 404. An app that throws (or rejects) answers 500.
 *
 * @internal
 */
export function appListener(
  app: AppHandler | undefined,
  staticDir: string | undefined,
): (req: IncomingMessage, res: ServerResponse) => void {
  const files = staticDir === undefined ? undefined : staticFiles(staticDir);
  const toApp = (req: IncomingMessage, res: ServerResponse): void => {
    if (app === undefined) {
      notFound(res);
      return;
    }
    try {
      const result = app(req, res, (err?: unknown) => (err ? failed(res, err) : notFound(res)));
      if (result instanceof Promise) result.catch((err: unknown) => failed(res, err));
    } catch (err) {
      failed(res, err);
    }
  };
  if (files === undefined) return toApp;
  return (req, res) => {
    files(req, res).then(
      (served) => {
        if (!served) toApp(req, res);
      },
      (err: unknown) => failed(res, err),
    );
  };
}

/** Logs one line per HTTP request once its response is sent. @internal */
export function logRequests(
  httpServer: HttpServer | HttpsServer,
  log: (line: string) => void,
): void {
  httpServer.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const start = process.hrtime.bigint();
    res.once("finish", () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      log(
        `${req.socket.remoteAddress ?? "-"} "${req.method} ${req.url}" ${res.statusCode} ${ms.toFixed(1)} ms`,
      );
    });
  });
}

/** The URL of an address, with IPv6 in brackets. @internal */
export function urlOf(address: AddressInfo, secure: boolean): string {
  const host =
    address.family === "IPv6" || address.address.includes(":")
      ? `[${address.address}]`
      : address.address;
  return `${secure ? "https" : "http"}://${host}:${address.port}`;
}

/** Listens on `port` and `host` (or confirms a server already listening). @internal */
export function listen(
  httpServer: HttpServer | HttpsServer,
  port: number,
  host: string,
): Promise<RunAddress> {
  const secure = typeof (httpServer as HttpsServer).setSecureContext === "function";
  const addressOf = (): RunAddress => {
    const address = httpServer.address() as AddressInfo;
    return {
      address: address.address,
      port: address.port,
      family: address.family,
      url: urlOf(address, secure),
    };
  };
  if (httpServer.listening) return Promise.resolve(addressOf());
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      httpServer.off("listening", onListening);
      reject(err);
    };
    const onListening = (): void => {
      httpServer.off("error", onError);
      resolve(addressOf());
    };
    httpServer.once("error", onError);
    httpServer.once("listening", onListening);
    httpServer.listen(port, host);
  });
}

/**
 * On SIGINT or SIGTERM: `stop()` (which closes everything gracefully), then exit with
 * code 0. A second signal while stopping exits at once (code 1). Returns the function
 * that removes the handlers.
 *
 * @internal
 */
export function handleSignals(stop: () => Promise<void>, log: (line: string) => void): () => void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    log(`${signal}: stopping (closing connections and background tasks)`);
    stop().then(
      () => {
        log("stopped");
        process.exit(0);
      },
      (err: unknown) => {
        console.error("pushwire: stopping failed:", err);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}
