import { Args, Mutation, Resolver } from "type-graphql";
import type { UserService } from "./user.service.js";
import { SignUpArgs, SignUpPayload } from "./user.types.js";

@Resolver()
export class UserResolver {
  constructor(private readonly users: UserService) {}

  @Mutation(() => SignUpPayload, {
    description: "Creates a user with an empty wallet and returns its access key once.",
  })
  signUp(@Args() { name }: SignUpArgs): Promise<SignUpPayload> {
    return this.users.signUp(name);
  }
}
