// The one in-memory stand-in for the queue's guard and pass (QueueGuard, QueuePass), for the unit
// and integration tests of the features behind the queue (seats, wallet, payment). Tokens are
// handed out by `admit` (or `token`, which spells the caller into the token); anything else is
// UNAUTHENTICATED, like a forged token.
import { DomainError } from "../../../src/platform/errors.js";
import type { QueueCaller, QueueGuard, QueuePass } from "../../../src/modules/queue/queue-guard.js";

type TicketState = "WAITING" | "ACTIVE" | "EXPIRED";

export class FakeQueue implements QueueGuard, QueuePass {
  /** Each token's state; a test may set one directly. */
  readonly status = new Map<string, TicketState>();
  private readonly callers = new Map<string, QueueCaller>();
  /** Tokens whose payment finished them, in order. */
  readonly finished: string[] = [];
  readonly extended: { userId: string; until: Date }[] = [];
  failFinish = false;
  failNextExtend = false;
  /** False leaves the token ACTIVE after a payment, so that every racer reaches the database. */
  expireOnPayment = true;
  private seq = 0;

  /** A new ticket of the user: `token-<n>-<userId>`. */
  admit(userId: string, concertId: string, state: TicketState = "ACTIVE"): string {
    this.seq += 1;
    const token = `token-${this.seq}-${userId}`;
    this.callers.set(token, {
      token,
      ticketId: `ticket-${this.seq}`,
      userId,
      concertId,
      seq: this.seq,
      issuedAt: 0,
    });
    this.status.set(token, state);
    return token;
  }

  /** The user's ticket for the concert, as `token:<userId>:<concertId>`. */
  token(userId: string, concertId = "concert-1", state: TicketState = "ACTIVE"): string {
    const token = `token:${userId}:${concertId}`;
    this.status.set(token, state);
    return token;
  }

  setState(token: string, state: TicketState): void {
    if (!this.status.has(token)) throw new Error(`unknown test token ${token}`);
    this.status.set(token, state);
  }

  async authenticate(token: string | null): Promise<QueueCaller> {
    const caller = token !== null && this.status.has(token) ? this.callerOf(token) : undefined;
    if (!caller) {
      throw new DomainError(
        "UNAUTHENTICATED",
        "No valid queue token: enter the queue with issueQueueToken first.",
      );
    }
    return caller;
  }

  async requireActive(caller: QueueCaller, concertId?: string): Promise<void> {
    if (concertId !== undefined && concertId !== caller.concertId) {
      throw new DomainError("FORBIDDEN", "This token is for another concert.");
    }
    const state = this.status.get(caller.token);
    if (state === "WAITING") throw new DomainError("QUEUE_NOT_ADMITTED", "Still waiting.", { position: 1 });
    if (state !== "ACTIVE") throw new DomainError("QUEUE_TOKEN_EXPIRED", "The token expired.");
  }

  /** The fake keeps no read passes: every read asks, as requireActive. */
  requireActiveToRead(caller: QueueCaller, concertId?: string): Promise<void> {
    return this.requireActive(caller, concertId);
  }

  async extendActiveUntil(caller: QueueCaller, until: Date): Promise<void> {
    if (this.failNextExtend) {
      this.failNextExtend = false;
      throw new Error("redis is down");
    }
    this.extended.push({ userId: caller.userId, until });
  }

  async finishAfterPayment(caller: QueueCaller): Promise<void> {
    if (this.failFinish) throw new Error("redis went away");
    if (this.expireOnPayment) this.status.set(caller.token, "EXPIRED");
    this.finished.push(caller.token);
  }

  private callerOf(token: string): QueueCaller | undefined {
    const known = this.callers.get(token);
    if (known) return known;
    const parts = token.split(":");
    if (parts.length !== 3 || parts[0] !== "token") return undefined;
    return { token, ticketId: `t-${parts[1]}`, userId: parts[1]!, concertId: parts[2]!, seq: 1, issuedAt: 0 };
  }
}
