// GraphiQL at /graphiql in a real browser (Debian's chromium driven by playwright-core) against a
// real server process in development: the page loads the schema by its standard introspection
// query (no error shown), and the documentation explorer lists the API's types.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../helpers/browser.js";
import { startCluster, type Cluster } from "../helpers/server-processes.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SHOTS = join(ROOT, "test-results/screenshots/graphiql");

describe("GraphiQL in development", () => {
  let cluster: Cluster;
  let browser: Browser;

  beforeAll(async () => {
    rmSync(SHOTS, { recursive: true, force: true });
    mkdirSync(SHOTS, { recursive: true });
    // Development as `npm run dev` has it: rate limits on, GraphiQL and introspection on.
    cluster = await startCluster(1, { NODE_ENV: "development" });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await cluster?.stop();
  });

  it("loads the schema and lists QueueTicket in the documentation explorer", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const introspections: { status: number; body: string }[] = [];
    page.on("response", (res) => {
      const sent = res.request().postData() ?? "";
      if (res.url().endsWith("/graphql") && sent.includes("__schema")) {
        void res.text().then((body) => introspections.push({ status: res.status(), body }));
      }
    });
    await page.goto(`${cluster.servers[0]!.url}/graphiql`);
    await page.getByRole("button", { name: "Show Documentation Explorer" }).click();
    const docs = page.locator(".graphiql-doc-explorer");
    await docs.getByText("Query", { exact: true }).first().waitFor({ timeout: 30_000 });
    await docs.getByRole("link", { name: "Query", exact: true }).first().click();
    await docs.getByText("queueStatus").first().waitFor();
    await docs.getByRole("link", { name: "QueueTicket" }).first().click();
    await docs.locator(".graphiql-doc-explorer-title", { hasText: "QueueTicket" }).waitFor();
    await page.screenshot({ path: join(SHOTS, "docs-queue-ticket.png"), animations: "disabled" });

    expect(introspections.length).toBeGreaterThan(0);
    for (const answer of introspections) {
      expect(answer.status).toBe(200);
      expect(answer.body).not.toContain("QUERY_TOO_COMPLEX");
      expect(JSON.parse(answer.body)).not.toHaveProperty("errors");
    }
    await expect(docs.getByText("estimatedWaitSeconds").first().isVisible()).resolves.toBe(true);
    await expect(page.getByText("QUERY_TOO_COMPLEX").count()).resolves.toBe(0);
    await page.close();
  });
});
