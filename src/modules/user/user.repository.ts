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

  async findAccessKeyHash(userId: string): Promise<string | null> {
    // Every issueQueueToken of a flash crowd runs this: plain SQL on the driver (db/sql.ts).
    const rows = await this.sql.select<{ accessKeyHash: string }>(
      "SELECT access_key_hash AS accessKeyHash FROM users WHERE id = ?",
      [userId],
    );
    return rows[0]?.accessKeyHash ?? null;
  }
}
