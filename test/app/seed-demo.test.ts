// The seed's demo (examples/seed): its handlers through the test client, then over
// real sockets with socket.io-client and pushwire/client, then as `npm start` runs it:
// a child process stopped with SIGTERM.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { io as theirIo, type Socket as TheirSocket } from "socket.io-client";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createSeedApp, NAMESPACE, STATIC_DIR } from "../../examples/seed/app.js";
import { io as ourIo } from "../../src/client/index.js";
import type { SocketIOTestClient } from "../../src/testing/index.js";
import { later } from "./helpers.js";

afterEach(() => {
  vi.restoreAllMocks();
});

function seed(tickSeconds = 3600): ReturnType<typeof createSeedApp> {
  const demo = createSeedApp({ tickSeconds });
  later(() => demo.socketio.close());
  return demo;
}

async function client(demo: ReturnType<typeof createSeedApp>): Promise<SocketIOTestClient> {
  const c = await demo.socketio.testClient({ namespace: NAMESPACE });
  later(() => c.close());
  return c;
}

function next<T = unknown>(
  socket: { once(ev: string, fn: (...a: any[]) => void): unknown },
  event: string,
): Promise<T> {
  return new Promise((resolve) => socket.once(event, (value: T) => resolve(value)));
}

describe("the seed's demo, through the test client", () => {
  it("greets a client on connect, to that client only", async () => {
    const demo = seed();
    const a = await client(demo);
    expect(a.getReceived()).toEqual([
      { name: "server_response", args: [{ data: "connected" }], namespace: NAMESPACE },
    ]);
    await client(demo);
    expect(a.getReceived()).toEqual([]);
  });

  it("echoes an unnamed message to its sender with send", async () => {
    const demo = seed();
    const [a, b] = [await client(demo), await client(demo)];
    a.getReceived();
    b.getReceived();
    await a.send("hello");
    expect(a.getReceived()).toEqual([{ name: "message", args: ["hello"], namespace: NAMESPACE }]);
    expect(b.getReceived()).toEqual([]);
  });

  it("answers my_event with my_response to the sender", async () => {
    const demo = seed();
    const [a, b] = [await client(demo), await client(demo)];
    a.getReceived();
    b.getReceived();
    await a.emit("my_event", { data: "hi" });
    expect(a.getReceived()).toEqual([
      { name: "my_response", args: [{ data: "hi" }], namespace: NAMESPACE },
    ]);
    expect(b.getReceived()).toEqual([]);
  });

  it("re-emits broadcast as server_response to every client of the namespace", async () => {
    const demo = seed();
    const [a, b] = [await client(demo), await client(demo)];
    a.getReceived();
    b.getReceived();
    await a.emit("broadcast", { data: "all" });
    for (const c of [a, b]) {
      expect(c.getReceived()).toEqual([
        { name: "server_response", args: [{ data: "all" }], namespace: NAMESPACE },
      ]);
    }
  });

  it("ticks to every client from its background task, numbered from 1", async () => {
    const demo = seed(0.001);
    const [a, b] = [await client(demo), await client(demo)];
    const isTick = (r: { args: unknown[] }): boolean =>
      String((r.args[0] as { data: string }).data).startsWith("tick");
    const seen: unknown[] = [];
    let bTicks = 0;
    for (let i = 0; i < 1000 && (seen.length < 3 || bTicks === 0); i++) {
      await new Promise((r) => setTimeout(r, 1));
      seen.push(...a.getReceived().filter(isTick));
      bTicks += b.getReceived().filter(isTick).length;
    }
    const numbers = seen.map((r) =>
      Number(/tick (\d+)/.exec((r as { args: [{ data: string }] }).args[0].data)![1]),
    );
    expect(numbers.length).toBeGreaterThanOrEqual(3);
    expect(numbers).toEqual([...numbers].sort((x, y) => x - y));
    expect(bTicks).toBeGreaterThan(0);
  });

  it("stops ticking when the app closes", async () => {
    const demo = createSeedApp({ tickSeconds: 0.001 });
    await demo.socketio.close();
    await demo.ticker.done;
    expect(demo.ticker.running).toBe(false);
  });
});

describe("the seed's demo, over real sockets", () => {
  it("serves the page and talks to socket.io-client and to pushwire/client", async () => {
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    vi.spyOn(console, "log").mockImplementation(() => {});
    const demo = seed();
    const { url } = await demo.socketio.run(demo.app, {
      port: 0,
      staticDir: STATIC_DIR,
      handleSignals: false,
    });
    const page = await (await fetch(`${url}/`)).text();
    expect(page).toContain('<script src="/socket.io/socket.io.js"></script>');
    expect(page).toContain('io.connect(scheme + location.host + "/test_conn")');
    expect((await fetch(`${url}/style.css`)).status).toBe(200);
    expect((await fetch(`${url}/nothing`)).status).toBe(404);

    const sockets: TheirSocket[] = [
      theirIo(`${url}${NAMESPACE}`, { forceNew: true, reconnection: false }),
      ourIo(`ws://127.0.0.1:${new URL(url).port}${NAMESPACE}`, {
        forceNew: true,
        reconnection: false,
      }) as unknown as TheirSocket,
    ];
    for (const s of sockets) later(() => void s.disconnect());
    const [theirs, ours] = sockets as [TheirSocket, TheirSocket];
    const greetings = [next(theirs, "server_response"), next(ours, "server_response")];
    expect(await Promise.all(greetings)).toEqual([{ data: "connected" }, { data: "connected" }]);

    const echo = next(theirs, "message");
    theirs.send("echo me");
    expect(await echo).toBe("echo me");
    const reply = next(ours, "my_response");
    ours.emit("my_event", { data: "ours" });
    expect(await reply).toEqual({ data: "ours" });
    const both = [next(theirs, "server_response"), next(ours, "server_response")];
    theirs.emit("broadcast", { data: "to all" });
    expect(await Promise.all(both)).toEqual([{ data: "to all" }, { data: "to all" }]);
  });
});

describe("the seed's demo as a process", () => {
  function start(): {
    child: ChildProcess;
    port: Promise<number>;
    output: () => string;
    exited: Promise<number | null>;
  } {
    const root = fileURLToPath(new URL("../../", import.meta.url));
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "examples/seed/server.ts", "--port", "0"],
      {
        cwd: root,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    later(() => void child.kill("SIGKILL"));
    let out = "";
    const port = new Promise<number>((resolve, reject) => {
      child.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      child.stderr!.on("data", (chunk: Buffer) => (out += chunk.toString()));
      child.once("exit", (code) => reject(new Error(`the demo exited with ${code}: ${out}`)));
    });
    const exited = new Promise<number | null>((resolve) =>
      child.once("exit", (code) => resolve(code)),
    );
    return { child, port, output: () => out, exited };
  }

  it("stops gracefully on SIGTERM: clients are told, the process exits with 0", async () => {
    const demo = start();
    const port = await demo.port;
    const socket = theirIo(`http://127.0.0.1:${port}${NAMESPACE}`, {
      forceNew: true,
      reconnection: false,
      transports: ["websocket"],
    });
    later(() => void socket.disconnect());
    expect(await next(socket, "server_response")).toEqual({ data: "connected" });
    expect(await next(socket, "server_response")).toEqual({ data: "tick 1" });
    const reason = next<string>(socket, "disconnect");
    demo.child.kill("SIGTERM");
    expect(await reason).toBe("transport close");
    expect(await demo.exited).toBe(0);
    expect(demo.output()).toContain("pushwire: SIGTERM: stopping");
    expect(demo.output()).toContain("pushwire: stopped");
  });

  it("refuses an invalid port with a message and exit code 2", async () => {
    const root = fileURLToPath(new URL("../../", import.meta.url));
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "examples/seed/server.ts", "--port", "http"],
      {
        cwd: root,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let err = "";
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(2);
    expect(err).toContain("invalid port: http");
  });
});
