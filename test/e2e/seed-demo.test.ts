// The seed's demo in headless Chromium: two pages of the demo see the connect message,
// the ticker's ticks, their own echo and my_response, and each other's broadcasts; a
// screenshot is saved under .artifacts/.
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createSeedApp, STATIC_DIR } from "../../examples/seed/app.js";

const ARTIFACTS = fileURLToPath(new URL("../../.artifacts/", import.meta.url));

let browser: Browser;
let demo: ReturnType<typeof createSeedApp>;
let url: string;

beforeAll(async () => {
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  vi.spyOn(console, "log").mockImplementation(() => {});
  demo = createSeedApp();
  ({ url } = await demo.socketio.run(demo.app, {
    port: 0,
    staticDir: STATIC_DIR,
    handleSignals: false,
  }));
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
});

afterAll(async () => {
  await browser?.close();
  await demo?.socketio.close();
  vi.restoreAllMocks();
});

/** The lines the page lists, as shown. */
function lines(page: Page): Promise<string[]> {
  return page.locator("#log li").allTextContents();
}

async function open(): Promise<{ page: Page; console: string[] }> {
  const page = await browser.newPage();
  const messages: string[] = [];
  page.on("console", (msg) => messages.push(msg.text()));
  await page.goto(`${url}/`);
  return { page, console: messages };
}

describe("the seed's demo in a browser", () => {
  it("shows the connect message, ticks, echoes, my_response and the other page's broadcast", async () => {
    const first = await open();
    const second = await open();
    for (const { page } of [first, second]) {
      await page.locator("#log li", { hasText: "server_response: connected" }).waitFor();
      await expect(page.locator("#status").textContent()).resolves.toMatch(
        /^connected to \/test_conn as /,
      );
    }

    // At least three ticks of the background task, in order.
    await first.page
      .locator("#log li", { hasText: /server_response: tick [3-9]/ })
      .first()
      .waitFor({ timeout: 10_000 });
    const ticks = (await lines(first.page)).filter((l) => l.startsWith("server_response: tick"));
    const numbers = ticks.map((l) => Number(l.split("tick ")[1]));
    expect(numbers.length).toBeGreaterThanOrEqual(3);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));

    // Send (unnamed message, echoed) and Emit (my_event -> my_response) reach this page only.
    await first.page.fill("#text", "just me");
    await first.page.click("#send");
    await first.page.click("#emit");
    await first.page.locator("#log li", { hasText: "message: just me" }).waitFor();
    await first.page.locator("#log li", { hasText: "my_response: just me" }).waitFor();

    // Broadcast from the second page reaches the first.
    await second.page.fill("#text", "from the other page");
    await second.page.click("#broadcast");
    await first.page
      .locator("#log li", { hasText: "server_response: from the other page" })
      .waitFor();
    await second.page
      .locator("#log li", { hasText: "server_response: from the other page" })
      .waitFor();
    expect(await lines(second.page)).not.toContain("message: just me");
    expect(await lines(second.page)).not.toContain("my_response: just me");

    // The page logs what arrives to the console too.
    expect(first.console.some((m) => m.startsWith("server_response"))).toBe(true);

    mkdirSync(ARTIFACTS, { recursive: true });
    await first.page.screenshot({ path: `${ARTIFACTS}seed-demo.png`, fullPage: true });
    await first.page.close();
    await second.page.close();
  });
});
