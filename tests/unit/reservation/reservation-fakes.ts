// In-memory stand-ins for the queue guard/pass and the seat event bus, shared by the seat
// feature's unit and integration tests.
import { DomainError } from "../../../src/platform/errors.js";
import type { SeatChangedEvent } from "../../../src/platform/redis/topics.js";
import type { QueueCaller, QueueGuard, QueuePass } from "../../../src/modules/queue/queue-guard.js";

type TicketState = "WAITING" | "ACTIVE" | "EXPIRED";

/** Tokens are handed out by `admit`; anything else is UNAUTHENTICATED, like a forged token. */
export class FakeQueue implements QueueGuard, QueuePass {
  private readonly tickets = new Map<string, { caller: QueueCaller; state: TicketState }>();
  readonly extended: { userId: string; until: Date }[] = [];
  failNextExtend = false;
  private seq = 0;

  admit(userId: string, concertId: string, state: TicketState = "ACTIVE"): string {
    this.seq += 1;
    const token = `token-${this.seq}-${userId}`;
    this.tickets.set(token, {
      caller: { token, ticketId: `ticket-${this.seq}`, userId, concertId, seq: this.seq, issuedAt: 0 },
      state,
    });
    return token;
  }

  setState(token: string, state: TicketState): void {
    const ticket = this.tickets.get(token);
    if (!ticket) throw new Error(`unknown test token ${token}`);
    ticket.state = state;
  }

  async authenticate(token: string | null): Promise<QueueCaller> {
    const ticket = token ? this.tickets.get(token) : undefined;
    if (!ticket)
      throw new DomainError(
        "UNAUTHENTICATED",
        "No valid queue token: enter the queue with issueQueueToken first.",
      );
    return ticket.caller;
  }

  async requireActive(caller: QueueCaller, concertId?: string): Promise<void> {
    if (concertId !== undefined && concertId !== caller.concertId) {
      throw new DomainError("FORBIDDEN", "This token is for another concert.");
    }
    const state = this.tickets.get(caller.token)?.state;
    if (state === "WAITING") throw new DomainError("QUEUE_NOT_ADMITTED", "Still waiting.", { position: 1 });
    if (state !== "ACTIVE") throw new DomainError("QUEUE_TOKEN_EXPIRED", "The token expired.");
  }

  async extendActiveUntil(caller: QueueCaller, until: Date): Promise<void> {
    if (this.failNextExtend) {
      this.failNextExtend = false;
      throw new Error("redis is down");
    }
    this.extended.push({ userId: caller.userId, until });
  }

  async finishAfterPayment(caller: QueueCaller): Promise<void> {
    this.setState(caller.token, "EXPIRED");
  }
}

export class RecordingSeatEvents {
  readonly published: SeatChangedEvent[] = [];
  publish(change: SeatChangedEvent): void {
    this.published.push(change);
  }
}

/** Resolves `promise` to the DomainError code it rejects with (fails the test when it resolves). */
export async function errorCodeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
  throw new Error("expected a DomainError, but the call succeeded");
}
