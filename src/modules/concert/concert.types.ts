// GraphQL shapes of concerts, dates and seats.
import { ArgsType, Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { DateScalar, DateTimeScalar } from "../../platform/graphql/scalars.js";
import type { SeatStatus as Status } from "./concert.model.js";

export const SeatStatus = { FREE: "FREE", HELD: "HELD", SOLD: "SOLD" } as const satisfies Record<
  Status,
  Status
>;
registerEnumType(SeatStatus, { name: "SeatStatus", description: "A seat's state; never says who holds it." });

@ObjectType({ simpleResolvers: true, description: "A concert on sale, or scheduled to open (saleOpensAt)." })
export class Concert {
  @Field(() => ID)
  id!: string;

  @Field()
  title!: string;

  @Field()
  artist!: string;

  @Field()
  venue!: string;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: "When the sale opens; null: on sale now. Before it, issueQueueToken enters the pre-queue.",
  })
  saleOpensAt!: Date | null;
}

@ObjectType({ simpleResolvers: true, description: "A date of a concert that still has free seats." })
export class ConcertDate {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  concertId!: string;

  @Field(() => DateScalar, { description: "The calendar day of the show in TZ_BUSINESS." })
  date!: Date;

  @Field(() => DateTimeScalar, { description: "When the doors open." })
  startsAt!: Date;

  @Field(() => Int, { description: "Seats neither held nor sold right now." })
  availableSeatCount!: number;
}

@ObjectType({ simpleResolvers: true, description: "A free seat." })
export class Seat {
  @Field(() => Int, { description: "1..50" })
  number!: number;

  @Field(() => Int, { description: "KRW" })
  price!: number;
}

@ObjectType({ simpleResolvers: true, description: "A seat of the seat map with its state." })
export class SeatMapSeat {
  @Field(() => Int)
  number!: number;

  @Field(() => Int, { description: "KRW" })
  price!: number;

  @Field(() => SeatStatus)
  status!: Status;
}

@ObjectType({ simpleResolvers: true, description: "A seat of a date was held, freed or sold." })
export class SeatChange {
  @Field(() => ID)
  concertDateId!: string;

  @Field(() => Int)
  number!: number;

  @Field(() => SeatStatus)
  status!: Status;
}

@ArgsType()
export class SeatUpdatesArgs {
  @Field(() => ID)
  concertDateId!: string;

  @Field(() => String, {
    nullable: true,
    description: "The queue token, when not given in connectionParams.authorization.",
  })
  token?: string | null;
}
