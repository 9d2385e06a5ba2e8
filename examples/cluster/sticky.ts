// Sticky sessions with Node's cluster module: the primary owns the port and hands each
// TCP connection to the worker chosen by a hash of the client's address, so that every
// request of an Engine.IO session (HTTP long-polling) reaches the node that holds it.
import cluster, { type Worker } from "node:cluster";
import { createHash } from "node:crypto";
import net from "node:net";
import type { Server as HttpServer } from "node:http";

/** Picks the worker for an address: the same address always gets the same worker. */
function pick(workers: Worker[], address: string | undefined): Worker {
  const digest = createHash("sha1")
    .update(address ?? "")
    .digest();
  return workers[digest.readUInt32BE(0) % workers.length]!;
}

/**
 * In the primary: forks `count` workers and balances connections on `port` among them.
 * Returns a function that stops the balancer and the workers.
 */
export function startPrimary(count: number, port: number, host = "127.0.0.1"): () => void {
  const workers: Worker[] = [];
  let stopping = false;
  const fork = (slot: number): void => {
    const worker = cluster.fork({ WORKER_SLOT: String(slot) });
    workers[slot] = worker;
    // A worker that dies is replaced; its clients reconnect to the new one.
    worker.on("exit", () => {
      if (!stopping) setTimeout(() => fork(slot), 500);
    });
  };
  for (let i = 0; i < count; i++) fork(i);
  const balancer = net.createServer({ pauseOnConnect: true }, (connection) => {
    connection.on("error", () => {});
    pick(workers, connection.remoteAddress).send("sticky:connection", connection);
  });
  balancer.listen(port, host);
  return () => {
    stopping = true;
    balancer.close();
    for (const worker of workers) worker.process.kill("SIGTERM");
  };
}

/** In a worker: feeds the connections the primary hands over to `httpServer`. */
export function acceptFromPrimary(httpServer: HttpServer): void {
  process.on("message", (message: unknown, connection?: net.Socket) => {
    if (message !== "sticky:connection" || connection === undefined) return;
    httpServer.emit("connection", connection);
    connection.resume();
  });
}
