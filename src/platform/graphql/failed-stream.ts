// Shared by the subscriptions that authenticate a `token` argument (queueUpdates, seatUpdates,
// saleStatsUpdates).
import { Repeater } from "@repeaterjs/repeater";

/**
 * A stream whose first read fails with `error`. graphql-ws answers a stream that fails with an
 * `error` message (docs/api.md: a bad `token` argument), whereas an error thrown by the subscribe
 * function itself would arrive as a `next` payload with errors.
 */
export function failedStream<T>(error: unknown): AsyncIterableIterator<T> {
  return new Repeater<T>((_push, stop) => stop(error instanceof Error ? error : new Error(String(error))));
}
