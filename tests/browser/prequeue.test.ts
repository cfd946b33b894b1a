// The waiting room before a scheduled opening, in a real browser (Debian's chromium driven by
// playwright-core) against a real server process: "Sale opens in mm:ss" counting down for a
// PREQUEUED ticket, then, pushed at the draw, the place the draw gave it.
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type PrismaClient } from "../../src/platform/db/prisma.js";
import { issue, signUp } from "../helpers/queue-helpers.js";
import { AdminTestClient, createConcert, TEST_OPERATOR_KEYS } from "../helpers/admin-client.js";
import { drawKey } from "../helpers/sale-fixture.js";
import { buildPagesIfStale, launchChromium } from "../helpers/browser.js";
import { startCluster, type Cluster } from "../helpers/server-processes.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SHOTS = join(ROOT, "test-results/screenshots/prequeue");
const OPENS_IN_MS = 25_000;

const eventually = <T>(read: () => Promise<T> | T, timeout = 20_000) =>
  expect.poll(read, { timeout, interval: 100 });

async function shot(page: Page, name: string): Promise<string> {
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true, animations: "disabled" });
  return path;
}

describe("browser pre-queue", () => {
  let cluster: Cluster;
  let browser: Browser;
  let prisma: PrismaClient;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    buildPagesIfStale();
    // One slot: after the draw its head is admitted and everyone else waits, in draw order.
    cluster = await startCluster(1, {
      QUEUE_MAX_ACTIVE: "1",
      QUEUE_TICK_MS: "300",
      QUEUE_ACTIVE_SECONDS: "600",
      RATE_LIMIT_ENABLED: "false",
      OPERATOR_KEYS: TEST_OPERATOR_KEYS,
    });
    prisma = createDatabase(cluster.env.databaseUrl, 2).prisma;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await prisma?.$disconnect();
    await cluster?.stop();
  });

  it("counts down to the opening, then shows the drawn place in line", async () => {
    const server = cluster.servers[0]!;
    const opensAt = new Date(Date.now() + OPENS_IN_MS);
    // The operator creates the concert with its opening (Operator API).
    const admin = new AdminTestClient(server.url);
    const { id: concertId } = await createConcert(admin, {
      title: "Scheduled Live",
      saleOpensAt: opensAt.toISOString(),
    });
    const context = await browser.newContext({ viewport: { width: 1024, height: 760 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    context.on("weberror", (e) => pageErrors.push(e.error().message));

    await page.goto(server.url);
    await page.getByRole("button", { name: "Sign up" }).click();
    await eventually(() => page.locator("#user-id").textContent()).toMatch(/^User /);
    await page.locator(`button[data-concert-id="${concertId}"]`).click();
    const countdown = page.locator("#sale-countdown");
    await eventually(() => countdown.textContent()).toMatch(/^Sale opens in \d\d:\d\d$/);
    const seconds = async () => {
      const [m, s] = (await countdown.textContent())!.replace("Sale opens in ", "").split(":");
      return Number(m) * 60 + Number(s);
    };
    const first = await seconds();
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(OPENS_IN_MS / 1000);
    await eventually(seconds).toBeLessThan(first);
    copyFileSync(await shot(page, "01-countdown"), join(ROOT, "docs/images/prequeue-countdown.png"));

    // Rivals enter over the API; one has a lower draw key than the page's user, so the page's
    // user is not the head of the draw (the head is admitted at once) and must show a place.
    const userId = (await page.locator("#user-id").textContent())!.replace(/^User /, "");
    const { seed } = await prisma.saleDraw.findUniqueOrThrow({ where: { concertId } });
    const mine = drawKey(seed, userId);
    const rivals: string[] = [];
    for (let tries = 0; tries < 60 && !rivals.some((r) => drawKey(seed, r) < mine); tries++) {
      const rival = await signUp(server.client);
      expect((await issue(server.client, rival, concertId)).status).toBe("PREQUEUED");
      rivals.push(rival.userId);
    }
    const ahead = rivals.filter((r) => drawKey(seed, r) < mine).length;
    expect(ahead).toBeGreaterThan(0);
    expect(Date.now()).toBeLessThan(opensAt.getTime());

    // At the opening the draw pushes the place; the head of the draw is admitted, so the place
    // is the number of rivals drawn ahead.
    await eventually(() => page.locator("#queue-position").textContent(), OPENS_IN_MS + 20_000).toBe(
      String(ahead),
    );
    copyFileSync(await shot(page, "02-drawn-place"), join(ROOT, "docs/images/prequeue-drawn-place.png"));
    expect(pageErrors).toEqual([]);
    await context.close();
  });
});
