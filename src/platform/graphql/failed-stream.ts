// Shared by the subscriptions that authenticate a `token` argument (queueUpdates, seatUpdates).

/**
 * A stream whose first read fails with `error`. graphql-ws answers a stream that fails with an
 * `error` message (docs/api.md: a bad `token` argument), whereas an error thrown by the subscribe
 * function itself would arrive as a `next` payload with errors.
 */
export function failedStream<T>(error: unknown): AsyncIterableIterator<T> {
  let failed = false;
  const it: AsyncIterableIterator<T> = {
    next: () => {
      if (failed) return Promise.resolve({ value: undefined, done: true });
      failed = true;
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    },
    return: () => {
      failed = true;
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]: () => it,
  };
  return it;
}
