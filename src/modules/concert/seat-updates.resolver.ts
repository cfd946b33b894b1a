// The seatUpdates subscription. type-graphql calls a subscription's `subscribe` function
// without the resolver instance, so the class is made per app by a factory that closes over
// that app's ConcertService (the schema build only uses the classes it is given).
import { Args, Resolver, Root, Subscription, type SubscribeResolverData } from "type-graphql";
import type { GraphQLContext } from "../../platform/graphql/context.js";
import { failedStream } from "../../platform/graphql/failed-stream.js";
import type { SeatChangedEvent } from "../../platform/redis/topics.js";
import type { ConcertService } from "./concert.service.js";
import { SeatChange, SeatUpdatesArgs } from "./concert.types.js";

type SeatUpdatesSource = Pick<ConcertService, "seatUpdates">;

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
