// Issue 8, limits: each queue the server keeps stops at its cap with a code. Most caps
// are reached in their case's test (docs/limits.md links them); this file holds the ones
// that had no test of their own, and checks that docs/limits.md links only tests that exist.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { PushwireError } from "../../src/errors.js";
import { closeAll, closeReason, startEngine, wsSession } from "../engine/harness.js";
import { afterEach } from "vitest";

afterEach(closeAll);

const root = new URL("../../", import.meta.url).pathname;

describe("limits", () => {
  it("closes a WebSocket whose message exceeds maxHttpBufferSize with 1009 and PW_ERR_ENGINE_PAYLOAD_TOO_LARGE", async () => {
    const { port, sessions } = await startEngine({ maxHttpBufferSize: 1000 });
    const client = await wsSession(port);
    const closed = closeReason(sessions[0]!);
    client.ws.send("4" + "x".repeat(1000));
    const { reason, description } = await closed;
    expect(reason).toBe("transport error");
    expect((description as PushwireError).code).toBe("PW_ERR_ENGINE_PAYLOAD_TOO_LARGE");
    expect((description as PushwireError).data).toEqual({
      code: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH",
    });
    expect((await client.closed).code).toBe(1009);
  });

  it("links, in docs/limits.md, only test files and test names that exist", () => {
    const doc = readFileSync(`${root}docs/limits.md`, "utf8");
    const rows = doc.split("\n").filter((line) => line.startsWith("| ") && line.includes("test/"));
    expect(rows.length).toBeGreaterThanOrEqual(12);
    for (const row of rows) {
      const files = [...row.matchAll(/`(test\/[\w/.-]+\.ts)`/g)].map((m) => m[1]!);
      const names = [...row.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
      expect(files.length, row).toBeGreaterThan(0);
      const sources = files.map((file) => readFileSync(`${root}${file}`, "utf8")).join("\n");
      for (const name of names) expect(sources, `${name} in ${files.join(", ")}`).toContain(name);
    }
  });
});
