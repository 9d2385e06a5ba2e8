// examples/chat runs on socket.io and on pushwire with only examples/chat/io.ts changed:
// the same scenario, played by socket.io-client users against each, gives the same
// transcript.
import { once } from "node:events";
import { createServer } from "node:http";
import { Server as SocketIoServer } from "socket.io";
import { io as ioClient, type Socket as ClientSocket } from "socket.io-client";
import { afterEach, describe, expect, it, vi } from "vitest";

const IO_MODULE = "../../examples/chat/io.js";

/** What each user saw, in order (one user's events arrive in the order they were sent). */
type Transcript = Record<string, string[]>;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  vi.doUnmock(IO_MODULE);
  vi.resetModules();
});

/** Loads examples/chat with io.ts exporting `Server` as given (or as written). */
async function loadChat(server?: unknown) {
  vi.resetModules();
  if (server !== undefined) vi.doMock(IO_MODULE, () => ({ Server: server }));
  else vi.doUnmock(IO_MODULE);
  return import("../../examples/chat/chat.js");
}

function wait<T = unknown[]>(socket: ClientSocket, event: string): Promise<T> {
  return new Promise((resolve) => socket.once(event, (...args: unknown[]) => resolve(args as T)));
}

/** Plays the scenario against a chat server and records what every user saw. */
async function play(
  chat: Awaited<ReturnType<typeof loadChat>>,
  transports: string[],
): Promise<Transcript> {
  const http = createServer();
  const io = chat.startChat(http);
  const implementation = io instanceof SocketIoServer ? "socket.io" : "pushwire";
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  const url = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  const clients: ClientSocket[] = [];
  cleanups.push(async () => {
    for (const c of clients) c.close();
    http.closeAllConnections();
    await io.close();
  });
  const log: Transcript = { steps: [] };
  const steps = log.steps!;
  const user = (username: string) => {
    const seen: string[] = (log[username] = []);
    const socket = ioClient(url, {
      forceNew: true,
      transports,
      auth: { username },
      reconnection: false,
    });
    clients.push(socket);
    for (const event of ["joined", "left", "message", "typing"]) {
      socket.on(event, (payload: Record<string, unknown>) => {
        const { id: _id, ...rest } = payload;
        seen.push(`${event} ${JSON.stringify(rest)}`);
      });
    }
    socket.on("vote", (poll: { question: string }, ack: (v: string) => void) => {
      seen.push(`vote ${poll.question}`);
      if (username !== "carol") ack(username === "alice" ? "yes" : "no");
    });
    return socket;
  };

  const refused = user("Bad Name!");
  const [err] = await wait<[Error & { data?: unknown }]>(refused, "connect_error");
  steps.push(`refused: ${err.message} ${JSON.stringify(err.data)}`);

  const alice = user("alice");
  steps.push(`alice welcome ${JSON.stringify((await wait(alice, "welcome"))[0])}`);
  const bobJoined = wait(alice, "joined");
  const bob = user("bob");
  await wait(bob, "welcome");
  await bobJoined;

  steps.push(`alice join ${JSON.stringify(await alice.emitWithAck("join", "dev"))}`);
  const aliceSeesBob = wait(alice, "joined");
  steps.push(`bob join ${JSON.stringify(await bob.emitWithAck("join", "dev"))}`);
  await aliceSeesBob;

  const bobGetsMessage = wait(bob, "message");
  const reply = (await alice.emitWithAck("message", "dev", "hello dev")) as { id?: number };
  steps.push(`alice message acked ${typeof reply.id}`);
  await bobGetsMessage;
  steps.push(`alice wrong room ${JSON.stringify(await alice.emitWithAck("message", "ops", "x"))}`);

  const carolJoined = Promise.all([wait(alice, "joined"), wait(bob, "joined")]);
  const carol = user("carol");
  await wait(carol, "welcome");
  await carolJoined;
  steps.push(`bob poll ${JSON.stringify(await bob.emitWithAck("poll", "general", "lunch?"))}`);

  const bobSeesLeave = wait(bob, "left");
  alice.emit("leave", "dev");
  await bobSeesLeave;
  const bothSeeCarolLeave = Promise.all([wait(alice, "left"), wait(bob, "left")]);
  carol.disconnect();
  await bothSeeCarolLeave;
  steps.push(`served by ${implementation}`);
  return log;
}

describe("examples/chat on socket.io and on pushwire", () => {
  for (const transports of [["polling"], ["websocket"]]) {
    it(`gives the same transcript on both servers over ${transports.join("+")}`, async () => {
      const onSocketIo = await play(await loadChat(SocketIoServer), transports);
      const onPushwire = await play(await loadChat(), transports);
      expect(onSocketIo.steps!.pop()).toBe("served by socket.io");
      expect(onPushwire.steps!.pop()).toBe("served by pushwire");
      expect(onPushwire).toEqual(onSocketIo);
      expect(onPushwire.steps).toContain('refused: invalid username {"expected":"[a-z]{1,16}"}');
      expect(onPushwire.steps).toContain('bob poll {"votes":["no","yes"],"timedOut":true}');
      expect(onPushwire.bob).toContain('message {"room":"dev","from":"alice","text":"hello dev"}');
    });
  }
});
