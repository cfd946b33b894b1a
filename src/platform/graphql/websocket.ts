// graphql-ws on one endpoint's path: the same limits, introspection rule, error mapping and
// per-IP limits as Apollo over HTTP, and a request id per operation, as HTTP has per request.
import { randomUUID } from "node:crypto";
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from "graphql";
import type { IncomingMessage } from "node:http";
import type { Context } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { LRUCache } from "lru-cache";
import { WebSocketServer } from "ws";
import type { Logger } from "../logger.js";
import type { RateLimiter } from "../http/rate-limit.js";
import { bearerToken, operationContext, type GraphQLContext, type ResolverServices } from "./context.js";
import { formatError } from "./format-error.js";
import { MAX_DOCUMENT_TOKENS } from "./limits.js";

export interface WebSocketOptions {
  schema: GraphQLSchema;
  log: Logger;
  services: ResolverServices;
  /** Depth, cost and alias limits (the same rules Apollo runs). */
  validationRules: ValidationRule[];
  introspection: boolean;
  trustProxy: boolean;
  rateLimiter?: RateLimiter | undefined;
  /** Checks `connectionParams` when a WebSocket connects; false closes it with 4403. */
  acceptConnection?: ((token: string | null, ip: string) => Promise<boolean>) | undefined;
}

/**
 * A request id that lives as long as its subscription. Node's randomUUID() builds its 36
 * characters as a tree of ~15 concatenated pieces (about 450 bytes, kept by every idle
 * subscriber); decoding its bytes back gives the same id as one flat string.
 */
function lastingRequestId(): string {
  return Buffer.from(randomUUID(), "latin1").toString("latin1");
}

/** The client's address: the first X-Forwarded-For entry behind a trusted proxy, else the socket's. */
function clientIp(
  forwarded: string | string[] | undefined,
  remote: string | undefined,
  trustProxy: boolean,
): string {
  if (trustProxy) {
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",")[0]?.trim();
    if (first) return first;
  }
  return remote ?? "unknown";
}

/**
 * What graphql-ws keeps of the upgrade request for the life of the connection
 * (`ctx.extra.request`): only what operations read, the client's address. The IncomingMessage
 * itself, with its headers, raw headers and stream state, stayed alive as long as the socket,
 * about 1.5 KB of every idle subscriber. createGraphQLServer hands graphql-ws this instead.
 */
export interface ConnectionRequest {
  readonly headers: { readonly "x-forwarded-for"?: string | string[] | undefined };
  readonly socket: { readonly remoteAddress?: string | undefined };
}

export function connectionRequest(req: IncomingMessage): ConnectionRequest {
  const forwarded = req.headers["x-forwarded-for"];
  return {
    headers: forwarded === undefined ? {} : { "x-forwarded-for": forwarded },
    socket: { remoteAddress: req.socket.remoteAddress },
  };
}

// graphql-ws types the request it was given as an IncomingMessage; it is a ConnectionRequest.
type WsContext = Context<Record<string, unknown>, { request: unknown }>;

/** graphql-ws on one endpoint's path (upgrades are routed to it by createGraphQLServer). */
export function webSocketEndpoint(options: WebSocketOptions): {
  wss: WebSocketServer;
  cleanup: { dispose(): void | Promise<void> };
} {
  const { log } = options;
  // Apollo refuses introspection itself (introspection: false); graphql-ws needs the rule.
  const rules = [...specifiedRules, ...options.validationRules];
  if (!options.introspection) rules.push(NoSchemaIntrospectionCustomRule);
  // graphql-ws parses and validates every subscribe message; Apollo keeps a document cache for
  // HTTP, and this is the same for WebSockets: a thousand watchers send one document.
  const documents = new LRUCache<string, DocumentNode>({
    max: 1000,
    maxSize: 4 * 1024 * 1024,
    sizeCalculation: (_doc, query) => query.length || 1,
  });
  const verdicts = new WeakMap<DocumentNode, readonly GraphQLError[]>();
  // Each operation's request id, from its subscribe message to its end (see formatError).
  const requestIds = new WeakMap<WsContext, Map<string, string>>();
  const idsOf = (ctx: WsContext) => {
    let ids = requestIds.get(ctx);
    if (!ids) requestIds.set(ctx, (ids = new Map()));
    return ids;
  };
  const requestIdOf = (ctx: WsContext, id: string) => {
    const ids = idsOf(ctx);
    let rid = ids.get(id);
    if (!rid) ids.set(id, (rid = lastingRequestId()));
    return rid;
  };
  const ipOf = (ctx: WsContext) => {
    const request = ctx.extra.request as ConnectionRequest;
    return clientIp(request.headers["x-forwarded-for"], request.socket.remoteAddress, options.trustProxy);
  };

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024,
    ...(options.rateLimiter
      ? {
          verifyClient: options.rateLimiter.verifyUpgrade((req) =>
            clientIp(req.headers["x-forwarded-for"], req.socket.remoteAddress, options.trustProxy),
          ),
        }
      : {}),
  });
  const cleanup = useServer<Record<string, unknown>, { requestId?: string }>(
    {
      schema: options.schema,
      onConnect: async (ctx) => {
        const token = bearerToken(ctx.connectionParams?.["authorization"]);
        return !options.acceptConnection || (await options.acceptConnection(token, ipOf(ctx)));
      },
      parse: (source) => {
        const query = typeof source === "string" ? source : source.body;
        let document = documents.get(query);
        if (!document) documents.set(query, (document = parse(query, { maxTokens: MAX_DOCUMENT_TOKENS })));
        return document;
      },
      validate: (schema, document) => {
        let errors = verdicts.get(document);
        if (!errors) verdicts.set(document, (errors = validate(schema, document, rules)));
        return errors;
      },
      onSubscribe: async (ctx, id) => {
        requestIdOf(ctx, id);
        if (!options.rateLimiter) return undefined;
        const limited = await options.rateLimiter.check(
          ipOf(ctx),
          bearerToken(ctx.connectionParams?.["authorization"]),
        );
        return limited ? [new GraphQLError(limited.message, { originalError: limited })] : undefined;
      },
      context: (ctx, id): GraphQLContext =>
        operationContext(
          {
            requestId: requestIdOf(ctx, id),
            token: bearerToken(ctx.connectionParams?.["authorization"]),
            ip: ipOf(ctx),
            services: options.services,
          },
          log,
        ),
      onError: (ctx, id, _payload, errors) => {
        const rid = requestIdOf(ctx, id);
        idsOf(ctx).delete(id);
        return errors.map((e) => formatError(e.toJSON(), e, log, rid));
      },
      onNext: (ctx, id, _payload, _args, result) =>
        result.errors
          ? {
              ...result,
              errors: result.errors.map((e) => formatError(e.toJSON(), e, log, requestIdOf(ctx, id))),
            }
          : undefined,
      onComplete: (ctx, id) => {
        idsOf(ctx).delete(id);
      },
    },
    wss,
  );
  return { wss, cleanup };
}
