// The foundation, end to end on real processes: a fresh machine state (no database), two
// instances started at the same moment, health endpoints and transport rules. Start-up
// refusals and the graceful stop run in the production configuration:
// production-lifecycle.test.ts.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as mariadb from "mariadb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { poolConfigFromUrl } from "../../src/platform/db/connection-options.js";
import { businessToday, dayIn } from "../../src/platform/business-day.js";
import { startCluster, type Cluster } from "../helpers/server-processes.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

describe("two instances started at once against one database that does not exist yet", () => {
  let cluster: Cluster;

  beforeAll(async () => {
    // startCluster creates no database: the processes must create it, migrate and seed.
    cluster = await startCluster(2);
  });
  afterAll(() => cluster?.stop());

  it("both become ready", async () => {
    for (const server of cluster.servers) {
      const res = await fetch(`${server.url}/readyz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "ready", checks: { mysql: "ok", redis: "ok" } });
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    }
  });

  it("applies the migrations once and seeds the demo data exactly once", async () => {
    const conn = await mariadb.createConnection(poolConfigFromUrl(cluster.env.databaseUrl));
    try {
      const migrations: { n: bigint }[] = await conn.query(
        "SELECT COUNT(*) AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL",
      );
      const files = await import("../../src/platform/db/migrate.js").then((m) => m.readMigrations());
      expect(Number(migrations[0]!.n)).toBe(files.length);

      const concerts: { n: bigint }[] = await conn.query("SELECT COUNT(*) AS n FROM concerts");
      expect(Number(concerts[0]!.n)).toBe(3);

      const dates: { date: Date; seats: bigint; numbers: bigint; min_price: number }[] = await conn.query(
        `SELECT d.date, COUNT(s.id) AS seats, COUNT(DISTINCT s.number) AS numbers, MIN(s.price) AS min_price
           FROM concert_dates d LEFT JOIN seats s ON s.concert_date_id = d.id GROUP BY d.id, d.date`,
      );
      expect(dates.length).toBeGreaterThanOrEqual(6);
      const today = dayIn(businessToday(new Date(), "Asia/Seoul"), "UTC");
      for (const d of dates) {
        expect(Number(d.seats)).toBe(50);
        expect(Number(d.numbers)).toBe(50);
        expect(d.min_price).toBeGreaterThan(0);
        expect(dayIn(d.date, "UTC") > today).toBe(true);
      }
    } finally {
      await conn.end();
    }
  });

  it("serves a GraphiQL page that loads nothing from the internet", async () => {
    const res = await fetch(`${cluster.servers[0]!.url}/graphiql`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toMatch(/graphiql/i);
    expect(html).not.toMatch(/<(script|link)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
  });

  it("shows a landing page to a browser at GET /graphql", async () => {
    const res = await fetch(`${cluster.servers[0]!.url}/graphql`, { headers: { accept: "text/html" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
  });

  it("refuses a GET query without the CSRF preflight header and answers it with one", async () => {
    const url = `${cluster.servers[1]!.url}/graphql?query=${encodeURIComponent("{ serverTime }")}`;
    const refused = await fetch(url);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/CSRF/i);
    const allowed = await fetch(url, { headers: { "apollo-require-preflight": "true" } });
    expect(allowed.status).toBe(200);
    const body = (await allowed.json()) as { data: { serverTime: string } };
    expect(Number.isNaN(Date.parse(body.data.serverTime))).toBe(false);
  });

  it("sends no ETag: every answer is computed anew, so hashing its body would only cost CPU", async () => {
    const base = `${cluster.servers[0]!.url}/graphql`;
    const post = await fetch(base, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ concerts { id title } }" }),
    });
    expect(post.status).toBe(200);
    expect(post.headers.get("etag")).toBeNull();
    const get = await fetch(`${base}?query=${encodeURIComponent("{ serverTime }")}`, {
      headers: { "apollo-require-preflight": "true" },
    });
    expect(get.status).toBe(200);
    expect(get.headers.get("etag")).toBeNull();
  });

  it("answers a malformed document with GRAPHQL_PARSE_FAILED", async () => {
    const body = await cluster.servers[0]!.client.request("{ serverTime");
    expect(body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
  });

  it("tags every response with a request id, keeping a sane incoming one", async () => {
    const url = `${cluster.servers[0]!.url}/healthz`;
    expect((await fetch(url)).headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await fetch(url, { headers: { "x-request-id": "edge-1234" } });
    expect(echoed.headers.get("x-request-id")).toBe("edge-1234");
  });
});

describe("logs for people in development", () => {
  it("prints pretty lines with LOG_FORMAT=pretty, as npm run dev sets it", async () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, "utf8")) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts["dev"]).toContain("LOG_FORMAT=${LOG_FORMAT:-pretty}");
    expect(pkg.scripts["start"]).not.toContain("LOG_FORMAT");
    const cluster = await startCluster(1, {
      NODE_ENV: "development",
      LOG_LEVEL: "info",
      LOG_FORMAT: "pretty",
    });
    try {
      const server = cluster.servers[0]!;
      expect(await server.stop("SIGTERM")).toBe(0);
      const lines = server.output().split("\n");
      expect(lines.some((l) => /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(\d+\): listening$/.test(l))).toBe(true);
      expect(lines.filter((l) => l.startsWith("{"))).toEqual([]);
    } finally {
      await cluster.stop();
    }
  });
});
