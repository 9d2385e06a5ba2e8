// A TCP proxy for fault injection (RELIABILITY 3, "Faults"): forwards 127.0.0.1:port to a
// target until told to blackhole, after which it stops reading and writing both ways but
// keeps every socket open, as a dead network path does (half-open TCP).
import { createServer, connect, type Server, type Socket } from "node:net";

export interface Proxy {
  port: number;
  /** Stops forwarding in both directions; the sockets stay open. */
  blackhole(): void;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<Proxy> {
  const sockets = new Set<Socket>();
  let dead = false;
  const server: Server = createServer((inbound) => {
    const outbound = connect(targetPort, "127.0.0.1");
    for (const socket of [inbound, outbound]) {
      sockets.add(socket);
      socket.on("error", () => {});
      socket.on("close", () => sockets.delete(socket));
    }
    inbound.on("data", (chunk) => {
      if (!dead) outbound.write(chunk);
    });
    outbound.on("data", (chunk) => {
      if (!dead) inbound.write(chunk);
    });
    inbound.on("end", () => dead || outbound.end());
    outbound.on("end", () => dead || inbound.end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    blackhole() {
      dead = true;
      for (const socket of sockets) socket.pause();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
