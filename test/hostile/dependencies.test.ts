// RELIABILITY 3d, D8: the dependency floor. The installed `ws` is 8.21.0 or later and
// behaves as its fix a2f4e7c says (empty fragments count against maxFragments); no
// runtime dependency has a high or critical advisory; our client keeps TLS verification.
import { execFile } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:https";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { io, type Socket as OurSocket } from "../../src/client/index.js";
import { Server } from "../../src/index.js";

const require = createRequire(import.meta.url);
const root = new URL("../../", import.meta.url).pathname;
const run = promisify(execFile);

/** Compares dotted versions numerically: -1, 0 or 1. */
function compare(a: string, b: string): number {
  const x = a.split(/[.+-]/).map(Number);
  const y = b.split(/[.+-]/).map(Number);
  for (let i = 0; i < 3; i++)
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0) ? -1 : 1;
  return 0;
}

function installed(name: string): string {
  const path = join(root, "node_modules", name, "package.json");
  return (JSON.parse(readFileSync(path, "utf8")) as { version: string }).version;
}

/** A masked client frame (RFC 6455 5.2), as a browser sends it. */
function clientFrame(opcode: number, payload: Buffer, fin: boolean): Buffer {
  const mask = Buffer.from([1, 2, 3, 4]);
  const head = Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | payload.length]);
  const body = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
  return Buffer.concat([head, mask, body]);
}

/**
 * The lowest version of each runtime dependency we accept: the first release with the
 * fixes of the advisories RELIABILITY §1 lists (ws), else the floor package.json pins.
 */
const FLOORS: Record<string, string> = {
  ws: "8.21.0", // CVE-2026-48779 (8.21.0); CVE-2026-45736 (8.20.1); CVE-2024-37890 (8.17.1)
  "@msgpack/msgpack": "3.1.3",
  "notepack.io": "3.0.1",
};

/** The advisory counts of an `npm audit --json` report, or undefined for no report. */
function auditCounts(stdout: string): Record<string, number> | undefined {
  try {
    const report = JSON.parse(stdout) as {
      metadata?: { vulnerabilities?: Record<string, number> };
    };
    return report.metadata?.vulnerabilities;
  } catch {
    return undefined;
  }
}

describe("D8 dependency floor", () => {
  it("D8 runs ws 8.21.0 or later", () => {
    expect(compare(installed("ws"), "8.21.0")).toBeGreaterThanOrEqual(0);
  });

  it("D8 has the ws fix a2f4e7c: empty fragments count against maxFragments", async () => {
    const { Receiver } = require("ws") as {
      Receiver: new (options: object) => NodeJS.WritableStream & {
        on(event: "error", fn: (err: Error & { code: string; [k: symbol]: number }) => void): void;
      };
    };
    const receiver = new Receiver({ isServer: true, maxFragments: 4 });
    const errors: (Error & { code: string })[] = [];
    receiver.on("error", (err) => errors.push(err));
    receiver.write(clientFrame(1, Buffer.from("4"), false));
    for (let i = 0; i < 4; i++) receiver.write(clientFrame(0, Buffer.alloc(0), false));
    await new Promise((resolve) => setImmediate(resolve)); // a stream reports errors a tick later
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe("Too many message fragments");
    expect(errors[0]!.code).toBe("WS_ERR_TOO_MANY_BUFFERED_PARTS");
    // Our server keeps ws's default cap; test/hostile/engine-websocket.test.ts (A3-4)
    // sends 17,000 empty fragments and sees close 1008.
  });

  it("D8 keeps every runtime dependency at or above its floor", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies).sort()).toEqual(Object.keys(FLOORS).sort());
    for (const [name, floor] of Object.entries(FLOORS)) {
      expect(compare(installed(name), floor), `${name} ${installed(name)} < ${floor}`).not.toBe(-1);
    }
  });

  it("D8 finds no high or critical advisory with npm audit --omit=dev, or says it could not ask", async () => {
    let vulnerabilities: Record<string, number> | undefined;
    let failure = "";
    try {
      const { stdout } = await run("npm", ["audit", "--omit=dev", "--json"], {
        cwd: root,
        timeout: 60_000,
      });
      vulnerabilities = auditCounts(stdout);
      if (vulnerabilities === undefined) failure = "no report in npm audit's output";
    } catch (err) {
      // npm audit exits 1 when it finds advisories: its report is on stdout.
      vulnerabilities = auditCounts((err as { stdout?: string }).stdout ?? "");
      if (vulnerabilities === undefined) failure = (err as Error).message.split("\n")[0]!;
    }
    if (vulnerabilities !== undefined) {
      const counts = vulnerabilities;
      expect({ high: counts.high ?? 0, critical: counts.critical ?? 0 }).toEqual({
        high: 0,
        critical: 0,
      });
      return;
    }
    // The advisory endpoint is unreachable (no network, or a registry mirror without
    // it): say so, and rely on the pinned floors checked above.
    console.warn(
      `D8: npm audit could not reach the advisory database (${failure}); ` +
        "the pinned floors of the runtime dependencies were checked instead.",
    );
    expect(failure).not.toBe("");
    for (const [name, floor] of Object.entries(FLOORS)) {
      expect(compare(installed(name), floor)).toBeGreaterThanOrEqual(0);
    }
  }, 90_000);
});

describe("D8 TLS verification in our client", () => {
  const dir = mkdtempSync(join(tmpdir(), "pushwire-tls-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("D8 refuses a self-signed certificate over WebSocket and polling unless given its CA", async () => {
    await run("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-days",
      "1",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ]);
    const cert = readFileSync(join(dir, "cert.pem"));
    const https = createServer({ key: readFileSync(join(dir, "key.pem")), cert });
    const server = new Server(https, { serveClient: false });
    https.listen(0, "127.0.0.1");
    await once(https, "listening");
    const url = `https://127.0.0.1:${(https.address() as { port: number }).port}`;
    const sockets: OurSocket[] = [];
    const attempt = (options: Record<string, unknown>): Promise<string> => {
      const socket = io(url, { forceNew: true, reconnection: false, ...options });
      sockets.push(socket);
      return new Promise((resolve) => {
        socket.on("connect", () => resolve("connected"));
        socket.on("connect_error", () => resolve("refused"));
      });
    };
    try {
      expect(await attempt({ transports: ["websocket"] })).toBe("refused");
      expect(await attempt({ transports: ["polling"] })).toBe("refused");
      expect(await attempt({ transports: ["websocket"], ca: cert })).toBe("connected");
    } finally {
      for (const socket of sockets) socket.disconnect();
      https.closeAllConnections();
      await server.close();
    }
  });
});
