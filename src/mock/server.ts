// The mock API (`npm run mock`): the committed schema.graphql served with mocked resolvers,
// over the same transports as the real server (HTTP POST/GET /graphql with CSRF prevention,
// graphql-ws on /graphql, offline GraphiQL at /graphiql), with no MySQL or Redis. The schema
// is read when the server starts, so it follows the contract as features are added.
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import { expressMiddleware } from "@as-integrations/express5";
import { addMocksToSchema, createMockStore } from "@graphql-tools/mock";
import { makeExecutableSchema } from "@graphql-tools/schema";
import express from "express";
import type { GraphQLScalarType, GraphQLSchema } from "graphql";
import { DateResolver, DateTimeResolver } from "graphql-scalars";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { graphiqlPage } from "../platform/http/graphiql.js";
import { buildMocks, buildResolvers } from "./mocks.js";

export const SCHEMA_FILE = fileURLToPath(new URL("../../schema.graphql", import.meta.url));

export interface MockServerOptions {
  host?: string;
  /** SDL to serve instead of schema.graphql (tests). */
  typeDefs?: string;
  /** Pause between two subscription events. */
  tickMs?: number;
}

export interface MockServer {
  url: string;
  port: number;
  schema: GraphQLSchema;
  stop(): Promise<void>;
}

const SCALARS: Record<string, GraphQLScalarType> = { Date: DateResolver, DateTime: DateTimeResolver };

/** The executable mocked schema of `typeDefs`. */
export function buildMockSchema(typeDefs: string, tickMs = 1000): GraphQLSchema {
  const plain = makeExecutableSchema({ typeDefs });
  // The real scalars, so that dates print exactly as the real server prints them.
  const scalars = Object.fromEntries(Object.entries(SCALARS).filter(([name]) => plain.getType(name)));
  const schema = makeExecutableSchema({ typeDefs, resolvers: scalars });
  const mocks = buildMocks(schema);
  const store = createMockStore({ schema, mocks });
  return addMocksToSchema({
    schema,
    store,
    resolvers: buildResolvers(schema, store, mocks, tickMs) as never,
    resolverValidationOptions: { requireResolversToMatchSchema: "ignore" },
  });
}

export async function startMockServer(port = 4001, options: MockServerOptions = {}): Promise<MockServer> {
  const typeDefs = options.typeDefs ?? (await readFile(SCHEMA_FILE, "utf8"));
  const schema = buildMockSchema(typeDefs, options.tickMs);

  const app = express();
  app.disable("x-powered-by");
  const httpServer = createServer(app);
  const wsServer = new WebSocketServer({ server: httpServer, path: "/graphql" });
  const ws = useServer({ schema }, wsServer);

  const apollo = new ApolloServer({
    schema,
    introspection: true,
    csrfPrevention: true,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: 1000 }),
      { serverWillStart: async () => ({ drainServer: async () => ws.dispose() }) },
      ApolloServerPluginLandingPageLocalDefault({ footer: false, embed: true }),
    ],
  });
  await apollo.start();

  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok", mock: true });
  });
  app.get("/graphiql", (_req, res) => {
    res.type("html").send(graphiqlPage());
  });
  app.use("/graphql", express.json({ limit: "64kb" }), expressMiddleware(apollo));

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(port, options.host ?? "0.0.0.0", () => resolve());
  });
  const bound = (httpServer.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    schema,
    stop: () => apollo.stop(),
  };
}
