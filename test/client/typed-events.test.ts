// Type tests: checked by `npm run typecheck` (a wrong type fails it) and run as plain
// tests on sockets that never connect.
import { describe, expectTypeOf, it } from "vitest";
import { io, type Socket } from "../../src/client/index.js";

interface ServerToClient {
  news: (text: string, at: number) => void;
  question: (q: string, answer: (ok: boolean) => void) => void;
}

interface ClientToServer {
  hello: (name: string) => void;
  sum: (a: number, b: number, ack: (total: number) => void) => void;
}

function offline(): Socket<ServerToClient, ClientToServer> {
  return io("http://127.0.0.1:1", { autoConnect: false, forceNew: true });
}

describe("typed event maps", () => {
  it("types listeners from the server-to-client map", () => {
    const socket = offline();
    socket.on("news", (text, at) => {
      expectTypeOf(text).toEqualTypeOf<string>();
      expectTypeOf(at).toEqualTypeOf<number>();
    });
    socket.on("question", (_q, answer) => {
      expectTypeOf(answer).toEqualTypeOf<(ok: boolean) => void>();
    });
    socket.on("connect_error", (err) => expectTypeOf(err).toMatchTypeOf<Error>());
    socket.on("disconnect", (reason) =>
      expectTypeOf(reason).toEqualTypeOf<Socket.DisconnectReason>(),
    );
    // @ts-expect-error: not an event of the map
    socket.on("nope", () => {});
  });

  it("types emits, acknowledgements and emitWithAck from the client-to-server map", () => {
    const socket = offline();
    socket.emit("hello", "me");
    socket.emit("sum", 1, 2, (total) => expectTypeOf(total).toEqualTypeOf<number>());
    expectTypeOf(socket.emitWithAck("sum", 1, 2)).toEqualTypeOf<Promise<number>>();
    socket.timeout(10).emit("sum", 1, 2, (err, total) => {
      expectTypeOf(err).toEqualTypeOf<Error>();
      expectTypeOf(total).toEqualTypeOf<number>();
    });
    // @ts-expect-error: wrong argument type
    socket.emit("hello", 1);
    // @ts-expect-error: not an event of the map
    socket.emit("nope");
    socket.sendBuffer.length = 0;
  });

  it("accepts anything without maps", () => {
    const socket = io("http://127.0.0.1:1", { autoConnect: false, forceNew: true });
    socket.on("anything", (...args) => expectTypeOf(args).toEqualTypeOf<any[]>());
    socket.emit("anything", 1, "two", { three: 3 });
    socket.sendBuffer.length = 0;
  });
});
