// Isolation for tests that touch real MariaDB and Redis: each test file gets its own
// database (created and dropped here) and its own Redis prefix.
import { randomBytes } from "node:crypto";
import { loadConfig, type Config } from "../../src/config.js";
import { dropDatabase } from "../../src/platform/db/migrate.js";

const BASE_DATABASE_URL = process.env["TEST_DATABASE_URL"] ?? "mysql://root@127.0.0.1:3306/";
const REDIS_URL = process.env["TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379";
const DEFAULT_PREFIX = "concert_test";

/** Refuses any database whose name lacks "test": a test must never touch real data. */
export function assertTestDatabase(url: string): void {
  const name = new URL(url).pathname.replace(/^\//, "");
  if (!name.includes("test")) {
    throw new Error(`Refusing to run tests against database "${name}": its name must contain "test".`);
  }
}

/**
 * A fresh database on TEST_DATABASE_URL's server, named `<its database>_<id>` (`concert_test_<id>`
 * when the URL names none): a TEST_DATABASE_URL naming a real database yields a name without
 * "test", which createTestEnv refuses.
 */
export function testDatabaseUrl(base: string, id: string): string {
  const u = new URL(base);
  u.pathname = `/${u.pathname.replace(/^\//, "") || DEFAULT_PREFIX}_${id}`;
  return u.toString();
}

export interface TestEnv {
  /** Environment variables for a server process or loadConfig. */
  env: Record<string, string>;
  config: Config;
  databaseUrl: string;
  redisPrefix: string;
  /** Drops the database and deletes every Redis key under the prefix. */
  cleanup(): Promise<void>;
}

export function createTestEnv(
  overrides: Record<string, string> = {},
  baseDatabaseUrl: string = BASE_DATABASE_URL,
): TestEnv {
  const id = `${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const redisPrefix = `test:${id}:`;
  const env: Record<string, string> = {
    NODE_ENV: "test",
    LOG_LEVEL: "warn",
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: testDatabaseUrl(baseDatabaseUrl, id),
    DATABASE_POOL_SIZE: "10",
    REDIS_URL,
    REDIS_PREFIX: redisPrefix,
    TOKEN_SECRET: "test-secret-0123456789abcdef",
    ...overrides,
  };
  const config = loadConfig(env);
  // What the app will connect to and cleanup() drops, after the overrides: checked here.
  const databaseUrl = config.DATABASE_URL;
  assertTestDatabase(databaseUrl);
  return {
    env,
    config,
    databaseUrl,
    redisPrefix,
    async cleanup() {
      await dropDatabase(databaseUrl);
      await deleteRedisPrefix(REDIS_URL, redisPrefix);
    },
  };
}

/**
 * What production runs with (the Dockerfile and docker-compose.yml): NODE_ENV=production, a
 * secret of its own, and every default that follows from it (rate limits on, GraphiQL and
 * introspection off). Pass it to createTestEnv or startCluster; vitest's own NODE_ENV=test
 * must not leak into a server process that claims to be the production one.
 */
export function productionOverrides(overrides: Record<string, string> = {}): Record<string, string> {
  return { NODE_ENV: "production", TOKEN_SECRET: randomBytes(32).toString("hex"), ...overrides };
}

async function deleteRedisPrefix(url: string, prefix: string): Promise<void> {
  const { Redis } = await import("ioredis");
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
}
