import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { pino } from "pino";
import { ArgumentValidationError } from "type-graphql";
import { describe, expect, it } from "vitest";
import { DomainError } from "../../../src/platform/errors.js";
import {
  classifyError,
  formatError,
  isInfrastructureError,
} from "../../../src/platform/graphql/format-error.js";

/** What graphql-js does with an error thrown in a resolver: wraps it with a path. */
function fromResolver(error: Error): { formatted: GraphQLFormattedError; error: GraphQLError } {
  const wrapped = new GraphQLError(error.message, { originalError: error, path: ["reserveSeat"] });
  return { formatted: wrapped.toJSON(), error: wrapped };
}

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: "debug" }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, lines };
}

describe("classifyError", () => {
  it("maps a DomainError to its code, its message and its numeric details", () => {
    const { formatted, error } = fromResolver(
      new DomainError("INSUFFICIENT_BALANCE", "Charge at least 32,000 KRW, then pay again.", {
        balance: 100_000,
        price: 132_000,
      }),
    );
    const result = classifyError(formatted, error);
    expect(result.severity).toBe("expected");
    expect(result.formatted).toEqual({
      message: "Charge at least 32,000 KRW, then pay again.",
      locations: undefined,
      path: ["reserveSeat"],
      extensions: { code: "INSUFFICIENT_BALANCE", balance: 100_000, price: 132_000 },
    });
  });

  it("builds a DomainError without a stack trace (an answer, not a fault), and leaves other errors theirs", () => {
    const limit = Error.stackTraceLimit;
    const refusal = new DomainError("SEAT_UNAVAILABLE", "Seat 7 is taken. Pick another seat.");
    expect(refusal.stack).toBe("DomainError: Seat 7 is taken. Pick another seat.");
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new Error("a bug").stack?.split("\n").length).toBeGreaterThan(1);
    expect(fromResolver(refusal).error.stack).toBe(refusal.stack);
  });

  it("turns a failed argument validation into BAD_USER_INPUT naming the constraint", () => {
    const validation = new ArgumentValidationError([
      {
        property: "seatNumber",
        constraints: { max: "seatNumber must not be greater than 50" },
        children: [],
      },
    ]);
    const { formatted, error } = fromResolver(validation);
    const result = classifyError(formatted, error);
    expect(result.formatted.extensions).toEqual({ code: "BAD_USER_INPUT" });
    expect(result.formatted.message).toContain("seatNumber must not be greater than 50");
  });

  it("masks an unknown error as INTERNAL_SERVER_ERROR with a generic message", () => {
    const bug = new Error("ER_PARSE_ERROR: You have an error in your SQL syntax near 'SELECT * FROM seats'");
    const { formatted, error } = fromResolver(bug);
    const result = classifyError(formatted, error);
    expect(result.severity).toBe("unexpected");
    expect(result.original).toBe(bug);
    expect(result.formatted.message).toBe("Internal server error.");
    expect(result.formatted.extensions).toEqual({ code: "INTERNAL_SERVER_ERROR" });
    expect(JSON.stringify(result.formatted)).not.toMatch(/SQL|seats|stack/i);
  });

  it("reports MySQL or Redis being unreachable as SERVICE_UNAVAILABLE", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:3306"), { code: "ECONNREFUSED" });
    for (const cause of [
      refused,
      new Error("Connection is closed."),
      new Error("pool timeout: failed to retrieve a connection from pool after 10001ms"),
    ]) {
      const { formatted, error } = fromResolver(cause);
      const result = classifyError(formatted, error);
      expect(result.severity).toBe("unavailable");
      expect(result.formatted.extensions).toEqual({ code: "SERVICE_UNAVAILABLE" });
      expect(result.formatted.message).not.toContain("3306");
    }
  });

  it("keeps Apollo's own codes for documents that are not valid GraphQL", () => {
    const parse = new GraphQLError("Syntax Error: Expected Name, found <EOF>.", {
      extensions: { code: "GRAPHQL_PARSE_FAILED" },
    });
    expect(classifyError(parse.toJSON(), parse).formatted.extensions).toEqual({
      code: "GRAPHQL_PARSE_FAILED",
    });
    const invalid = new GraphQLError('Cannot query field "nope" on type "Query".', {
      extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
    });
    expect(classifyError(invalid.toJSON(), invalid).formatted.extensions).toEqual({
      code: "GRAPHQL_VALIDATION_FAILED",
    });
  });

  it("calls graphql-js's own code-less request errors (bad variables) BAD_USER_INPUT", () => {
    const coercion = new GraphQLError(
      'Variable "$n" got invalid value "x"; Int cannot represent non-integer value',
    );
    expect(classifyError(coercion.toJSON(), coercion).formatted.extensions).toEqual({
      code: "BAD_USER_INPUT",
    });
  });
});

describe("isInfrastructureError", () => {
  it("does not take a domain error or a plain bug for an outage", () => {
    expect(isInfrastructureError(new DomainError("SEAT_UNAVAILABLE", "Pick another seat."))).toBe(false);
    expect(isInfrastructureError(new TypeError("Cannot read properties of undefined"))).toBe(false);
    expect(isInfrastructureError("ECONNREFUSED")).toBe(false);
  });
});

describe("formatError", () => {
  it("logs an unexpected error in full with the request id and tells the client only the id", () => {
    const { log, lines } = capturingLogger();
    const bug = new Error("duplicate entry 'secret-token' for key 'PRIMARY'");
    const { formatted, error } = fromResolver(bug);
    const out = formatError(formatted, error, log, "req-42");
    expect(out.extensions).toEqual({ code: "INTERNAL_SERVER_ERROR", requestId: "req-42" });
    expect(out.message).toContain("req-42");
    expect(out.message).not.toContain("secret-token");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 50, requestId: "req-42", msg: "unexpected error" });
    expect(JSON.stringify(lines[0]?.["err"])).toContain("secret-token");
  });

  it("logs an outage as a warning and a domain error not at all", () => {
    const { log, lines } = capturingLogger();
    const down = fromResolver(new Error("connect ECONNREFUSED 127.0.0.1:6379"));
    expect(formatError(down.formatted, down.error, log, "r1").extensions?.["code"]).toBe(
      "SERVICE_UNAVAILABLE",
    );
    const domain = fromResolver(new DomainError("NOT_FOUND", "Concert was not found."));
    expect(formatError(domain.formatted, domain.error, log, "r2").extensions?.["code"]).toBe("NOT_FOUND");
    expect(lines.map((l) => [l["level"], l["requestId"]])).toEqual([[40, "r1"]]);
  });
});
