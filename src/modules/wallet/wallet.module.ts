import type { Feature, Infrastructure } from "../../platform/module.js";
import { sqlIdempotency } from "../../platform/idempotency.js";
import type { QueueGuard } from "../queue/queue-guard.js";
import { SqlWalletStore } from "./wallet.repository.js";
import { WalletResolver } from "./wallet.resolver.js";
import { WalletService } from "./wallet.service.js";

export function createWalletModule(
  infra: Infrastructure,
  deps: { guard: QueueGuard },
): Feature<{ service: WalletService }> {
  const service = new WalletService({
    guard: deps.guard,
    wallets: new SqlWalletStore(infra.sql),
    idempotency: sqlIdempotency(infra.sql, infra.clock),
    clock: infra.clock,
    limits: { maxCharge: infra.config.MAX_CHARGE, maxBalance: infra.config.MAX_BALANCE },
  });
  return { module: { resolvers: [new WalletResolver(service)] }, service };
}
