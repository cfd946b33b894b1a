// The per-operation context through Apollo Server's own execution, which hands resolvers a copy
// of the context: the request's child logger is made only when a resolver logs.
import { ApolloServer } from "@apollo/server";
import { describe, expect, it } from "vitest";
import {
  operationContext,
  type GraphQLContext,
  type ResolverServices,
} from "../../../src/platform/graphql/context.js";
import type { Logger } from "../../../src/platform/logger.js";

/** No resolver here reads a service. */
const services = {} as ResolverServices;

/** A logger that records the bindings of every child made and the messages they log. */
function recordingLogger() {
  const children: Record<string, unknown>[] = [];
  const lines: { bindings: Record<string, unknown>; msg: string }[] = [];
  const log = {
    child(bindings: Record<string, unknown>) {
      children.push(bindings);
      return { info: (msg: string) => lines.push({ bindings, msg }) };
    },
  } as unknown as Logger;
  return { log, children, lines };
}

const typeDefs = "type Query { quiet: Int, chatty: Int }";
const resolvers = {
  Query: {
    quiet: () => 1,
    chatty: (_: unknown, __: unknown, ctx: GraphQLContext) => {
      ctx.log.info("hello");
      ctx.log.info("again");
      return 2;
    },
  },
};

describe("operation context", () => {
  const server = new ApolloServer<GraphQLContext>({ typeDefs, resolvers });
  const run = async (query: string, log: Logger) => {
    const contextValue = operationContext({ requestId: "req-1", token: "t", ip: "127.0.0.1", services }, log);
    const res = await server.executeOperation({ query }, { contextValue });
    return res.body.kind === "single" ? res.body.singleResult : undefined;
  };

  it("makes no child logger for an operation that logs nothing, though Apollo copies the context", async () => {
    const { log, children } = recordingLogger();
    expect((await run("{ quiet }", log))?.data).toEqual({ quiet: 1 });
    expect(children).toEqual([]);
  });

  it("makes one child logger with the request id when a resolver logs", async () => {
    const { log, children, lines } = recordingLogger();
    expect((await run("{ chatty }", log))?.data).toEqual({ chatty: 2 });
    expect(children).toEqual([{ requestId: "req-1" }]);
    expect(lines.map((l) => l.msg)).toEqual(["hello", "again"]);
  });

  it("keeps the request's fields on the copy resolvers see", async () => {
    const seen: Partial<GraphQLContext>[] = [];
    const probe = new ApolloServer<GraphQLContext>({
      typeDefs: "type Query { me: Int }",
      resolvers: {
        Query: {
          me: (_: unknown, __: unknown, c: GraphQLContext) => {
            seen.push({ requestId: c.requestId, token: c.token, ip: c.ip });
            return 0;
          },
        },
      },
    });
    const contextValue = operationContext(
      { requestId: "req-2", token: "tok", ip: "10.0.0.1", services },
      recordingLogger().log,
    );
    await probe.executeOperation({ query: "{ me }" }, { contextValue });
    expect(seen).toEqual([{ requestId: "req-2", token: "tok", ip: "10.0.0.1" }]);
  });
});
