import { PrismaMariaDb } from "@prisma/adapter-mariadb";
import { PrismaClient } from "../../generated/prisma/client.js";
import { poolConfigFromUrl } from "./connection-options.js";

export { Prisma, PrismaClient } from "../../generated/prisma/client.js";

/** A transaction client, or the root client: what repositories run their statements on. */
export type Db = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

export function createPrisma(databaseUrl: string, poolSize: number): PrismaClient {
  const adapter = new PrismaMariaDb(poolConfigFromUrl(databaseUrl, { connectionLimit: poolSize }));
  return new PrismaClient({ adapter });
}
