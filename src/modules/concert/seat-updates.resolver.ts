// The seatUpdates subscription. A plain class reading the concert service from the context:
// type-graphql calls a subscription's `subscribe` function without the resolver instance
// (GraphQLContext.services).
import { Args, Resolver, Root, Subscription, type SubscribeResolverData } from "type-graphql";
import type { GraphQLContext } from "../../platform/graphql/context.js";
import { failedStream } from "../../platform/graphql/failed-stream.js";
import type { SeatChangedEvent } from "../../platform/redis/topics.js";
import { SeatChange, SeatUpdatesArgs } from "./concert.types.js";

@Resolver()
export class SeatUpdatesResolver {
  @Subscription(() => SeatChange, {
    description:
      "Pushes every change (held, freed, sold) of the date's seats, made on any instance. ACTIVE token.",
    subscribe: ({ args, context }: SubscribeResolverData<unknown, SeatUpdatesArgs, GraphQLContext>) =>
      context.services.seatUpdates
        .seatUpdates(args.token ?? context.token, args.concertDateId)
        .catch((error: unknown) => failedStream<SeatChangedEvent>(error)),
  })
  seatUpdates(@Root() change: SeatChangedEvent, @Args() _args: SeatUpdatesArgs): SeatChangedEvent {
    return change;
  }
}
