// The per-tick cost of the operator controls and of one saleStats computation (bounded).
//   node --import @swc-node/register/esm-register bench/live-sale-costs.ts
// A fresh migrated test database with the demo concerts; docs/queue.md quotes the figures.
import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";
import { createDatabase } from "../src/platform/db/prisma.js";
import { migrate } from "../src/platform/db/migrate.js";
import { seedDemoData } from "../prisma/seed.js";
import { systemClock } from "../src/platform/clock.js";
import { createLogger } from "../src/platform/logger.js";
import { SaleControlRepository } from "../src/modules/live-sale/sale-control.repository.js";
import { SaleStatsRepository } from "../src/modules/live-sale/sale-stats.repository.js";
import { SaleFiguresStore } from "../src/modules/live-sale/sale-figures.store.js";
import { SaleStatsService } from "../src/modules/live-sale/sale-stats.service.js";
import { createTestEnv } from "../tests/helpers/test-env.js";
const env = createTestEnv();
await migrate(env.databaseUrl);
const { prisma, sql } = createDatabase(env.databaseUrl, 4);
await seedDemoData(prisma, "Asia/Seoul", systemClock, createLogger("silent"));
const ids = (await prisma.concert.findMany({ select: { id: true } })).map((c) => c.id);
const repo = new SaleControlRepository(sql);
const redis = new Redis("redis://127.0.0.1:6379");
const stats = new SaleStatsService({
  seats: new SaleStatsRepository(sql),
  queue: new SaleFiguresStore(redis, env.redisPrefix),
  controls: repo,
  defaults: { maxActive: 100, admitPerTick: 50 },
  clock: { now: () => new Date() },
  timeZone: "Asia/Seoul",
});
async function time(name: string, n: number, fn: () => Promise<unknown>) {
  for (let i = 0; i < 50; i++) await fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  console.log(`${name}: ${((performance.now() - t0) / n).toFixed(3)} ms per call (${n} calls)`);
}
await time(`sale_controls read, ${ids.length} concerts`, 2000, () => repo.read(ids));
await time("saleStats (Redis script + SQL statement + controls)", 1000, () => stats.stats(ids[0]!));
redis.disconnect();
await prisma.$disconnect();
await env.cleanup();
