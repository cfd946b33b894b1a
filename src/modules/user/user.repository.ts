import type { PrismaClient } from "../../platform/db/prisma.js";

export interface UserRepository {
  /** Creates the user and their empty wallet (balance 0) in one transaction. */
  createWithWallet(name: string | null, accessKeyHash: string): Promise<{ id: string }>;
  /** The stored SHA-256 (hex) of the user's access key, or null for an unknown user. */
  findAccessKeyHash(userId: string): Promise<string | null>;
}

export class PrismaUserRepository implements UserRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async createWithWallet(name: string | null, accessKeyHash: string): Promise<{ id: string }> {
    // A nested create is one transaction: a user never exists without a wallet.
    return this.prisma.user.create({
      data: { name, accessKeyHash, wallet: { create: { balance: 0 } } },
      select: { id: true },
    });
  }

  async findAccessKeyHash(userId: string): Promise<string | null> {
    const row = await this.prisma.user.findUnique({ where: { id: userId }, select: { accessKeyHash: true } });
    return row?.accessKeyHash ?? null;
  }
}
