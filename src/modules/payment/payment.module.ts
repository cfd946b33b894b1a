import type { Feature, Infrastructure } from "../../platform/module.js";
import { sqlIdempotency } from "../../platform/idempotency.js";
import type { QueueGuard, QueuePass } from "../queue/queue-guard.js";
import type { ReservationAfterPayment, ReservationPort, SoldOutCheck, WalletDebit } from "./payment.ports.js";
import { PaymentRepository } from "./payment.repository.js";
import { PaymentResolver } from "./payment.resolver.js";
import { PaymentService } from "./payment.service.js";

export function createPaymentModule(
  infra: Infrastructure,
  deps: {
    guard: QueueGuard;
    pass: QueuePass;
    /** The wallet service: the debit runs inside the payment's transaction. */
    wallet: WalletDebit;
    /** The reservation repository: the payment's confirm runs on the payment's transaction. */
    reservations: ReservationPort;
    /** The steps after the commit (SOLD, release of the payer's other holds). */
    afterPayment: ReservationAfterPayment;
    /** The live sale's sold-out watch, after the commit too. */
    soldOut: SoldOutCheck;
  },
): Feature<{ service: PaymentService }> {
  const service = new PaymentService({
    ...deps,
    payments: new PaymentRepository(infra.prisma),
    idempotency: sqlIdempotency(infra.sql, infra.clock),
    clock: infra.clock,
    log: infra.log,
    metrics: infra.metrics,
  });
  return { module: { resolvers: [new PaymentResolver(service)] }, service };
}
