import type { Logger } from "../logger.js";

/** What every resolver receives: who is calling (by raw token) and how to log for this request. */
export interface GraphQLContext {
  requestId: string;
  log: Logger;
  /** The raw queue token from `Authorization: Bearer` or `connectionParams.authorization`. */
  token: string | null;
  /** Client address (honours X-Forwarded-For only when TRUST_PROXY=true). */
  ip: string;
  /** This app's services for the resolvers that read them from here (see ResolverServices). */
  services: ResolverServices;
}

/**
 * Services handed to resolvers through the context, by the composition root (src/app.ts).
 * type-graphql calls a subscription's `subscribe` function without the resolver instance, so
 * the queue, seat and live-sale resolvers are plain classes (listed once, in src/resolvers.ts or
 * src/admin-resolvers.ts) that read their services here instead of closing over them. Empty
 * here and declared in full beside those lists (src/resolvers.ts), so that platform/ imports no
 * feature and no feature's import of this file closes a cycle.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface ResolverServices {}

/**
 * One operation's context, HTTP or WebSocket. The child logger carrying the request id is made
 * on first use only: most operations log nothing, and pino's child() serialises its bindings.
 * A class, so that `log` is a getter on the prototype: Apollo Server hands resolvers a copy of
 * the context (`Object.assign` onto an object with the same prototype), and a getter among the
 * own properties would have been called by that copy, making a child logger for every request.
 */
class OperationContext implements GraphQLContext {
  readonly requestId: string;
  readonly token: string | null;
  readonly ip: string;
  readonly services: ResolverServices;
  /** The child logger once made; copied along (as undefined) by Apollo's copy of the context. */
  private child: Logger | undefined = undefined;

  constructor(
    fields: { requestId: string; token: string | null; ip: string; services: ResolverServices },
    private readonly parentLog: Logger,
  ) {
    this.requestId = fields.requestId;
    this.token = fields.token;
    this.ip = fields.ip;
    this.services = fields.services;
  }

  get log(): Logger {
    return (this.child ??= this.parentLog.child({ requestId: this.requestId }));
  }
}

export function operationContext(
  fields: { requestId: string; token: string | null; ip: string; services: ResolverServices },
  log: Logger,
): GraphQLContext {
  return new OperationContext(fields, log);
}

/** Reads `Bearer <token>` (case-insensitive scheme); anything else counts as no token. */
export function bearerToken(header: unknown): string | null {
  if (typeof header !== "string") return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}
