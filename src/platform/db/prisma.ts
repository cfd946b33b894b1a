import { PrismaMariaDb } from "@prisma/adapter-mariadb";
import { PrismaClient } from "../../generated/prisma/client.js";
import { poolConfigFromUrl } from "./connection-options.js";

export { Prisma, PrismaClient } from "../../generated/prisma/client.js";

/** A transaction client, or the root client: what repositories run their statements on. */
export type Db = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

export function createPrisma(databaseUrl: string, poolSize: number): PrismaClient {
  // The text protocol: one round trip per statement, values escaped by the driver. The
  // adapter's default, the binary protocol with its prepared-statement cache turned off, sends
  // PREPARE, EXECUTE and CLOSE for every statement; on this service's hot paths (access-key
  // lookup, seat INSERT) that cost about 15% of entry throughput and a quarter of the seat
  // burst's wall time (bench/README.md, "Where the time goes", item 8). A prepared-statement
  // cache would also help but puts up to pool × cache statements per instance against the
  // server's max_prepared_stmt_count.
  const adapter = new PrismaMariaDb(poolConfigFromUrl(databaseUrl, { connectionLimit: poolSize }), {
    useTextProtocol: true,
  });
  return new PrismaClient({ adapter });
}
