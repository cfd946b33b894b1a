// Argument validation goes through buildAppSchema's validateFn (class-validator imported once,
// not per request): constraints still refuse bad input, valid input still passes.
import "reflect-metadata";
import { MaxLength } from "class-validator";
import { graphql } from "graphql";
import { Args, ArgsType, Field, Query, Resolver } from "type-graphql";
import { describe, expect, it } from "vitest";
import { buildAppSchema } from "../../../src/platform/graphql/build-schema.js";

@ArgsType()
class EchoArgs {
  @Field(() => String)
  @MaxLength(3)
  text!: string;
}

@Resolver()
class EchoResolver {
  @Query(() => String)
  echo(@Args() { text }: EchoArgs): string {
    return text;
  }
}

describe("argument validation", () => {
  it("refuses arguments that break a class-validator constraint and passes valid ones", async () => {
    const schema = await buildAppSchema({ resolvers: [EchoResolver] });
    const ok = await graphql({ schema, source: '{ echo(text: "abc") }' });
    expect(ok).toEqual({ data: { echo: "abc" } });
    const bad = await graphql({ schema, source: '{ echo(text: "abcd") }' });
    expect(bad.errors?.[0]?.originalError?.constructor.name).toBe("ArgumentValidationError");
  });
});
