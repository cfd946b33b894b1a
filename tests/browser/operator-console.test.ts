// The operator console (GET /admin/) in a real browser (Debian's chromium driven by
// playwright-core) against a real server process: sign in with a key, create a concert and a
// date, watch the waiting count move while fans enter through the public API, pause admission
// from the page and see the API report it. Screenshots go to test-results/screenshots.
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSchema, parse, validate } from "graphql";
import { type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Q } from "../../web/admin/src/api.js";
import { AdminTestClient, ALICE, TEST_OPERATOR_KEYS } from "../helpers/admin-client.js";
import { issue, signUp } from "../helpers/queue-helpers.js";
import { buildPagesIfStale, launchChromium } from "../helpers/browser.js";
import { startCluster, type Cluster } from "../helpers/server-processes.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SHOTS = join(ROOT, "test-results/screenshots/operator-console");

const eventually = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });
const figure = (page: Page, name: string) => page.locator(`[data-figure="${name}"] strong`).textContent();

describe("operator console documents", () => {
  const schema = buildSchema(readFileSync(join(ROOT, "admin-schema.graphql"), "utf8"));
  it.each(Object.entries(Q))("document %s is valid against admin-schema.graphql", (_name, document) => {
    expect(validate(schema, parse(document)).map((e) => e.message)).toEqual([]);
  });
});

describe("operator console in a browser", () => {
  let cluster: Cluster;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    buildPagesIfStale();
    cluster = await startCluster(1, {
      OPERATOR_KEYS: TEST_OPERATOR_KEYS,
      QUEUE_MAX_ACTIVE: "2",
      QUEUE_TICK_MS: "250",
      RATE_LIMIT_ENABLED: "false",
    });
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1440, height: 1000 } })).newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  it("signs in, creates a sale, shows the waiting count move live, and pauses admission from the page", async () => {
    const url = cluster.servers[0]!.url;
    const api = new AdminTestClient(url, ALICE.secret);
    await page.goto(`${url}/admin/`);
    await page.getByLabel("Operator key").fill("not-a-key-of-this-deployment-0123456789");
    await page.getByRole("button", { name: "Sign in" }).click();
    await eventually(() => page.locator("#notice").textContent()).toContain("refused");
    await page.getByLabel("Operator key").fill(ALICE.secret);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("navigation", { name: "Concerts" }).waitFor();
    // The key is kept for this tab only.
    expect(await page.evaluate(() => [sessionStorage.length, localStorage.length])).toEqual([1, 0]);

    const create = page.getByRole("form", { name: "New concert" });
    await create.getByLabel("Title").fill("Aurora Live in Seoul");
    await create.getByLabel("Artist").fill("Aurora");
    await create.getByLabel("Venue").fill("Olympic Hall");
    await create.getByRole("button", { name: "Create concert" }).click();
    await page.getByRole("heading", { name: "Aurora Live in Seoul" }).waitFor();
    const date = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const addDate = page.getByRole("form", { name: "Add a date" });
    await addDate.getByLabel("Date").fill(date);
    await addDate.getByRole("button", { name: "Add date" }).click();
    await eventually(() => figure(page, "seatsFree")).toBe("50");
    const concertId = (
      await api.data<{ concerts: { id: string; title: string }[] }>(Q.concerts)
    ).concerts.find((c) => c.title === "Aurora Live in Seoul")!.id;

    // Fans enter through the public API: two are admitted at once, the rest wait.
    const fans = cluster.servers[0]!.client;
    for (let i = 0; i < 7; i++) await issue(fans, await signUp(fans, `fan${i}`), concertId);
    await eventually(() => figure(page, "waiting")).toBe("5");
    await eventually(() => figure(page, "active")).toBe("2 / 2");
    await page.screenshot({ path: join(SHOTS, "01-live.png"), fullPage: true, animations: "disabled" });

    const policy = page.getByRole("form", { name: "Admission policy" });
    await policy.getByLabel("Max active").fill("4");
    await policy.getByRole("button", { name: "Apply policy" }).click();
    await eventually(() => figure(page, "active")).toBe("4 / 4");
    await eventually(() => figure(page, "waiting")).toBe("3");

    await page.getByRole("button", { name: "Pause admission" }).click();
    await eventually(() => page.getByRole("status").textContent()).toBe("Admission paused");
    const stats = await api.data<{ saleStats: { paused: boolean; maxActive: number } }>(Q.saleStats, {
      concertId,
    });
    expect(stats.saleStats).toMatchObject({ paused: true, maxActive: 4 });
    await eventually(() => page.locator("table.audit tbody tr").first().textContent()).toContain(
      "pauseAdmission",
    );
    await page.screenshot({ path: join(SHOTS, "02-paused.png"), fullPage: true, animations: "disabled" });
    expect(await page.getByRole("button", { name: "Resume admission" }).isEnabled()).toBe(true);

    // A fan entering now waits, and the waiting room says why.
    const fanPage = await (await browser.newContext({ viewport: { width: 1024, height: 800 } })).newPage();
    await fanPage.goto(url);
    await fanPage.getByRole("button", { name: "Sign up" }).click();
    await fanPage.locator(`button[data-concert-id="${concertId}"]`).click();
    await eventually(() => fanPage.locator("#queue-state").textContent()).toContain("paused admission");
    await fanPage.screenshot({
      path: join(SHOTS, "03-fan-paused.png"),
      fullPage: true,
      animations: "disabled",
    });
    await page.getByRole("button", { name: "Resume admission" }).click();
    await eventually(() => page.getByRole("status").textContent()).toBe("Admission running");
  });
});
