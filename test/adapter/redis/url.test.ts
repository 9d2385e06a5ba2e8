// redisMessageQueue(url): the adapter factory and an emitter from one Redis URL, what
// the Flask-style face's `SocketIO({ messageQueue })` is built on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisMessageQueue } from "../../../src/adapter/redis/index.js";
import { FakeHost, until } from "../../cluster/fake-host.js";
import {
  startFaultProxy,
  startRedis,
  type FaultProxy,
  type RedisServer,
} from "../../support/redis-server.js";

let redis: RedisServer;
let proxy: FaultProxy;

beforeAll(async () => {
  redis = await startRedis();
  proxy = await startFaultProxy(redis.socketPath); // a TCP port for the URL
});
afterAll(async () => {
  await proxy.close();
  await redis.close();
});

describe("redisMessageQueue", () => {
  it("gives a server's adapter and a write-only emitter that reach the same clients", async () => {
    const url = `redis://127.0.0.1:${proxy.port}`;
    const server = redisMessageQueue(url, { log: () => {} });
    const worker = redisMessageQueue(url, { log: () => {} });
    try {
      await Promise.all([server.ready, worker.ready]);
      const host = new FakeHost("/");
      host.adapter = server.adapter(host);
      await host.adapter.init();
      const s = host.connect("jobs");
      worker.emitter.to("jobs").emit("done", { id: 1 });
      worker.emitter.serverSideEmit("reload");
      await until(() => s.received.length === 1 && host.serverSide.length === 1);
      expect(s.received[0]!.data).toEqual(["done", { id: 1 }]);
      expect(host.serverSide).toEqual([["reload"]]);
      await host.adapter.close();
    } finally {
      await Promise.all([server.close(), worker.close()]);
    }
  });

  it("throws at once for a URL that is not a Redis URL", () => {
    expect(() => redisMessageQueue("http://127.0.0.1:1")).toThrow(/protocol/i);
  });
});
