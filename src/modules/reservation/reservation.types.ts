// GraphQL shapes of the reservation feature.
import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { DateTimeScalar } from "../../platform/graphql/scalars.js";
import type { ReservationStatus as Status } from "./reservation.model.js";

export const ReservationStatus = {
  HELD: "HELD",
  CONFIRMED: "CONFIRMED",
  EXPIRED: "EXPIRED",
  CANCELLED: "CANCELLED",
} as const satisfies Record<Status, Status>;

registerEnumType(ReservationStatus, {
  name: "ReservationStatus",
  description: "HELD until paid or expiresAt; a hold past expiresAt reads EXPIRED at once.",
});

@ObjectType({ simpleResolvers: true, description: "A seat held (or bought) by the caller." })
export class Reservation {
  @Field(() => ID)
  id!: string;

  @Field(() => Int)
  seatNumber!: number;

  @Field(() => ID)
  concertDateId!: string;

  @Field(() => ID)
  concertId!: string;

  @Field(() => ReservationStatus)
  status!: Status;

  @Field(() => Int, { description: "KRW" })
  price!: number;

  @Field(() => DateTimeScalar, { description: "When an unpaid hold runs out." })
  expiresAt!: Date;

  @Field(() => DateTimeScalar)
  createdAt!: Date;
}
