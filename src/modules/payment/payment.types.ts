import { ArgsType, Field, ID, Int, ObjectType } from "type-graphql";
import { DateTimeScalar } from "../../platform/graphql/scalars.js";
import { Reservation } from "../reservation/reservation.types.js";

@ObjectType({ description: "A payment of one reservation from the balance." })
export class Payment {
  @Field(() => ID)
  id!: string;

  @Field(() => Int, { description: "KRW taken from the balance." })
  amount!: number;

  @Field(() => DateTimeScalar)
  paidAt!: Date;

  @Field(() => Reservation, { description: "The paid reservation, CONFIRMED, with its seat number." })
  reservation!: Reservation;
}

@ArgsType()
export class PayReservationArgs {
  @Field(() => ID)
  reservationId!: string;

  @Field(() => String, {
    nullable: true,
    description:
      "Up to 255 characters, unique per intended payment (a UUID). A repeat with the same key returns the first payment, even after the queue token expired.",
  })
  idempotencyKey?: string | null;
}
