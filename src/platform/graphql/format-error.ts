import { unwrapResolverError } from "@apollo/server/errors";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { ArgumentValidationError } from "type-graphql";
import { isLockConflict } from "../db/db-errors.js";
import { DomainError } from "../errors.js";
import type { Logger } from "../logger.js";

/** Codes that graphql-js / Apollo assign themselves for invalid documents and requests. */
const PROTOCOL_CODES = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "BAD_USER_INPUT",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
]);

/** Errors of MySQL/Redis being unreachable (or a Redis Cluster failing over): safe to retry, not a bug. */
export function isInfrastructureError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const text = `${error.name} ${(error as { code?: unknown }).code ?? ""} ${error.message}`;
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|Connection is closed|MaxRetriesPerRequest|Stream isn't writeable|enableOfflineQueue|pool timeout|retrieve connection from pool|Can't connect|Connection lost|socket has unexpectedly been closed|DatabaseNotReachable|P1001|P1017|P2024|ER_GET_CONNECTION_TIMEOUT|ER_CONNECTION_TIMEOUT|ER_SOCKET_UNEXPECTED_CLOSE|CLUSTERDOWN|TRYAGAIN|MOVED \d+ \S+:\d+|Too many Cluster redirections|Failed to refresh slots cache|ClusterAllFailedError|None of startup nodes is available/i.test(
    text,
  );
}

/**
 * An error graphql-js raised about the request itself: no cause, or (variable coercion over
 * graphql-ws, which has no Apollo to tag it) a path-less wrapper around a scalar's own
 * GraphQLError such as "ID cannot represent value: 1.5".
 */
function isGraphQLRequestError(error: GraphQLError): boolean {
  const cause = error.originalError;
  if (cause == null) return true;
  return (
    error.path === undefined &&
    cause instanceof GraphQLError &&
    cause.constructor === GraphQLError &&
    cause.originalError == null &&
    !cause.extensions["code"]
  );
}

export type ErrorSeverity = "expected" | "unavailable" | "unexpected";

/**
 * The one mapping from anything thrown to what a client sees: DomainError → its code;
 * invalid arguments → BAD_USER_INPUT; MySQL/Redis down, or a MySQL lock conflict (deadlock,
 * lock wait timeout) that outlasted the retries → SERVICE_UNAVAILABLE; anything else → a
 * generic INTERNAL_SERVER_ERROR (the caller logs it in full with the request id).
 */
export function classifyError(
  formatted: GraphQLFormattedError,
  error: unknown,
): { formatted: GraphQLFormattedError; severity: ErrorSeverity; original: unknown } {
  const unwrapped = unwrapResolverError(error);
  // graphql-ws wraps an error thrown while a subscription streams in a GraphQLError without a
  // path, which unwrapResolverError keeps; the DomainError inside still decides the code.
  const original =
    unwrapped instanceof GraphQLError && unwrapped.originalError instanceof DomainError
      ? unwrapped.originalError
      : unwrapped;
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
  const expected = (f: GraphQLFormattedError) => ({ formatted: f, severity: "expected" as const, original });

  if (original instanceof DomainError) {
    return expected({
      ...base,
      message: original.message,
      extensions: { code: original.code, ...original.details },
    });
  }
  if (original instanceof ArgumentValidationError) {
    const details = original.extensions.validationErrors
      .flatMap((v) => Object.values(v.constraints ?? {}))
      .join("; ");
    return expected({
      ...base,
      message: `Invalid argument: ${details || original.message}`,
      extensions: { code: "BAD_USER_INPUT" },
    });
  }
  if (isInfrastructureError(original) || isLockConflict(original)) {
    return {
      formatted: {
        ...base,
        message: "The service is temporarily unavailable; please retry shortly.",
        extensions: { code: "SERVICE_UNAVAILABLE" },
      },
      severity: "unavailable",
      original,
    };
  }
  const code = formatted.extensions?.["code"];
  if (typeof code === "string" && PROTOCOL_CODES.has(code)) {
    return expected({ ...base, extensions: { code } });
  }
  if (original instanceof GraphQLError && !code && isGraphQLRequestError(original)) {
    // graphql-js's own request errors (e.g. variable coercion) carry no code: bad input.
    return expected({ ...base, extensions: { code: "BAD_USER_INPUT" } });
  }
  return {
    formatted: {
      message: "Internal server error.",
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: "INTERNAL_SERVER_ERROR" },
    },
    severity: "unexpected",
    original,
  };
}

/** Formats an error for a client and logs what is not expected. */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
  log: Logger,
  requestId: string,
): GraphQLFormattedError {
  const result = classifyError(formatted, error);
  if (result.severity === "unavailable")
    log.warn({ requestId, err: result.original }, "dependency unavailable");
  if (result.severity === "unexpected") {
    log.error({ requestId, err: result.original }, "unexpected error");
    return {
      ...result.formatted,
      message: `Internal server error. Quote request id ${requestId} when reporting it.`,
      extensions: { code: "INTERNAL_SERVER_ERROR", requestId },
    };
  }
  return result.formatted;
}
