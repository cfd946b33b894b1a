import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../../platform/graphql/context.js";
import { DateScalar } from "../../platform/graphql/scalars.js";
import type { AvailableDateView, ConcertView, SeatStateView, SeatView } from "./concert.model.js";
import type { ConcertService } from "./concert.service.js";
import { Concert, ConcertDate, Seat, SeatMapSeat } from "./concert.types.js";

@Resolver()
export class ConcertResolver {
  constructor(private readonly service: ConcertService) {}

  @Query(() => [Concert], {
    description: "Concerts on sale or scheduled to open (see saleOpensAt); no token needed.",
  })
  concerts(): Promise<ConcertView[]> {
    return this.service.concerts();
  }

  @Query(() => [ConcertDate], {
    description:
      "Dates on or after `from` (default and minimum: today) with at least one free seat. ACTIVE token.",
  })
  availableDates(
    @Arg("concertId", () => ID) concertId: string,
    @Arg("from", () => DateScalar, { nullable: true }) from: Date | null | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<AvailableDateView[]> {
    return this.service.availableDates(ctx.token, concertId, from);
  }

  @Query(() => [Seat], {
    description: "Free seats of a date by number; empty when none is left. ACTIVE token.",
  })
  availableSeats(
    @Arg("concertDateId", () => ID) concertDateId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SeatView[]> {
    return this.service.availableSeats(ctx.token, concertDateId);
  }

  @Query(() => [SeatMapSeat], { description: "All seats of a date with FREE / HELD / SOLD. ACTIVE token." })
  seatMap(
    @Arg("concertDateId", () => ID) concertDateId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SeatStateView[]> {
    return this.service.seatMap(ctx.token, concertDateId);
  }
}
