import type { Infrastructure, FeatureModule } from "../../platform/module.js";
import type { QueueGuard } from "../queue/queue-guard.js";
import { PrismaIdempotencyStore } from "./idempotency.js";
import { prismaTransactionRunner } from "../../platform/db/transaction.js";
import { PrismaWalletStore } from "./wallet.repository.js";
import { WalletResolver } from "./wallet.resolver.js";
import { WalletService } from "./wallet.service.js";

export function createWalletModule(
  infra: Infrastructure,
  deps: { guard: QueueGuard },
): { module: FeatureModule; service: WalletService } {
  const service = new WalletService(
    deps.guard,
    new PrismaWalletStore(),
    new PrismaIdempotencyStore(),
    prismaTransactionRunner(infra.prisma),
    infra.prisma,
    infra.clock,
    { maxCharge: infra.config.MAX_CHARGE, maxBalance: infra.config.MAX_BALANCE },
  );
  return { module: { resolvers: [new WalletResolver(service)] }, service };
}
