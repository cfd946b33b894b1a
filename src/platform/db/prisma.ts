import { PrismaMariaDb } from "@prisma/adapter-mariadb";
import { createPool } from "mariadb";
import { PrismaClient } from "../../generated/prisma/client.js";
import type { DatabasePoolReader } from "../metrics/metrics.js";
import { poolConfigFromUrl } from "./connection-options.js";
import { Sql } from "./sql.js";

export { Prisma, PrismaClient } from "../../generated/prisma/client.js";

/** A transaction client, or the root client: what repositories run their statements on. */
export type Db = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

/** One MySQL connection pool, reached through Prisma, and through `Sql` on the hot paths. */
export interface Database {
  prisma: PrismaClient;
  sql: Sql;
  /** What /metrics reads of the pool: its connections now, and every wait for a free one. */
  pool: DatabasePoolReader;
}

export function createDatabase(databaseUrl: string, poolSize: number): Database {
  // Prisma's adapter turns the driver's prepared-statement cache off for pools it creates; this
  // pool does the same (with a cache, pool × cache statements per instance would count against
  // the server's max_prepared_stmt_count), and `Sql` uses the text protocol anyway.
  const pool = createPool(
    poolConfigFromUrl(databaseUrl, { connectionLimit: poolSize, prepareCacheLength: 0 }),
  );
  // The text protocol: one round trip per statement, values escaped by the driver. The
  // adapter's default, the binary protocol without a statement cache, sends PREPARE, EXECUTE and
  // CLOSE for every statement (bench/README.md, "Where the time goes", item 9).
  // disposeExternalPool: `prisma.$disconnect()` ends the pool too, so there is one thing to close.
  const adapter = new PrismaMariaDb(pool, { useTextProtocol: true, disposeExternalPool: true });
  const watch: DatabasePoolReader = {
    connections: () => ({
      active: pool.activeConnections(),
      idle: pool.idleConnections(),
      waiting: pool.taskQueueSize(),
    }),
    onWait: (listener) => void pool.on("enqueue", listener),
  };
  return { prisma: new PrismaClient({ adapter }), sql: new Sql(pool), pool: watch };
}

export function createPrisma(databaseUrl: string, poolSize: number): PrismaClient {
  return createDatabase(databaseUrl, poolSize).prisma;
}
