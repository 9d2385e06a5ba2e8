// Type tests for the typed event maps (checked by `npm run typecheck`; at run time
// these only build a server and close it). The `@ts-expect-error` lines must stay
// errors: each is code socket.io's types refuse too.
import { describe, expectTypeOf, it } from "vitest";
import {
  Server,
  type BroadcastOperator,
  type DecorateAcknowledgementsWithMultipleResponses,
  type DisconnectReason,
  type ExtendedError,
  type Namespace,
  type RemoteSocket,
  type Socket,
} from "../../src/index.js";

interface ClientToServerEvents {
  hello: (name: string) => void;
  sum: (a: number, b: number, ack: (result: number) => void) => void;
}

interface ServerToClientEvents {
  news: (text: string, id: number) => void;
  ask: (question: string, ack: (answer: boolean) => void) => void;
}

interface InterServerEvents {
  ping: () => void;
  count: (ack: (n: number) => void) => void;
}

interface SocketData {
  user: string;
}

type TypedServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
type TypedSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;

function typed(io: TypedServer): void {
  io.on("connection", (socket) => {
    expectTypeOf(socket).toEqualTypeOf<TypedSocket>();
    expectTypeOf(socket.data).toEqualTypeOf<SocketData>();
    expectTypeOf(socket.id).toEqualTypeOf<string>();
    expectTypeOf(socket.rooms).toEqualTypeOf<Set<string>>();
    expectTypeOf(socket.handshake.auth).toEqualTypeOf<{ [key: string]: any }>();

    socket.on("hello", (name) => expectTypeOf(name).toEqualTypeOf<string>());
    socket.on("sum", (a, b, ack) => {
      expectTypeOf(a).toEqualTypeOf<number>();
      ack(a + b);
      // @ts-expect-error the ack takes a number
      ack("three");
    });
    socket.on("disconnect", (reason) => expectTypeOf(reason).toEqualTypeOf<DisconnectReason>());
    // @ts-expect-error not an event the client sends
    socket.on("nope", () => {});

    socket.emit("news", "hello", 1);
    // @ts-expect-error arguments of the wrong types
    socket.emit("news", 1, "hello");
    // @ts-expect-error not an event the server sends
    socket.emit("unknown");
    socket.emit("ask", "ready?", (answer) => expectTypeOf(answer).toEqualTypeOf<boolean>());
    socket.timeout(1000).emit("ask", "ready?", (err, answer) => {
      expectTypeOf(err).toEqualTypeOf<Error>();
      expectTypeOf(answer).toEqualTypeOf<boolean>();
    });
    expectTypeOf(socket.emitWithAck("ask", "ready?")).resolves.toEqualTypeOf<boolean>();
    expectTypeOf(socket.timeout(10).emitWithAck("ask", "ready?")).resolves.toEqualTypeOf<boolean>();

    socket.to("room").emit("news", "to the room", 2);
    socket.broadcast.emit("news", "to the others", 3);
  });

  io.use((socket, next) => {
    expectTypeOf(socket).toEqualTypeOf<TypedSocket>();
    const err: ExtendedError = new Error("no");
    err.data = { why: "because" };
    next(err);
  });

  io.emit("news", "to everyone", 4);
  // @ts-expect-error a broadcast with an ack needs timeout()
  io.emit("ask", "ready?", () => {});
  io.timeout(1000).emit("ask", "ready?", (err, answers) => {
    expectTypeOf(err).toEqualTypeOf<Error>();
    expectTypeOf(answers).toEqualTypeOf<boolean[]>();
  });
  expectTypeOf(io.timeout(1000).emitWithAck("ask", "ready?")).resolves.toEqualTypeOf<boolean[]>();
  expectTypeOf(io.to("room")).toEqualTypeOf<
    BroadcastOperator<
      DecorateAcknowledgementsWithMultipleResponses<ServerToClientEvents>,
      SocketData
    >
  >();

  io.serverSideEmit("ping");
  io.on("ping", () => {});
  io.serverSideEmit("count", (err, counts) => {
    expectTypeOf(err).toEqualTypeOf<Error>();
    expectTypeOf(counts).toEqualTypeOf<number[]>();
  });
  expectTypeOf(io.serverSideEmitWithAck("count")).resolves.toEqualTypeOf<number[]>();
  // @ts-expect-error not an inter-server event
  io.serverSideEmit("news");

  expectTypeOf(io.fetchSockets()).resolves.toEqualTypeOf<
    RemoteSocket<ServerToClientEvents, SocketData>[]
  >();
  expectTypeOf(io.of("/admin")).toEqualTypeOf<
    Namespace<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>
  >();
  io.of("/admin").on("connection", (socket) =>
    expectTypeOf(socket.data.user).toEqualTypeOf<string>(),
  );
}

function untyped(io: Server): void {
  io.on("connection", (socket) => {
    socket.on("anything", (a: number, b: string, ack: (x: unknown) => void) => ack([a, b]));
    socket.emit("whatever", 1, { two: 2 }, Buffer.from([3]));
    socket.emit("with-ack", (answer: unknown) => answer);
    void socket.timeout(10).emitWithAck("question");
    socket.data.anything = 1;
  });
  io.emit("news");
  io.to("a").except("b").volatile.compress(false).emit("x", 1);
  void io.timeout(10).emitWithAck("poll");
}

describe("typed event maps", () => {
  it("types a server with client, server, inter-server and socket-data maps", async () => {
    const io: TypedServer = new Server({ serveClient: false });
    typed(io);
    untyped(new Server({ serveClient: false }));
    await io.close();
  });
});
