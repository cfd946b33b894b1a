// GraphQL inputs of the Operator API's catalogue (admin-schema.graphql). Concert and
// ConcertDate are the public types (concert.types.ts): both APIs describe them alike.
import { Field, InputType, Int } from "type-graphql";
import { DateTimeScalar } from "../../platform/graphql/scalars.js";

@InputType({ description: "A new concert. Strings are trimmed and must then be 1..200 characters." })
export class CreateConcertInput {
  @Field()
  title!: string;

  @Field()
  artist!: string;

  @Field()
  venue!: string;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description:
      "When the sale opens (in the future); absent: on sale at once. Entrants before it are drawn at the opening.",
  })
  saleOpensAt?: Date | null;
}

@InputType({ description: "Seats fromSeat..toSeat (inclusive) cost `price` KRW." })
export class SeatPriceInput {
  @Field(() => Int, { description: "1..50" })
  fromSeat!: number;

  @Field(() => Int, { description: "fromSeat..50" })
  toSeat!: number;

  @Field(() => Int, { description: "KRW, 1..MAX_CHARGE" })
  price!: number;
}
