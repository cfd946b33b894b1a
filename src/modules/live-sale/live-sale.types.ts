// The admin schema's types of a live sale (admin-schema.graphql).
import { ArgsType, Field, ID, Int, ObjectType } from "type-graphql";
import { DateTimeScalar } from "../../platform/graphql/scalars.js";

@ObjectType({
  description: "A concert's admission controls in force (defaults where no operator changed them).",
})
export class SaleControl {
  @Field(() => ID)
  concertId!: string;

  @Field({ description: "Nobody is admitted while true, not even into an empty queue; ACTIVE users go on." })
  paused!: boolean;

  @Field(() => Int, { description: "At most this many ACTIVE at once (QUEUE_MAX_ACTIVE unless overridden)." })
  maxActive!: number;

  @Field(() => Int, {
    description: "At most this many admitted per tick (QUEUE_ADMIT_PER_TICK unless overridden).",
  })
  admitPerTick!: number;

  @Field(() => DateTimeScalar, { nullable: true, description: "Last change; null while never changed." })
  updatedAt!: Date | null;

  @Field(() => String, { nullable: true, description: "The operator who changed it last." })
  updatedBy!: string | null;
}

@ObjectType({
  description:
    "A sale's live figures, exact and the same whichever instance answers: queue counts from Redis, seats and money from MySQL. Seat figures cover the concert's dates from today on.",
})
export class SaleStats {
  @Field(() => ID)
  concertId!: string;

  @Field(() => DateTimeScalar, { description: "When these figures were read." })
  at!: Date;

  @Field(() => DateTimeScalar, { nullable: true })
  saleOpensAt!: Date | null;

  @Field(() => Int, { description: "Tickets PREQUEUED for the draw." })
  prequeued!: number;

  @Field(() => Int)
  waiting!: number;

  @Field(() => Int)
  active!: number;

  @Field(() => Int, { description: "Admitted in the last 60 seconds." })
  admittedLastMinute!: number;

  @Field(() => Int, { description: "Left, dropped for idleness or timed out unpaid in the last 60 seconds." })
  abandonedLastMinute!: number;

  @Field(() => Int, { description: "Payments in the last 60 seconds." })
  paidLastMinute!: number;

  @Field(() => Int)
  seatsFree!: number;

  @Field(() => Int, { description: "Held and not lapsed (a lapsed hold is free at once)." })
  seatsHeld!: number;

  @Field(() => Int)
  seatsSold!: number;

  @Field(() => Int, { description: "KRW: every payment for the concert." })
  revenue!: number;

  @Field()
  paused!: boolean;

  @Field(() => Int)
  maxActive!: number;

  @Field(() => Int)
  admitPerTick!: number;

  @Field({ description: "No seat of a future date is free or held." })
  soldOut!: boolean;
}

@ArgsType()
export class ConcertArgs {
  @Field(() => ID)
  concertId!: string;
}

@ArgsType()
export class AdmissionPolicyArgs {
  @Field(() => ID)
  concertId!: string;

  @Field(() => Int, { nullable: true, description: "0..1,000,000; omitted: unchanged." })
  maxActive?: number | null;

  @Field(() => Int, { nullable: true, description: "1..100,000; omitted: unchanged." })
  admitPerTick?: number | null;
}
