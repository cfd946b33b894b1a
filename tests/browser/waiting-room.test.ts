// The whole purchase in a real browser (Debian's chromium driven by playwright-core) against a
// real server process: two users, one active slot (QUEUE_MAX_ACTIVE=1), everything live by push.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, type Page, type WebSocketRoute } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPagesIfStale, launchChromium } from "../helpers/browser.js";
import { startCluster, type Cluster } from "../helpers/server-processes.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SHOTS = join(ROOT, "test-results/screenshots/waiting-room");

/**
 * Puts the context's WebSockets to /graphql through Playwright, so the test can cut them like a
 * flaky network would: `drop()` closes the open ones and refuses new ones until `restore()`.
 */
async function cuttableSockets(context: BrowserContext) {
  let refusing = false;
  const open = new Set<WebSocketRoute>();
  await context.routeWebSocket(/\/graphql$/, (ws) => {
    if (refusing) return ws.close({ code: 1013, reason: "test: network down" });
    ws.connectToServer();
    open.add(ws);
    ws.onClose(() => open.delete(ws));
  });
  return {
    async drop() {
      refusing = true;
      await Promise.all([...open].map((ws) => ws.close({ code: 1001, reason: "test: network drop" })));
    },
    restore() {
      refusing = false;
    },
  };
}

/** Polls until the page shows what is expected: pushes and ticks take a moment to arrive. */
const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });

let cluster: Cluster;
let browser: Browser;
let step = 0;

async function shot(page: Page, name: string): Promise<void> {
  step += 1;
  await page.screenshot({
    path: join(SHOTS, `${String(step).padStart(2, "0")}-${name}.png`),
    fullPage: true,
    animations: "disabled",
  });
}

async function signUpAndPickConcert(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByRole("button", { name: "Sign up" }).click();
  await eventually(() => page.locator("#user-id").textContent()).toMatch(/^User /);
  await page.locator("button[data-concert-id]").first().click();
}

const seat = (page: Page, n: number) => page.locator(`#seat-map button[data-seat="${n}"]`);

async function chargeAndPay(page: Page, amount: number): Promise<void> {
  await page.locator("#charge-amount").fill(String(amount));
  await page.getByRole("button", { name: "Charge balance" }).click();
  await eventually(() => page.locator("#balance").textContent()).toContain(amount.toLocaleString("en-US"));
  await page.locator("#pay").click();
  await page.locator("#confirmation").waitFor();
}

describe("browser waiting room", () => {
  let a: BrowserContext;
  let b: BrowserContext;

  beforeAll(async () => {
    rmSync(SHOTS, { recursive: true, force: true }); // only this run's steps, numbered in order
    mkdirSync(SHOTS, { recursive: true });
    buildPagesIfStale();
    cluster = await startCluster(1, {
      QUEUE_MAX_ACTIVE: "1",
      QUEUE_TICK_MS: "200",
      RATE_LIMIT_ENABLED: "false",
    });
    browser = await launchChromium();
    a = await browser.newContext({ viewport: { width: 1024, height: 900 } });
    // B is on a phone-width screen: the page must stay usable at 360 px.
    b = await browser.newContext({ viewport: { width: 360, height: 780 }, isMobile: true, hasTouch: true });
  });

  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  it("serves the page at / from the built assets", async () => {
    const res = await fetch(`${cluster.servers[0]!.url}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<main id="app"');
  });

  it("takes two users through queue, live seat map, hold, charge and payment", async () => {
    const url = cluster.servers[0]!.url;
    const pageA = await a.newPage();
    const pageB = await b.newPage();
    const pageErrors: string[] = [];
    a.on("weberror", (e) => pageErrors.push(e.error().message));
    b.on("weberror", (e) => pageErrors.push(e.error().message));

    // A finds an empty queue and a free slot: admitted at once.
    await signUpAndPickConcert(pageA, url);
    await pageA.getByRole("heading", { name: /It's your turn/ }).waitFor();
    await eventually(() => seat(pageA, 5).getAttribute("data-status")).toBe("FREE");
    expect(await pageA.locator("#seat-map button").count()).toBe(50);
    await shot(pageA, "a-active-seat-map");

    // B waits behind A, first in line, pushed live.
    const network = await cuttableSockets(b);
    await signUpAndPickConcert(pageB, url);
    await eventually(() => pageB.locator("#queue-position").textContent()).toBe("1");
    await eventually(() => pageB.locator("#connection").getAttribute("data-state")).toBe("live");
    await shot(pageB, "b-waiting-position-1");
    // Readable at phone width: nothing sticks out sideways at 360 px.
    expect(await pageB.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);

    // A second tab of A (same stored token) watches the seat map while the first tab holds seat 5.
    const pageA2 = await a.newPage();
    await pageA2.goto(url);
    await eventually(() => seat(pageA2, 5).getAttribute("data-status")).toBe("FREE");
    await seat(pageA, 5).click();
    await eventually(() => seat(pageA, 5).getAttribute("data-status")).toBe("MINE");
    await eventually(() => pageA.locator("#hold-countdown").textContent()).toMatch(/^[0-9]+:[0-5][0-9]$/);
    await eventually(() => seat(pageA2, 5).getAttribute("aria-label")).toMatch(/^Seat 5, .*, held$/);
    await shot(pageA, "a-holds-seat-5");
    await shot(pageA2, "a-second-tab-sees-seat-5-held");
    await pageA2.close();

    // B reloads while waiting: same token from localStorage, same place.
    await pageB.reload();
    await eventually(() => pageB.locator("#queue-position").textContent()).toBe("1");
    await pageB.evaluate(() => {
      (window as unknown as { sameDocument: boolean }).sameDocument = true;
    });
    await shot(pageB, "b-still-position-1-while-a-holds");

    // B's socket drops: the page says so, falls back to polling queueStatus and keeps place 1;
    // when the network is back it reconnects by itself with the same token.
    const polled = pageB.waitForRequest((r) => r.postData()?.includes("QueueStatus") ?? false, {
      timeout: 20_000,
    });
    await network.drop();
    await eventually(() => pageB.locator("#connection").getAttribute("data-state")).toBe("reconnecting");
    await polled;
    expect(await pageB.locator("#queue-position").textContent()).toBe("1");
    await shot(pageB, "b-reconnecting-polls-keeps-place");
    network.restore();
    await eventually(() => pageB.locator("#connection").getAttribute("data-state")).toBe("live");
    expect(await pageB.locator("#queue-position").textContent()).toBe("1");

    // Paying before charging shows the contract's INSUFFICIENT_BALANCE as a human message.
    await pageA.locator("#pay").click();
    await eventually(() => pageA.locator("#notice").getAttribute("data-code")).toBe("INSUFFICIENT_BALANCE");
    expect(await pageA.locator("#notice").textContent()).toContain("Charge your balance");
    await shot(pageA, "a-insufficient-balance");

    await chargeAndPay(pageA, 200_000);
    await eventually(() => pageA.locator("#payments li").allTextContents()).toEqual([
      expect.stringContaining("Seat 5"),
    ]);
    await shot(pageA, "a-paid-confirmation");

    // A's payment frees the slot: B turns ACTIVE by push, in the same document (no reload).
    await pageB.getByRole("heading", { name: /It's your turn/ }).waitFor();
    expect(await pageB.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(
      true,
    );
    await eventually(() => seat(pageB, 5).getAttribute("data-status")).toBe("SOLD");
    expect(await seat(pageB, 5).isDisabled()).toBe(true);
    await shot(pageB, "b-active-sees-seat-5-sold");

    // Keyboard only: the seat is a real button, Enter holds it and focus moves on to "Pay".
    await seat(pageB, 6).focus();
    await pageB.keyboard.press("Enter");
    await eventually(() => seat(pageB, 6).getAttribute("data-status")).toBe("MINE");
    expect(await pageB.evaluate(() => document.activeElement?.id)).toBe("pay");
    await shot(pageB, "b-holds-seat-6");
    await chargeAndPay(pageB, 200_000);
    await eventually(() => pageB.locator("#payments li").allTextContents()).toEqual([
      expect.stringContaining("Seat 6"),
    ]);
    await shot(pageB, "b-paid-confirmation");
    expect(pageErrors).toEqual([]);
  });
});
