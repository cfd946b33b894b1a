import { ArgsType, Field, ID, Int, ObjectType } from "type-graphql";

@ObjectType({ description: "A user's prepaid balance." })
export class Wallet {
  @Field(() => ID)
  userId!: string;

  @Field(() => Int, { description: "KRW, never negative, at most MAX_BALANCE." })
  balance!: number;
}

@ArgsType()
export class ChargeBalanceArgs {
  @Field(() => Int, { description: "KRW to add: a whole number from 1 to MAX_CHARGE." })
  amount!: number;

  @Field(() => String, {
    nullable: true,
    description:
      "Up to 255 characters, unique per intended charge (a UUID). A repeat with the same key returns the first result and charges nothing.",
  })
  idempotencyKey?: string | null;
}
