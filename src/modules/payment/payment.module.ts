import type { Infrastructure, FeatureModule } from "../../platform/module.js";
import type { QueueGuard, QueuePass } from "../queue/queue-guard.js";
import { PrismaIdempotencyStore } from "../wallet/idempotency.js";
import { prismaTransactionRunner } from "../../platform/db/transaction.js";
import { createWalletModule } from "../wallet/wallet.module.js";
import type { ReservationAfterPayment, ReservationPort, WalletDebit } from "./payment.ports.js";
import { PrismaPaymentStore } from "./payment.repository.js";
import { PaymentResolver } from "./payment.resolver.js";
import { PaymentService, type PaymentHooks } from "./payment.service.js";

export function createPaymentModule(
  infra: Infrastructure,
  deps: {
    guard: QueueGuard;
    pass: QueuePass;
    reservations: ReservationAfterPayment;
    reservationRepository: ReservationPort;
    wallet?: WalletDebit;
    /** Tests only: see PaymentHooks. */
    hooks?: PaymentHooks;
  },
): { module: FeatureModule; service: PaymentService } {
  const service = new PaymentService({
    guard: deps.guard,
    pass: deps.pass,
    reservations: deps.reservationRepository,
    afterPayment: deps.reservations,
    wallet: deps.wallet ?? createWalletModule(infra, { guard: deps.guard }).service,
    payments: new PrismaPaymentStore(),
    idempotency: new PrismaIdempotencyStore(),
    transaction: prismaTransactionRunner(infra.prisma),
    db: infra.prisma,
    clock: infra.clock,
    log: infra.log,
    metrics: infra.metrics,
    ...(deps.hooks ? { hooks: deps.hooks } : {}),
  });
  return { module: { resolvers: [new PaymentResolver(service)] }, service };
}
