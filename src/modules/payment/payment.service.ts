// Paying a hold from the balance. One READ COMMITTED transaction holds "no payment taken
// twice" and "nothing half-done": the idempotency key row, the reservation's conditional
// HELD→CONFIRMED update, the payment row (unique per reservation), the wallet's conditional
// debit and the ledger row commit together or not at all. They are sent in one round trip
// (db/transaction.ts) and judged in that order.
import type { Clock } from "../../platform/clock.js";
import { newId } from "../../platform/db/ids.js";
import type { Tx } from "../../platform/db/transaction.js";
import { idempotentRequest, type Idempotency, type IdempotentRequest } from "../../platform/idempotency.js";
import type { PaymentMetrics } from "../../platform/metrics/metrics.js";
import type { QueueCaller, QueueGuard, QueuePass } from "../queue/queue-guard.js";
import { notPayable, paymentErrors } from "./payment.errors.js";
import type {
  ReservationAfterPayment,
  ReservationPort,
  SoldOutCheck,
  ReservationView,
  WalletDebit,
} from "./payment.ports.js";
import type { NewPayment, PaymentStore, PaymentView } from "./payment.repository.js";

export const PAY_OPERATION = "payReservation";

export interface PaymentDeps {
  guard: QueueGuard;
  pass: Pick<QueuePass, "finishAfterPayment">;
  reservations: ReservationPort;
  afterPayment: ReservationAfterPayment;
  soldOut: SoldOutCheck;
  wallet: WalletDebit;
  payments: PaymentStore;
  idempotency: Pick<Idempotency, "run" | "prior">;
  clock: Clock;
  log: { warn(details: object, message: string): void };
  metrics?: PaymentMetrics;
}

/** A settled promise's value, or its rejection thrown. */
function valueOf<T>(result: PromiseSettledResult<T>): T {
  if (result.status === "rejected") throw result.reason;
  return result.value;
}

export class PaymentService {
  constructor(private readonly deps: PaymentDeps) {}

  /**
   * Pays the caller's HELD reservation. The token must be ACTIVE for the reservation's
   * concert, except for a repeat of an idempotency key, which returns the first payment with
   * any valid token. After the commit the queue pass ends and the user's other holds for the
   * concert are released; if that fails the payment stands.
   */
  async pay(
    token: string | null,
    reservationId: string,
    idempotencyKey?: string | null,
  ): Promise<PaymentView> {
    const caller = await this.deps.guard.authenticate(token);
    const request = idempotentRequest(caller.userId, idempotencyKey, PAY_OPERATION, { reservationId });
    const reservation = await this.load(caller, reservationId, request);
    const replay = await this.admit(caller, reservation.concertId, request);
    if (replay) return this.paymentById(replay);
    const payment = this.newPayment(caller, reservation);
    const once = await this.deps.idempotency.run(request, payment.id, (tx) => this.settle(tx, payment));
    if (once.kind === "replay") return this.paymentById(once.resultId);
    const paid: ReservationView = { ...reservation, status: "CONFIRMED" };
    await this.announce(caller, paid, payment);
    return { ...payment, reservation: paid };
  }

  /** The caller's payments, newest first (any valid token). */
  async myPayments(token: string | null): Promise<PaymentView[]> {
    const { userId } = await this.deps.guard.authenticate(token);
    return this.deps.payments.listByUser(userId);
  }

  /** The caller's reservation; NOT_FOUND (or BAD_USER_INPUT for a key used elsewhere) when there is none. */
  private async load(caller: QueueCaller, reservationId: string, request: IdempotentRequest | null) {
    const reservation = await this.deps.reservations.findOwned(reservationId, caller.userId);
    if (reservation) return reservation;
    await this.deps.idempotency.prior(request);
    throw paymentErrors.notFound();
  }

  /**
   * The queue check. When it refuses a request that carries a used key, the first payment of
   * that key is the answer: it may have expired the token since (a replay, or a concurrent
   * same-key request that won).
   */
  private async admit(caller: QueueCaller, concertId: string, request: IdempotentRequest | null) {
    try {
      await this.deps.guard.requireActive(caller, concertId);
      return null;
    } catch (refusal) {
      const prior = await this.deps.idempotency.prior(request);
      if (prior) return prior;
      throw refusal;
    }
  }

  private newPayment(caller: QueueCaller, reservation: ReservationView): NewPayment {
    const paidAt = this.deps.clock.now();
    const { userId } = caller;
    return {
      id: newId(paidAt.getTime()),
      userId,
      reservationId: reservation.id,
      amount: reservation.price,
      paidAt,
    };
  }

  /**
   * Confirm, record, debit: sent back to back in the lock order reservation row → payment row
   * → wallet row (locked last, so for the shortest time), and judged in that order.
   */
  private async settle(tx: Tx, payment: NewPayment): Promise<void> {
    const { id, userId, reservationId, amount } = payment;
    const [confirmed, recorded, debited] = await Promise.allSettled([
      this.deps.reservations.confirmHeld(tx, reservationId, userId),
      this.deps.payments.insert(tx, payment),
      this.deps.wallet.debit(tx, userId, amount, id),
    ]);
    const outcome = valueOf(confirmed);
    if (outcome !== "CONFIRMED") throw notPayable[outcome]();
    if (!valueOf(recorded)) throw paymentErrors.alreadyPaid();
    valueOf(debited);
  }

  /**
   * After the commit, side by side (Redis and MySQL), each from what the payment already knows
   * (nothing is read back): a failure here must not turn the payment into an error for the
   * client.
   */
  private async announce(caller: QueueCaller, paid: ReservationView, payment: NewPayment) {
    this.deps.metrics?.paid(payment.amount);
    await Promise.all([
      this.afterCommit(() => this.deps.pass.finishAfterPayment(caller), "end the queue pass", payment.id),
      this.afterCommit(
        () => this.deps.afterPayment.afterPayment(paid),
        "release the user's other holds",
        payment.id,
      ),
      this.afterCommit(
        () => this.deps.soldOut.check(paid.concertId, paid.concertDateId),
        "check whether the concert sold out",
        payment.id,
      ),
    ]);
  }

  /** The token still lapses by its TTL and holds by their expiry. */
  private async afterCommit(step: () => Promise<unknown>, what: string, paymentId: string): Promise<void> {
    try {
      await step();
    } catch (error) {
      this.deps.log.warn({ err: error, paymentId }, `payment committed but could not ${what}`);
    }
  }

  private async paymentById(id: string): Promise<PaymentView> {
    const payment = await this.deps.payments.findById(id);
    if (!payment) throw new Error(`idempotency key points at missing payment ${id}`);
    return payment;
  }
}
