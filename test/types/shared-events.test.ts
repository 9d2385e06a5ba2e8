// One pair of event interfaces types both ends: the server's sockets and the client's.
import { describe, expectTypeOf, it } from "vitest";
import type {
  EventsMap as ClientEventsMap,
  Socket as ClientSocket,
} from "../../src/client/index.js";
import type { EventsMap, Socket as ServerSocket } from "../../src/index.js";

interface ClientToServer {
  hello: (name: string, ack: (greeting: string) => void) => void;
}
interface ServerToClient {
  news: (item: { id: number }) => void;
}

describe("event maps shared by server and client", () => {
  it("are the same type on both sides", () => {
    expectTypeOf<EventsMap>().toEqualTypeOf<ClientEventsMap>();
  });

  it("check emit and on at both ends from one pair of interfaces", () => {
    const check = (
      server: ServerSocket<ClientToServer, ServerToClient>,
      client: ClientSocket<ServerToClient, ClientToServer>,
    ) => {
      server.emit("news", { id: 1 });
      server.on("hello", (name, ack) => ack(`hi ${name}`));
      client.emit("hello", "ada", (greeting) => expectTypeOf(greeting).toEqualTypeOf<string>());
      client.on("news", (item) => expectTypeOf(item.id).toEqualTypeOf<number>());
      // @ts-expect-error: the server does not emit client-to-server events
      server.emit("hello", "x", () => {});
      // @ts-expect-error: wrong payload
      client.emit("hello", 42, () => {});
    };
    expectTypeOf(check).toBeFunction();
  });
});
