// Requests in flight and node liveness, on a fake clock.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { NodeTable } from "../../src/adapter/cluster-nodes.js";
import { PendingRequests } from "../../src/adapter/cluster-requests.js";
import { PushwireError } from "../../src/errors.js";

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

describe("PendingRequests", () => {
  it("resolves at once when no node is waited for", async () => {
    await expect(
      new PendingRequests(1000, 10).add("r", "x", [], () => {}),
    ).resolves.toBeUndefined();
  });

  it("resolves when every waited-for node answered, collecting each answer once", async () => {
    const requests = new PendingRequests(1000, 10);
    const got: unknown[] = [];
    const done = requests.add("r", "x", ["a", "b"], (uid, v) => got.push([uid, v]));
    requests.answer("r", "a", 1);
    requests.answer("r", "a", 1); // a duplicate
    requests.answer("r", "zz", 9); // not waited for
    expect(requests.has("r")).toBe(true);
    requests.answer("r", "b", 2);
    await done;
    expect(got).toEqual([
      ["a", 1],
      ["b", 2],
    ]);
    expect(requests.size).toBe(0);
  });

  it("stops waiting for a node that is forgotten", async () => {
    const requests = new PendingRequests(1000, 10);
    const done = requests.add("r", "x", ["a", "b"], () => {});
    requests.answer("r", "a", 1);
    requests.forget("b");
    await expect(done).resolves.toBeUndefined();
  });

  it("rejects after the timeout, naming the nodes that did not answer", async () => {
    const requests = new PendingRequests(1000, 10);
    const done = requests.add("r", "fetchSockets", ["a", "b", "c"], () => {});
    requests.answer("r", "b", 1);
    vi.advanceTimersByTime(1000);
    const err = (await done.catch((e: unknown) => e)) as PushwireError;
    expect(err.code).toBe("PW_ERR_CLUSTER_REQUEST_TIMEOUT");
    expect(err.message).toBe(
      "timeout reached while waiting for fetchSockets: no answer within 1000 ms from nodes a, c",
    );
    expect(err.data).toEqual({ missing: ["a", "c"] });
    requests.answer("r", "a", 1); // late: ignored
  });

  it("refuses a request beyond its cap", async () => {
    const requests = new PendingRequests(1000, 1);
    void requests.add("r1", "x", ["a"], () => {}).catch(() => {});
    const err = (await requests
      .add("r2", "x", ["a"], () => {})
      .catch((e: unknown) => e)) as PushwireError;
    expect(err.code).toBe("PW_ERR_CLUSTER_TOO_MANY_REQUESTS");
    requests.rejectAll(new PushwireError("PW_ERR_CLUSTER_CLOSED"));
  });

  it("fails every request with the given error when the adapter closes", async () => {
    const requests = new PendingRequests(1000, 10);
    const a = requests.add("r1", "x", ["a"], () => {});
    const b = requests.add("r2", "x", ["b"], () => {});
    requests.rejectAll(new PushwireError("PW_ERR_CLUSTER_CLOSED"));
    await expect(a).rejects.toMatchObject({ code: "PW_ERR_CLUSTER_CLOSED" });
    await expect(b).rejects.toMatchObject({ code: "PW_ERR_CLUSTER_CLOSED" });
    expect(requests.size).toBe(0);
  });
});

describe("NodeTable", () => {
  it("tells new nodes from known ones and expires the silent ones", () => {
    const nodes = new NodeTable();
    expect(nodes.touch("a", 0)).toBe(true);
    expect(nodes.touch("a", 50)).toBe(false);
    nodes.touch("b", 10);
    expect(nodes.expire(20)).toEqual(["b"]);
    expect(nodes.ids()).toEqual(["a"]);
  });

  it("gives every node a fresh period after an outage", () => {
    const nodes = new NodeTable();
    nodes.touch("a", 0);
    nodes.refresh(100);
    expect(nodes.expire(50)).toEqual([]);
    expect(nodes.remove("a")).toBe(true);
    expect(nodes.size).toBe(0);
  });
});
