import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import {
  ApolloServer,
  type ApolloServerPlugin,
  type GraphQLRequestContextWillSendResponse,
} from "@apollo/server";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from "@apollo/server/plugin/disabled";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from "@apollo/server/plugin/landingPage/default";
import { expressMiddleware } from "@as-integrations/express5";
import express, { type Express, type Request, type RequestHandler, type Response } from "express";
import { type GraphQLFormattedError, type GraphQLSchema, type ValidationRule } from "graphql";
import type { Logger } from "../logger.js";
import { graphiqlPage } from "../http/graphiql.js";
import { readinessHandler, type ReadinessCheck } from "../http/health.js";
import { httpErrorHandler } from "../http/http-errors.js";
import type { RateLimiter } from "../http/rate-limit.js";
import { requestId } from "../http/request-id.js";
import { bearerToken, operationContext, type GraphQLContext, type ResolverServices } from "./context.js";
import { formatError } from "./format-error.js";
import { DEFAULT_QUERY_LIMITS, MAX_DOCUMENT_TOKENS, queryLimitsRule } from "./limits.js";
import { connectionRequest, webSocketEndpoint } from "./websocket.js";

export interface GraphQLServerOptions {
  schema: GraphQLSchema;
  log: Logger;
  production: boolean;
  graphiql: boolean;
  trustProxy: boolean;
  readiness: Record<string, ReadinessCheck>;
  /** Put in every request's and subscription's context (GraphQLContext.services). */
  services: ResolverServices;
  /** Extra routes (e.g. the waiting room, metrics), mounted before /graphql. */
  extraRoutes?: (app: Express) => void;
  /** Extra Apollo plugins (the metrics plugin); the query limits are validation rules, set here. */
  plugins?: ApolloServerPlugin<GraphQLContext>[];
  /** Apollo plugins of /graphql only (the answer cache: graphql/answer-cache.ts). */
  publicPlugins?: ApolloServerPlugin<GraphQLContext>[];
  /**
   * Checks `connectionParams` when a WebSocket connects. Return false to close the socket
   * with 4403 Forbidden (docs/api.md, Transport).
   */
  acceptConnection?: (token: string | null, ip: string) => Promise<boolean>;
  /** Times each request of a GraphQL endpoint's path from its first middleware (metrics). */
  httpTimer?: (path: string) => RequestHandler;
  /** Per-IP and per-user limits (RATE_LIMIT_*); none when disabled. */
  rateLimiter?: RateLimiter;
  /** How long stop() lets in-flight HTTP requests finish before cutting them (SHUTDOWN_GRACE_MS). */
  shutdownGraceMs?: number;
  /**
   * More GraphQL endpoints on the same port, each with its own schema and its own WebSocket
   * server on its path (the Operator API at /admin/graphql). They get the same query limits,
   * introspection rule, error mapping and per-IP limits as /graphql.
   */
  endpoints?: GraphQLEndpoint[];
}

/** A GraphQL endpoint besides /graphql: HTTP POST and graphql-ws on `path`. */
export interface GraphQLEndpoint {
  path: string;
  schema: GraphQLSchema;
  /** Checks `connectionParams` when a WebSocket connects; false closes it with 4403. */
  acceptConnection?: (token: string | null, ip: string) => Promise<boolean>;
}

export interface RunningServer {
  httpServer: Server;
  app: Express;
  listen(port: number, host: string): Promise<AddressInfo>;
  /** Stop accepting, close WebSockets (1001, clients reconnect), finish in-flight requests. */
  stop(): Promise<void>;
}

/**
 * Apollo Server on express and graphql-ws on the same HTTP server and path (/graphql), and the
 * same again for every extra endpoint (options.endpoints) on its own path.
 */
export async function createGraphQLServer(options: GraphQLServerOptions): Promise<RunningServer> {
  const { schema, log } = options;
  const app = express();
  app.disable("x-powered-by");
  // No ETag: every GraphQL answer is computed anew (live seats, positions), so express's
  // default SHA-1 of each body bought nothing but CPU on the hottest calls.
  app.set("etag", false);
  app.set("trust proxy", options.trustProxy);
  const httpServer = createServer(app);

  // Depth, cost and alias limits: the same rules for HTTP (Apollo) and WebSocket (graphql-ws).
  // Where introspection is on, tools' introspection queries get their own allowance.
  const validationRules: ValidationRule[] = [
    queryLimitsRule(DEFAULT_QUERY_LIMITS, { introspection: options.graphiql }),
  ];
  const endpoints: GraphQLEndpoint[] = [
    {
      path: "/graphql",
      schema,
      ...(options.acceptConnection ? { acceptConnection: options.acceptConnection } : {}),
    },
    ...(options.endpoints ?? []),
  ];
  // One WebSocket server per path, upgrades routed here by path (ws's `path` option cannot
  // share one HTTP server between several servers); an unknown path is answered 404.
  const sockets = new Map(
    endpoints.map((e) => [
      e.path,
      webSocketEndpoint({
        schema: e.schema,
        log,
        services: options.services,
        validationRules,
        introspection: options.graphiql,
        trustProxy: options.trustProxy,
        rateLimiter: options.rateLimiter,
        acceptConnection: e.acceptConnection,
      }),
    ]),
  );
  httpServer.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const target = sockets.get(path);
    if (!target) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n");
      return;
    }
    // graphql-ws keeps what it is given for the whole connection: only the client's address.
    target.wss.handleUpgrade(req, socket, head, (ws) =>
      target.wss.emit("connection", ws, connectionRequest(req)),
    );
  });

  const drainPlugins: ApolloServerPlugin<GraphQLContext>[] = [
    ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: options.shutdownGraceMs ?? 5000 }),
    {
      async serverWillStart() {
        return {
          async drainServer() {
            await Promise.all([...sockets.values()].map((w) => w.cleanup.dispose()));
          },
        };
      },
    },
  ];
  const plugins: ApolloServerPlugin<GraphQLContext>[] = [
    ...drainPlugins,
    options.production || !options.graphiql
      ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
      : ApolloServerPluginLandingPageLocalDefault({ footer: false, embed: true }),
    errorsPlugin(log),
    ...(options.plugins ?? []),
    // Apollo installs these by default. Cache control hooks every field's resolver
    // (willResolveField) to compute a Cache-Control header nothing here asks for (no
    // @cacheControl hints, and POST is not cached); the inline trace is for federated subgraphs.
    ApolloServerPluginCacheControlDisabled(),
    ApolloServerPluginInlineTraceDisabled(),
  ];

  const apolloOptions = {
    introspection: options.graphiql,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    validationRules,
    parseOptions: { maxTokens: MAX_DOCUMENT_TOKENS },
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGTERM/SIGINT. Apollo's own handler (installed when NODE_ENV is not "test")
    // would stop the server a second time under our drain and hang the shutdown.
    stopOnTerminationSignals: false,
    // Apollo's formatError has no request context; errorsPlugin logs and tags each error with
    // the request id, so here we only keep the raw error for it.
    formatError: (formatted: GraphQLFormattedError, error: unknown) => ({
      ...formatted,
      extensions: { ...formatted.extensions, [RAW]: error },
    }),
  };
  const apollo = new ApolloServer<GraphQLContext>({
    ...apolloOptions,
    schema,
    plugins: [...plugins, ...(options.publicPlugins ?? [])],
  });
  // The other endpoints: the same rules and error mapping; /graphql's server drains the port.
  const extraPlugins = plugins.filter((p) => !drainPlugins.includes(p));
  const extra = (options.endpoints ?? []).map((e) => ({
    path: e.path,
    apollo: new ApolloServer<GraphQLContext>({ ...apolloOptions, schema: e.schema, plugins: extraPlugins }),
  }));
  await Promise.all([apollo.start(), ...extra.map((e) => e.apollo.start())]);

  app.use(requestId);
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/readyz", readinessHandler(options.readiness));
  app.get("/graphiql", (_req, res) => {
    if (!options.graphiql) {
      res.status(404).send("GraphiQL is disabled (set GRAPHIQL_ENABLED=true to enable it).");
      return;
    }
    res.type("html").send(graphiqlPage());
  });
  options.extraRoutes?.(app);
  const httpContext = async ({ req, res }: { req: Request; res: Response }): Promise<GraphQLContext> =>
    operationContext(
      {
        requestId: String(res.locals["requestId"]),
        token: bearerToken(req.headers.authorization),
        ip: req.ip ?? req.socket.remoteAddress ?? "unknown",
        services: options.services,
      },
      log,
    );
  for (const [path, server] of [
    ["/graphql", apollo] as const,
    ...extra.map((e) => [e.path, e.apollo] as const),
  ]) {
    app.use(
      path,
      ...(options.httpTimer ? [options.httpTimer(path)] : []),
      ...(options.rateLimiter
        ? [options.rateLimiter.middleware((req) => bearerToken(req.headers.authorization))]
        : []),
      express.json({ limit: "64kb" }),
      expressMiddleware(server, { context: httpContext }),
    );
  }
  app.use(httpErrorHandler(log));

  return {
    httpServer,
    app,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once("error", reject);
        httpServer.listen(port, host, () => resolve(httpServer.address() as AddressInfo));
      }),
    stop: async () => {
      // /graphql's server closes every WebSocket server and drains the port (drainPlugins).
      await apollo.stop();
      await Promise.all(extra.map((e) => e.apollo.stop()));
    },
  };
}

const RAW = "__raw";

/** Maps every error of an HTTP response through formatError, with this request's id. */
function errorsPlugin(log: Logger): ApolloServerPlugin<GraphQLContext> {
  // One listener for every request (nothing is allocated per request).
  const listener = {
    async willSendResponse({
      response,
      contextValue,
    }: GraphQLRequestContextWillSendResponse<GraphQLContext>) {
      if (response.body.kind !== "single" || !response.body.singleResult.errors) return;
      response.body.singleResult.errors = response.body.singleResult.errors.map((e) => {
        const { [RAW]: raw, ...extensions } = e.extensions ?? {};
        return formatError({ ...e, extensions }, raw ?? e, log, contextValue.requestId);
      });
    },
  };
  return { requestDidStart: async () => listener };
}
