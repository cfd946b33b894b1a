import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../../platform/graphql/context.js";
import type { ReservationView } from "./reservation.model.js";
import type { ReservationService } from "./reservation.service.js";
import { Reservation } from "./reservation.types.js";

@Resolver(() => Reservation)
export class ReservationResolver {
  constructor(private readonly service: ReservationService) {}

  @Mutation(() => Reservation, {
    description: `Holds a seat for HOLD_SECONDS (ACTIVE token for the date's concert).`,
  })
  reserveSeat(
    @Arg("concertDateId", () => ID) concertDateId: string,
    @Arg("seatNumber", () => Int) seatNumber: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ReservationView> {
    return this.service.reserveSeat(ctx.token, concertDateId, seatNumber);
  }

  @Mutation(() => Reservation, { description: "Gives a HELD seat back at once; returns it CANCELLED." })
  cancelReservation(
    @Arg("reservationId", () => ID) reservationId: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ReservationView> {
    return this.service.cancelReservation(ctx.token, reservationId);
  }

  @Query(() => [Reservation], { description: "The caller's reservations, all concerts, newest first." })
  myReservations(@Ctx() ctx: GraphQLContext): Promise<ReservationView[]> {
    return this.service.myReservations(ctx.token);
  }
}
