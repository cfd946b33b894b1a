// In-memory stand-ins for the queue guard/pass and the seat event bus, shared by the seat
// feature's unit and integration tests.
import { DomainError } from "../../../src/platform/errors.js";
import type { SeatChangedEvent } from "../../../src/platform/redis/topics.js";

// The queue stand-in is shared by every feature behind the queue.
export { FakeQueue } from "../queue/fake-queue.js";

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
