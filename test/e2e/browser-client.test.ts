// The browser bundle in headless Chromium: a page written as the seed's page is
// (`<script src="/socket.io/socket.io.js">`, `io.connect("ws://...:PORT/test_conn")`,
// `socket.on("server_response", ...)`) loads the bundle the server serves and receives
// pushed events; then acknowledgements, binary (ArrayBuffer, Blob), the XHR-polling to
// WebSocket upgrade, and the ESM bundle. Against the official socket.io server (serving
// our bundle through serveClientFile) and against the pushwire server (serving it
// itself).
import { readFileSync } from "node:fs";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser, type Page } from "playwright-core";
import { Server as SocketIOServer } from "socket.io";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Server as PushwireServer } from "../../src/index.js";
import { serveClientFile } from "../../src/server/serve-client.js";

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");

interface Target {
  name: string;
  /** Attaches a server to `http`; it must serve our bundle at /socket.io/. */
  attach(http: HttpServer): any;
}

const targets: Target[] = [
  {
    name: "socket.io",
    attach(http) {
      // socket.io would serve socket.io-client's bundle: serve ours in front of it.
      const io = new SocketIOServer(http, { serveClient: false });
      const handlers = http.listeners("request") as ((...args: unknown[]) => void)[];
      http.removeAllListeners("request");
      http.on("request", (req, res) => {
        if (!serveClientFile(req, res)) for (const h of handlers) h.call(http, req, res);
      });
      return io;
    },
  },
  { name: "pushwire", attach: (http) => new PushwireServer(http) },
];

let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
});

afterAll(async () => {
  await browser?.close();
});

describe.each(targets)("browser client against the $name server", (target) => {
  let http: HttpServer;
  let io: any;
  let port: number;
  let page: Page;
  let ticker: ReturnType<typeof setInterval> | undefined;
  const pageErrors: string[] = [];

  beforeEach(async () => {
    http = createServer((req, res) => {
      const page = req.url === "/" ? "seed-page.html" : req.url === "/esm" ? "esm-page.html" : null;
      if (page === null) {
        res.writeHead(404);
        res.end();
        return;
      }
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      res.end(fixture(page).replace("__PORT__", String(port)));
    });
    io = target.attach(http);
    const nsp = io.of("/test_conn");
    nsp.on("connection", (s: any) => {
      s.emit("server_response", { data: "connected" });
      s.on("echo", (value: unknown, ack: (v: unknown) => void) => ack(value));
      s.on("describe", (value: unknown, ack: (v: unknown) => void) =>
        ack(Buffer.isBuffer(value) ? `Buffer ${[...value].join(",")}` : typeof value),
      );
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    port = (http.address() as AddressInfo).port;
    page = await browser.newPage();
    pageErrors.length = 0;
    page.on("pageerror", (err) => pageErrors.push(err.message));
  });

  afterEach(async () => {
    clearInterval(ticker);
    await page.close();
    await new Promise<void>((resolve) => io.close(() => resolve()));
  });

  it("runs the seed's page on the served socket.io.js and receives pushed events", async () => {
    const bundle = page.waitForResponse((r) => r.url().endsWith("/socket.io/socket.io.js"));
    const connected = new Promise((resolve) => io.of("/test_conn").on("connection", resolve));
    await page.goto(`http://127.0.0.1:${port}/`);
    const response = await bundle;
    expect(response.status()).toBe(200);
    expect(response.headers().etag).toMatch(/^"/);
    await connected;
    // Pushed by the server, as the seed's background task does.
    let n = 0;
    ticker = setInterval(() => {
      n++;
      io.of("/test_conn").emit("server_response", { data: `tick ${n}` });
    }, 20);
    await page.waitForFunction(() => document.querySelectorAll("#log li").length >= 4);
    const items = await page.$$eval("#log li", (lis) => lis.map((li) => li.textContent));
    expect(items[0]).toBe("connected");
    expect(items.slice(1, 4)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^tick \d+$/)]),
    );
    expect(pageErrors).toEqual([]);
  });

  it("upgrades from XHR polling to WebSocket in the browser, with acks and binary both ways", async () => {
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => (window as any).socket.connected);
    await page.waitForFunction(
      () => (window as any).socket.io.engine.transport.name === "websocket",
    );
    const result = await page.evaluate(async () => {
      const socket = (window as any).socket;
      const echoed: ArrayBuffer = await socket.emitWithAck(
        "echo",
        new Uint8Array([1, 2, 3]).buffer,
      );
      const fromBlob: string = await socket.emitWithAck(
        "describe",
        new Blob([new Uint8Array([4, 5])]),
      );
      const nested = await socket.emitWithAck("echo", { a: [new Uint16Array([0x0201])] });
      return {
        isArrayBuffer: echoed instanceof ArrayBuffer,
        echoed: [...new Uint8Array(echoed)],
        fromBlob,
        nested: [...new Uint8Array(nested.a[0])],
        timeout: await socket
          .timeout(20)
          .emitWithAck("nobody-answers")
          .catch((err: Error) => err.message),
      };
    });
    expect(result).toEqual({
      isArrayBuffer: true,
      echoed: [1, 2, 3],
      fromBlob: "Buffer 4,5",
      nested: [1, 2],
      timeout: "operation has timed out",
    });
    expect(pageErrors).toEqual([]);
  });

  it("stays on XHR polling when told to, and still gets binary", async () => {
    await page.goto(`http://127.0.0.1:${port}/`);
    const result = await page.evaluate(async () => {
      const w = window as any;
      w.socket.disconnect();
      const polling = w.io("/test_conn", { transports: ["polling"], forceNew: true });
      await new Promise((resolve) => polling.once("connect", resolve));
      const echoed: ArrayBuffer = await polling.emitWithAck("echo", new Uint8Array([9]).buffer);
      const name = polling.io.engine.transport.name;
      polling.disconnect();
      return { name, echoed: [...new Uint8Array(echoed)] };
    });
    expect(result).toEqual({ name: "polling", echoed: [9] });
  });

  it("closes silently on beforeunload with closeOnBeforeunload: the server sees it, the page gets no disconnect", async () => {
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => (window as any).socket.connected);
    await page.evaluate(() => (window as any).socket.disconnect());
    const serverSide = new Promise<any>((resolve) => io.of("/test_conn").on("connection", resolve));
    await page.evaluate(async () => {
      const w = window as any;
      w.leaving = w.io("/test_conn", {
        closeOnBeforeunload: true,
        forceNew: true,
        transports: ["websocket"],
      });
      w.leavingEvents = [];
      w.leaving.on("disconnect", (reason: string) => w.leavingEvents.push(reason));
      await new Promise((resolve) => w.leaving.once("connect", resolve));
    });
    const s = await serverSide;
    const gone = new Promise<string>((resolve) => s.on("disconnect", resolve));
    await page.evaluate(() => window.dispatchEvent(new Event("beforeunload")));
    expect(await gone).toBe("transport close");
    expect(await page.evaluate(() => (window as any).leavingEvents)).toEqual([]);
  });

  it("serves the ESM bundle, which connects from a module script", async () => {
    await page.goto(`http://127.0.0.1:${port}/esm`);
    await page.waitForFunction(
      () => document.getElementById("status")!.textContent === "connected",
    );
    expect(pageErrors).toEqual([]);
  });
});
