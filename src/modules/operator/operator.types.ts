// GraphQL shapes of the Operator API's own records.
import { Field, ID, ObjectType } from "type-graphql";
import { DateTimeScalar } from "../../platform/graphql/scalars.js";

@ObjectType({ description: "One operator change, recorded in the same transaction as the change." })
export class OperatorAction {
  @Field(() => ID, { description: "Increasing in commit order across instances." })
  id!: string;

  @Field(() => DateTimeScalar)
  at!: Date;

  @Field({ description: "The OPERATOR_KEYS name of who made the change." })
  operator!: string;

  @Field({ description: "The mutation's name, e.g. createConcert." })
  action!: string;

  @Field(() => ID, { nullable: true })
  concertId!: string | null;

  @Field({ description: "JSON text: { args, result } of the mutation." })
  details!: string;
}
