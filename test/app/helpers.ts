// Shared by the face's suites: apps and test clients closed after each test.
import { afterEach } from "vitest";
import { SocketIO, type SocketIOOptions } from "../../src/index.js";
import type { SocketIOTestClient, TestClientOptions } from "../../src/testing/index.js";

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A SocketIO closed after the test. */
export function makeApp(options: SocketIOOptions = {}): SocketIO {
  const socketio = new SocketIO({ serveClient: false, ...options });
  cleanups.push(() => socketio.close());
  return socketio;
}

/** A connected test client, closed after the test. */
export async function testClient(
  socketio: SocketIO,
  opts: TestClientOptions = {},
): Promise<SocketIOTestClient> {
  const client = await socketio.testClient(opts);
  cleanups.push(() => client.close());
  return client;
}

/** Runs `fn` after the test. */
export function later(fn: () => Promise<void> | void): void {
  cleanups.push(async () => fn());
}

/** A promise and its resolve function. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
