// Three nodes in three processes: a node SIGKILLed, and Redis SIGKILLed and restarted
// (RELIABILITY C1, C4). Short heartbeat intervals keep the suite fast.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startRedis, type RedisServer } from "../support/redis-server.js";
import { until } from "./fake-host.js";
import { spawnNode, type NodeProcess as Node } from "./spawn.js";

const INTERVAL = 200; // heartbeatTimeout = 600 ms
const REQUESTS_TIMEOUT = 3000;

let redis: RedisServer;
let nodes: Node[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterEach(() => {
  for (const n of nodes) n.child.kill("SIGKILL");
  nodes = [];
});
afterAll(async () => {
  await redis.close();
});

async function startNode(): Promise<Node> {
  const node = await spawnNode("./fake-node.ts", {
    REDIS_PATH: redis.socketPath,
    HB_INTERVAL: String(INTERVAL),
    REQUESTS_TIMEOUT: String(REQUESTS_TIMEOUT),
  });
  nodes.push(node);
  return node;
}

async function cluster(): Promise<Node[]> {
  const started = await Promise.all([startNode(), startNode(), startNode()]);
  await until(async () => {
    for (const n of started) {
      const { nodes: peers } = await n.call<{ nodes: string[] }>("state");
      expect(peers).toHaveLength(2);
    }
  }, 5000);
  return started;
}

type Received = Record<string, unknown[][]>;

describe("cluster of three processes", () => {
  it("stops waiting for a SIGKILLed node after the heartbeat timeout", async () => {
    const [a, b, c] = (await cluster()) as [Node, Node, Node];
    const { sid: sa } = await a.call<{ sid: string }>("connect", { rooms: [] });
    const { sid: sb } = await b.call<{ sid: string }>("connect", { rooms: [] });
    await c.call("connect", { rooms: [] });
    const all = await a.call<{ ids: string[] }>("fetch");
    expect(all.ids).toHaveLength(3);

    c.child.kill("SIGKILL");
    const after = await a.call<{ ids?: string[]; code?: string; elapsed: number }>("fetch");
    // Answered without the dead node, long before requestsTimeout.
    expect(after.code).toBeUndefined();
    expect(after.ids!.sort()).toEqual([sa, sb].sort());
    expect(after.elapsed).toBeLessThan(REQUESTS_TIMEOUT);
    const state = await a.call<{ nodes: string[] }>("state");
    expect(state.nodes).toEqual([b.uid]);
    expect([a.child.exitCode, b.child.exitCode]).toEqual([null, null]);
  });

  it("keeps local delivery through a Redis SIGKILL and resumes cross-node delivery within 2 s of the restart", async () => {
    const [a, b, c] = (await cluster()) as [Node, Node, Node];
    const { sid: sa } = await a.call<{ sid: string }>("connect", { rooms: ["r"] });
    const { sid: sb } = await b.call<{ sid: string }>("connect", { rooms: ["r"] });
    await c.call("connect", { rooms: ["r"] });

    await redis.kill();
    await until(async () => {
      expect((await a.call<{ reachable: boolean }>("state")).reachable).toBe(false);
    }, 3000);
    const outageStart = Date.now();
    let sent = 0;
    while (Date.now() - outageStart < 3000) {
      await a.call("broadcast", { data: ["during", sent++], rooms: ["r"] });
      await new Promise((r) => setTimeout(r, 20));
    }
    const { received: localA } = await a.call<{ received: Received }>("received");
    expect(localA[sa]!.filter((d) => d[0] === "during")).toHaveLength(sent); // 100 %
    const fetch = await a.call<{ code?: string; elapsed: number }>("fetch");
    expect(fetch.code).toBe("PW_ERR_CLUSTER_UNAVAILABLE");
    expect(fetch.elapsed).toBeLessThan(100);

    await redis.restart();
    const restarted = Date.now();
    let probe = 0;
    let recovery = -1;
    while (Date.now() - restarted < 5000) {
      await a.call("broadcast", { data: ["probe", probe++], rooms: ["r"] });
      const { received } = await b.call<{ received: Received }>("received");
      if (received[sb]!.some((d) => d[0] === "probe")) {
        recovery = Date.now() - restarted;
        break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    console.log(`Redis down ~3 s; cross-node delivery back ${recovery} ms after the restart`);
    expect(recovery).toBeGreaterThanOrEqual(0);
    expect(recovery).toBeLessThan(2000);
    await until(async () => {
      for (const n of [a, b, c]) {
        const s = await n.call<{ reachable: boolean; nodes: string[] }>("state");
        expect(s.reachable).toBe(true);
        expect(s.nodes).toHaveLength(2);
      }
    }, 3000);
    expect(nodes.map((n) => n.child.exitCode)).toEqual([null, null, null]);
  });
});
