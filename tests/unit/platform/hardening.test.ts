// Unit checks behind the hardening tests: graphql-ws variable errors are bad input (not bugs),
// and the logger censors credentials wherever they sit in a log object.
import {
  GraphQLError,
  GraphQLID,
  GraphQLInt,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  subscribe,
} from "graphql";
import { readFileSync } from "node:fs";
import { buildSchema, getIntrospectionQuery, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { Q } from "../../../web/src/api.js";
import { DEFAULT_QUERY_LIMITS, queryLimitsRule } from "../../../src/platform/graphql/limits.js";
import { classifyError } from "../../../src/platform/graphql/format-error.js";
import { createLogger } from "../../../src/platform/logger.js";

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: "Query", fields: { ok: { type: GraphQLString } } }),
  subscription: new GraphQLObjectType({
    name: "Subscription",
    fields: {
      seat: {
        type: GraphQLInt,
        args: { id: { type: GraphQLID } },
        subscribe: async function* () {
          yield 1;
        },
      },
    },
  }),
});

describe("classifyError for errors graphql-ws passes on", () => {
  it("maps a variable that cannot be coerced (e.g. a float for an ID) to BAD_USER_INPUT", async () => {
    const result = await subscribe({
      schema,
      document: parse("subscription($d: ID) { seat(id: $d) }"),
      variableValues: { d: -5e-324 },
    });
    const error = (result as { errors: readonly GraphQLError[] }).errors[0]!;
    const classified = classifyError(error.toJSON(), error);
    expect(classified.severity).toBe("expected");
    expect(classified.formatted.extensions).toEqual({ code: "BAD_USER_INPUT" });
  });

  it("still treats an unknown error thrown inside a subscription stream as a bug", () => {
    const wrapped = new GraphQLError("boom", { originalError: new TypeError("x is undefined") });
    expect(classifyError(wrapped.toJSON(), wrapped).severity).toBe("unexpected");
  });
});

describe("createLogger", () => {
  it("censors tokens, access keys and Authorization headers", () => {
    const lines: string[] = [];
    const log = createLogger("info");
    const stream = (log as unknown as { [k: symbol]: { write: (s: string) => void } })[
      Object.getOwnPropertySymbols(log).find((s) => s.toString() === "Symbol(pino.stream)")!
    ]!;
    const write = stream.write.bind(stream);
    stream.write = (s: string) => {
      lines.push(s);
      return true;
    };
    try {
      log.info(
        {
          token: "tok-SECRET-1",
          accessKey: "key-SECRET-2",
          req: { headers: { authorization: "Bearer tok-SECRET-3" } },
          variables: { accessKey: "key-SECRET-4", token: "tok-SECRET-5" },
          ticket: { token: "tok-SECRET-6" },
        },
        "credentials",
      );
    } finally {
      stream.write = write;
    }
    expect(lines.join("")).toContain("[redacted]");
    expect(lines.join("")).not.toMatch(/SECRET/);
  });
});

describe("query limits against the real schema", () => {
  const real = buildSchema(readFileSync(new URL("../../../schema.graphql", import.meta.url), "utf8"));
  const limitErrors = (document: string, introspection = true) =>
    validate(real, parse(document), [queryLimitsRule(DEFAULT_QUERY_LIMITS, { introspection })]).map(
      (e) => e.message,
    );

  it.each([
    ["no options", {}],
    [
      "every option",
      {
        descriptions: true,
        inputValueDeprecation: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        schemaDescription: true,
        oneOf: true,
      },
    ],
  ])("lets graphql-js's getIntrospectionQuery() (%s) through where introspection is on", (_n, options) => {
    expect(limitErrors(getIntrospectionQuery(options))).toEqual([]);
  });

  it("measures the introspection query as an ordinary one would be: far past every limit", () => {
    // What the exemption is worth: the same selections under a non-introspection root.
    const asOrdinary = getIntrospectionQuery()
      .replace("__schema", "concerts")
      .replace(/on __\w+/g, "on Concert");
    expect(limitErrors(asOrdinary).join()).toMatch(/QUERY_TOO_COMPLEX|nested|costs/);
  });

  it("exempts the schema fields, not an operation's name: its other fields still count", () => {
    const named = (extra: string) => `query IntrospectionQuery { __schema { queryType { name } } ${extra} }`;
    expect(limitErrors(named("serverTime"))).toEqual([]);
    expect(limitErrors(named(`concerts { ${"id ".repeat(50)} }`))).toEqual([
      expect.stringMatching(/costs 501; the limit is 500/),
    ]);
    expect(limitErrors(named(Array.from({ length: 11 }, (_, i) => `a${i}: serverTime`).join(" ")))).toEqual([
      expect.stringMatching(/11 aliases/),
    ]);
  });

  it("bounds introspection by its own allowance", () => {
    // One more nested list than the standard query has: ten times its cost.
    const walk =
      "{ __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }";
    expect(limitErrors(walk)).toEqual([
      expect.stringMatching(/introspection costs \d+; the limit is 100000/),
    ]);
    let chain = "name";
    for (let i = 0; i < 20; i++) chain = `ofType { ${chain} }`;
    expect(limitErrors(`{ __type(name: "Query") { ${chain} } }`)).toEqual([
      expect.stringMatching(/introspection is nested 22 levels deep; the limit is 20/),
    ]);
  });

  it("leaves introspection to graphql-js's refusal where it is off, limiting the rest", () => {
    expect(limitErrors(getIntrospectionQuery(), false)).toEqual([]);
    expect(
      limitErrors(`{ __schema { queryType { name } } concerts { ${"id ".repeat(50)} } }`, false),
    ).toEqual([expect.stringMatching(/costs 501/)]);
  });

  it.each(Object.entries(Q))("lets the waiting room's %s document through", (_name, document) => {
    expect(limitErrors(document)).toEqual([]);
  });

  it("lets the heaviest honest read through (every list of the caller at once)", () => {
    const reservation = "id seatNumber concertDateId concertId status price expiresAt createdAt";
    const document = `query($d: ID!, $c: ID!) {
      concerts { id title artist venue }
      availableDates(concertId: $c) { id date availableSeatCount concertId startsAt }
      seatMap(concertDateId: $d) { number price status }
      myReservations { ${reservation} }
      myPayments { id amount paidAt reservation { ${reservation} } }
      balance { userId balance }
      queueStatus { token userId concertId status position estimatedWaitSeconds activeUntil }
    }`;
    expect(limitErrors(document)).toEqual([]);
  });
});
