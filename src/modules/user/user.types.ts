import { ArgsType, Field, ID, ObjectType } from "type-graphql";

@ObjectType({ description: "A new user. The access key is shown only this once: keep it." })
export class SignUpPayload {
  @Field(() => ID)
  userId!: string;

  @Field({ description: "Secret for issueQueueToken; stored only as a hash." })
  accessKey!: string;
}

@ArgsType()
export class SignUpArgs {
  @Field(() => String, { nullable: true, description: "Display name, 1 to 100 characters." })
  name?: string | null;
}
