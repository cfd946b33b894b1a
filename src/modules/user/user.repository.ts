import DataLoader from "dataloader";
import type { PrismaClient } from "../../platform/db/prisma.js";
import type { Sql } from "../../platform/db/sql.js";

export interface UserRepository {
  /** Creates the user and their empty wallet (balance 0) in one transaction. */
  createWithWallet(name: string | null, accessKeyHash: string): Promise<{ id: string }>;
  /** The stored SHA-256 (hex) of the user's access key, or null for an unknown user. */
  findAccessKeyHash(userId: string): Promise<string | null>;
}

export class PrismaUserRepository implements UserRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: Sql,
  ) {}

  async createWithWallet(name: string | null, accessKeyHash: string): Promise<{ id: string }> {
    // A nested create is one transaction: a user never exists without a wallet.
    return this.prisma.user.create({
      data: { name, accessKeyHash, wallet: { create: { balance: 0 } } },
      select: { id: true },
    });
  }

  /**
   * Every issueQueueToken of a flash crowd runs this lookup, plain SQL on the driver (db/sql.ts).
   * The lookups that arrive in one turn of the event loop (everything read from the sockets in
   * one poll phase) go to MariaDB as one `WHERE id IN (…)`: a crowd of 100 in flight costs one
   * statement and one round trip instead of 100. Nothing is cached between batches.
   */
  private readonly keyHashes = new DataLoader<string, string | null>(
    async (ids) => {
      const rows = await this.sql.select<{ id: string; accessKeyHash: string }>(
        `SELECT id, access_key_hash AS accessKeyHash FROM users WHERE id IN (${ids.map(() => "?").join(",")})`,
        [...ids],
      );
      const byId = new Map(rows.map((r) => [r.id, r.accessKeyHash]));
      return ids.map((id) => byId.get(id) ?? null);
    },
    { cache: false, maxBatchSize: 500, batchScheduleFn: (run) => setImmediate(run) },
  );

  findAccessKeyHash(userId: string): Promise<string | null> {
    return this.keyHashes.load(userId);
  }
}
