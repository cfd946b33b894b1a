// Paying a hold from the balance. One READ COMMITTED transaction holds "no payment taken
// twice" and "nothing half-done": the idempotency key row, the reservation's conditional
// HELD→CONFIRMED update, the wallet's conditional debit, the payment row (unique per
// reservation) and the ledger row commit together or not at all.
import type { Clock } from "../../platform/clock.js";
import type { Db } from "../../platform/db/prisma.js";
import { DomainError } from "../../platform/errors.js";
import type { PaymentMetrics } from "../../platform/metrics/metrics.js";
import type { QueueGuard, QueuePass } from "../queue/queue-guard.js";
import { newId } from "../../platform/db/ids.js";
import { idempotentRequest, priorResult, type IdempotencyStore } from "../wallet/idempotency.js";
import type { TransactionRunner } from "../../platform/db/transaction.js";
import type {
  ConfirmOutcome,
  ReservationAfterPayment,
  ReservationPort,
  WalletDebit,
} from "./payment.ports.js";
import type { PaymentStore, PaymentView } from "./payment.repository.js";

export const PAY_OPERATION = "payReservation";

/** Test seam: called inside the payment transaction right after the debit. Tests only. */
export interface PaymentHooks {
  afterDebit?(tx: Db): Promise<void>;
}

export interface PaymentDeps {
  guard: QueueGuard;
  pass: Pick<QueuePass, "finishAfterPayment">;
  reservations: ReservationPort;
  afterPayment: ReservationAfterPayment;
  wallet: WalletDebit;
  payments: PaymentStore;
  idempotency: IdempotencyStore;
  transaction: TransactionRunner;
  db: Db;
  clock: Clock;
  log: { warn(details: object, message: string): void };
  hooks?: PaymentHooks;
  metrics?: PaymentMetrics;
}

const notPayable: Record<Exclude<ConfirmOutcome, "CONFIRMED">, () => DomainError> = {
  NOT_FOUND: () =>
    new DomainError("NOT_FOUND", "Reservation was not found; list your holds with myReservations."),
  ALREADY_PAID: () =>
    new DomainError("ALREADY_PAID", "This reservation is already paid; see it in myPayments."),
  EXPIRED: () =>
    new DomainError(
      "RESERVATION_EXPIRED",
      "This hold ran out, was cancelled or was released; reserve a seat again with reserveSeat.",
    ),
};

export class PaymentService {
  constructor(private readonly deps: PaymentDeps) {}

  /**
   * Pays the caller's HELD reservation. A repeat of an idempotency key returns the first
   * payment with any valid token (the key is checked before the queue); otherwise the token
   * must be ACTIVE for the reservation's concert. After the commit the queue pass ends and
   * the user's other holds for the concert are released; if that fails the payment stands.
   */
  async pay(
    token: string | null,
    reservationId: string,
    idempotencyKey?: string | null,
  ): Promise<PaymentView> {
    const { guard, reservations, db } = this.deps;
    const caller = await guard.authenticate(token);
    const request = idempotentRequest(caller.userId, idempotencyKey, PAY_OPERATION, { reservationId });
    if (request) {
      const prior = await priorResult(this.deps.idempotency, db, request);
      if (prior) return this.paymentById(db, prior);
    }
    const reservation = await reservations.findOwned(db, reservationId, caller.userId);
    if (!reservation) throw notPayable.NOT_FOUND();
    try {
      await guard.requireActive(caller, reservation.concertId);
    } catch (refusal) {
      // A concurrent request with this key may have paid, and so expired the token, since we
      // looked the key up: its payment is then this request's answer too.
      const prior = request ? await priorResult(this.deps.idempotency, db, request) : null;
      if (prior) return this.paymentById(db, prior);
      throw refusal;
    }

    const paymentId = newId(this.deps.clock.now().getTime());
    const outcome = await this.deps.transaction(async (tx) => {
      const now = this.deps.clock.now();
      if (request && !(await this.deps.idempotency.claim(tx, request, paymentId, now))) {
        // A concurrent request with this key committed first: its payment is the answer.
        const prior = await priorResult(this.deps.idempotency, tx, request);
        if (!prior) throw new Error("idempotency key taken but not readable");
        return { kind: "replay" as const, paymentId: prior };
      }
      const confirmed = await reservations.confirmHeld(tx, reservationId, caller.userId);
      if (confirmed !== "CONFIRMED") throw notPayable[confirmed]();
      const inserted = await this.deps.payments.insert(tx, {
        id: paymentId,
        userId: caller.userId,
        reservationId,
        amount: reservation.price,
        paidAt: now,
      });
      if (!inserted) throw notPayable.ALREADY_PAID();
      // Last, so the user's wallet row is locked only for the debit, its ledger row and COMMIT.
      await this.deps.wallet.debit(tx, caller.userId, reservation.price, paymentId);
      await this.deps.hooks?.afterDebit?.(tx);
      return { kind: "paid" as const, paidAt: now };
    });
    if (outcome.kind === "replay") return this.paymentById(db, outcome.paymentId);
    this.deps.metrics?.paid(reservation.price);

    await this.afterCommit(() => this.deps.pass.finishAfterPayment(caller), "end the queue pass", paymentId);
    await this.afterCommit(
      () => this.deps.afterPayment.afterPayment(caller.userId, reservation.concertId, reservationId),
      "release the user's other holds",
      paymentId,
    );
    return {
      id: paymentId,
      userId: caller.userId,
      amount: reservation.price,
      paidAt: outcome.paidAt,
      reservation: { ...reservation, status: "CONFIRMED" },
    };
  }

  /** The caller's payments, newest first (any valid token). */
  async myPayments(token: string | null): Promise<PaymentView[]> {
    const { userId } = await this.deps.guard.authenticate(token);
    return this.deps.payments.listByUser(this.deps.db, userId);
  }

  /**
   * The payment is committed: a failure here must not turn it into an error for the client.
   * The token still lapses by its TTL and holds by their expiry.
   */
  private async afterCommit(step: () => Promise<void>, what: string, paymentId: string): Promise<void> {
    try {
      await step();
    } catch (error) {
      this.deps.log.warn({ err: error, paymentId }, `payment committed but could not ${what}`);
    }
  }

  private async paymentById(db: Db, id: string): Promise<PaymentView> {
    const payment = await this.deps.payments.findById(db, id);
    if (!payment) throw new Error(`idempotency key points at missing payment ${id}`);
    return payment;
  }
}
