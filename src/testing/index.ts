/**
 * `pushwire/testing`: an in-process test client. It is pushwire's real client over a
 * loopback transport paired with a server-side Engine.IO connection, so tests exercise
 * the real server and the real client with no port and no network.
 *
 * @example
 * ```ts
 * import { SocketIOTestClient } from "pushwire/testing";
 *
 * const client = await new SocketIOTestClient(io, { namespace: "/chat" }).ready;
 * await client.emit("hello", "world");
 * console.log(client.getReceived());
 * ```
 *
 * @module
 */
export {
  SocketIOTestClient,
  type ConnectRefusal,
  type ReceivedEvent,
  type TestClientHandler,
  type TestClientOptions,
  type TestClientTarget,
} from "./test-client.js";
