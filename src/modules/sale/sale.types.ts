// GraphQL shapes of the pre-queue draw.
import { ArgsType, Field, ID, Int, ObjectType } from "type-graphql";
import { DateTimeScalar } from "../../platform/graphql/scalars.js";

@ObjectType({
  description:
    'The verifiable pre-queue draw of a scheduled sale: the drawn order is ascending SHA-256(seed + ":" + userId) as lowercase hex.',
})
export class SaleDraw {
  @Field(() => ID)
  concertId!: string;

  @Field({ description: "SHA-256 of the seed's 32 bytes, lowercase hex; published before the draw." })
  commitment!: string;

  @Field(() => String, {
    nullable: true,
    description: "The 32-byte seed as 64 lowercase hex digits; null until the draw.",
  })
  seed!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "When the draw ran; null before." })
  drawnAt!: Date | null;

  @Field(() => Int, { nullable: true, description: "How many PREQUEUED tickets were drawn; null before." })
  entrants!: number | null;
}

@ArgsType()
export class SaleDrawArgs {
  @Field(() => ID)
  concertId!: string;
}
