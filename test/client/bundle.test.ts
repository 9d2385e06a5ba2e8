// The browser bundle (built by the global setup): as small as socket.io-client's or
// smaller, min+gzip, and the classic script defines the callable global `io`.
import { readFileSync } from "node:fs";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { sizeOf } from "../../scripts/build-client.js";

const read = (path: string) => readFileSync(new URL(path, import.meta.url));
const ours = (name: string) => read(`../../dist/client-bundle/${name}`);

describe("browser bundle", () => {
  it("is no larger than socket.io-client's socket.io.min.js, min+gzip", () => {
    const theirs = sizeOf(read("../../node_modules/socket.io-client/dist/socket.io.min.js"));
    expect(sizeOf(ours("socket.io.min.js")).gzip).toBeLessThanOrEqual(theirs.gzip);
    expect(sizeOf(ours("socket.io.esm.min.js")).gzip).toBeLessThanOrEqual(theirs.gzip);
  });

  it("defines a global io with connect, Manager and Socket from the classic script", () => {
    for (const name of ["socket.io.js", "socket.io.min.js"]) {
      const context: Record<string, any> = {};
      runInNewContext(ours(name).toString(), context);
      expect(typeof context.io).toBe("function");
      expect(context.io.connect).toBe(context.io);
      expect(typeof context.io.Manager).toBe("function");
      expect(typeof context.io.Socket).toBe("function");
      expect(context.io.protocol).toBe(5);
    }
  });

  it("points each bundle at its source map, and does not contain ws", () => {
    for (const name of ["socket.io.js", "socket.io.min.js", "socket.io.esm.min.js"]) {
      const code = ours(name).toString();
      expect(code).toContain(`//# sourceMappingURL=${name}.map`);
      // The WebSocket GUID of RFC 6455, section 1.3: in ws, never in a browser client.
      expect(code).not.toContain("258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
    }
  });
});
