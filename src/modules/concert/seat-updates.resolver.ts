// The seatUpdates subscription. type-graphql calls a subscription's `subscribe` function
// without the resolver instance, so the class is made per app by a factory that closes over
// that app's ConcertService (the schema build only uses the classes it is given).
import { Args, Resolver, Root, Subscription, type SubscribeResolverData } from "type-graphql";
import type { GraphQLContext } from "../../platform/graphql/context.js";
import type { SeatChangedEvent } from "../../platform/redis/topics.js";
import type { ConcertService } from "./concert.service.js";
import { SeatChange, SeatUpdatesArgs } from "./concert.types.js";

type SeatUpdatesSource = Pick<ConcertService, "seatUpdates">;

/**
 * A stream whose first read fails. graphql-ws answers a failing stream with an `error`
 * message (API.md: a bad `token` argument ends the subscription with one), whereas an error
 * thrown by `subscribe` itself would arrive as a `next` payload followed by `complete`.
 */
function failedStream<T>(error: unknown): AsyncIterableIterator<T> {
  let failed = false;
  const stream: AsyncIterableIterator<T> = {
    next: () => {
      if (failed) return Promise.resolve({ value: undefined, done: true });
      failed = true;
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    },
    return: () => {
      failed = true;
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]: () => stream,
  };
  return stream;
}

export function createSeatUpdatesResolver(service: SeatUpdatesSource): new () => object {
  @Resolver()
  class SeatUpdatesResolver {
    @Subscription(() => SeatChange, {
      description:
        "Pushes every change (held, freed, sold) of the date's seats, made on any instance. ACTIVE token.",
      subscribe: ({ args, context }: SubscribeResolverData<unknown, SeatUpdatesArgs, GraphQLContext>) =>
        service
          .seatUpdates(args.token ?? context.token, args.concertDateId)
          .catch((error: unknown) => failedStream<SeatChangedEvent>(error)),
    })
    seatUpdates(@Root() change: SeatChangedEvent, @Args() _args: SeatUpdatesArgs): SeatChangedEvent {
      return change;
    }
  }
  return SeatUpdatesResolver;
}

/** The class the SDL emitter lists (src/resolvers.ts); it is never served. */
export const SeatUpdatesResolver = createSeatUpdatesResolver({
  seatUpdates: () => Promise.reject(new Error("schema-only resolver: build the concert module instead")),
});
