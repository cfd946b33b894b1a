// Argument validation goes through buildAppSchema's validateFn (class-validator imported once,
// not per request; classes without constraints skip it): constraints, own or inherited, still
// refuse bad input, valid input still passes.
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

/** No constraint of its own: the parent's still applies. */
@ArgsType()
class LoudEchoArgs extends EchoArgs {
  @Field(() => Boolean)
  loud!: boolean;
}

@ArgsType()
class FreeArgs {
  @Field(() => String)
  text!: string;
}

@Resolver()
class EchoResolver {
  @Query(() => String)
  echo(@Args() { text }: EchoArgs): string {
    return text;
  }

  @Query(() => String)
  loudEcho(@Args() { text, loud }: LoudEchoArgs): string {
    return loud ? text.toUpperCase() : text;
  }

  @Query(() => String)
  free(@Args() { text }: FreeArgs): string {
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

  it("applies an inherited constraint to a class without constraints of its own", async () => {
    const schema = await buildAppSchema({ resolvers: [EchoResolver] });
    const ok = await graphql({ schema, source: '{ loudEcho(text: "abc", loud: true) }' });
    expect(ok).toEqual({ data: { loudEcho: "ABC" } });
    for (let i = 0; i < 2; i++) {
      const bad = await graphql({ schema, source: '{ loudEcho(text: "abcd", loud: true) }' });
      expect(bad.errors?.[0]?.originalError?.constructor.name).toBe("ArgumentValidationError");
    }
  });

  it("passes arguments of a class without constraints", async () => {
    const schema = await buildAppSchema({ resolvers: [EchoResolver] });
    const ok = await graphql({ schema, source: '{ free(text: "abcdefgh") }' });
    expect(ok).toEqual({ data: { free: "abcdefgh" } });
  });
});
