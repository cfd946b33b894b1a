// Whole answers of some queries sent again without executing them: Apollo's response cache
// (@apollo/server-plugin-response-cache), made exact instead of timed. A feature names the root
// fields it can vouch for, and for each call a stamp of the state its answer comes from, worked
// out after its own access checks (the seat maps: concert/seat-board.ts#answerStamp). The
// stamps are part of the cache key, so an answer is only sent again while the state it was
// computed from is still the current one: no staler than executing the query would be. Only
// operations whose every root field is named here are kept; everything else executes as usual.
// docs/reservations.md, "Seat reads from memory".
import type { ApolloServerPlugin, GraphQLRequestContext } from "@apollo/server";
import responseCachePlugin from "@apollo/server-plugin-response-cache";
import { createHash } from "node:crypto";
import { InMemoryLRUCache } from "@apollo/utils.keyvaluecache";
import { getArgumentValues, getVariableValues, Kind } from "graphql";
import type { GraphQLContext } from "./context.js";

/**
 * The stamp of one root field's answer for these arguments and this caller, or null when it
 * must execute (the caller is refused: the resolver says why; or the answer is not one the
 * feature can vouch for right now). Equal stamps must mean equal answers.
 */
export type AnswerStamp = (args: Record<string, unknown>, context: GraphQLContext) => Promise<string | null>;

/** Root fields of the public schema whose answers may be kept, with their stamps. */
export type CachedAnswers = Record<string, AnswerStamp>;

/**
 * What the cache reports (AppMetrics), per operation of cached fields only: its answer sent again
 * (hit), executed and kept unless it had an error (miss), or executed because a stamp declined.
 */
export interface AnswerCacheMetrics {
  answerCache(result: "hit" | "miss" | "uncached"): void;
}

/**
 * How long an answer is kept at most (seconds). Correctness does not depend on it (a changed
 * state has another stamp, so another key); it only lets the entries of past states go before
 * the size bound pushes them out.
 */
export const ANSWER_TTL_SECONDS = 30;
/** The cache's size bound (bytes of stored JSON, keys not counted): a few thousand seat maps. */
const MAX_BYTES = 8 * 1024 * 1024;

type Request = GraphQLRequestContext<GraphQLContext>;

/**
 * The stamps of the operation's root fields, in order; null when one of them is not in `fields`,
 * has a directive, fails its variables (execution reports that) or declines. A stamp that
 * throws declines too: the operation then executes and its resolver meets and reports the same
 * error (refusals are never kept); it is counted as "uncached", not hidden.
 */
async function stampsOf(fields: CachedAnswers, request: Request): Promise<string[] | null> {
  const { operation, schema } = request;
  const queryType = schema.getQueryType();
  if (operation?.operation !== "query" || !queryType) return null;
  const variables = getVariableValues(
    schema,
    operation.variableDefinitions ?? [],
    request.request.variables ?? {},
  );
  if (variables.errors) return null;
  const stamps: string[] = [];
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || selection.directives?.length) return null;
    const name = selection.name.value;
    const stamp = Object.hasOwn(fields, name) ? fields[name] : undefined;
    const definition = queryType.getFields()[name];
    if (!stamp || !definition) return null;
    try {
      const value = await stamp(
        getArgumentValues(definition, selection, variables.coerced),
        request.contextValue,
      );
      if (value === null) return null;
      stamps.push(`${name}:${value}`);
    } catch {
      return null;
    }
  }
  return stamps;
}

/** Keys longer than this (large variables) are hashed: memory for keys stays bounded. */
const MAX_PLAIN_KEY = 512;

/**
 * The plugin's key without its SHA-256 of the whole query text per request: Apollo has already
 * hashed the text (queryHash, its document cache's key), and the rest is short.
 */
const answerKey = (request: { queryHash?: string }, keyData: unknown): string => {
  const { operationName, variables, extra, sessionMode } = keyData as Record<string, unknown>;
  const key = JSON.stringify([request.queryHash, operationName, variables, extra, sessionMode]);
  return key.length <= MAX_PLAIN_KEY ? key : createHash("sha256").update(key).digest("hex");
};

/**
 * The response cache for `fields` (an empty record: none). An operation of those fields only is
 * looked up under its text, operation name, variables and stamps; on a miss it executes, and
 * its answer is kept when it has no error.
 */
export function answerCachePlugins(
  fields: CachedAnswers,
  metrics?: AnswerCacheMetrics,
): ApolloServerPlugin<GraphQLContext>[] {
  if (Object.keys(fields).length === 0) return [];
  /** Per request: its stamps (null: not kept), from the key's computation to the write. */
  const stamped = new WeakMap<GraphQLContext, string[] | null>();
  const cache = responseCachePlugin<GraphQLContext>({
    cache: new InMemoryLRUCache({ maxSize: MAX_BYTES }),
    generateCacheKey: answerKey,
    extraCacheKeyData: async (request) => {
      const ownFields = request.operation?.selectionSet.selections.every(
        (s) => s.kind === Kind.FIELD && Object.hasOwn(fields, s.name.value),
      );
      const stamps = ownFields ? await stampsOf(fields, request) : null;
      stamped.set(request.contextValue, stamps);
      if (ownFields && !stamps) metrics?.answerCache("uncached");
      if (stamps) {
        // Nothing else sets a cache policy here (Apollo's cache-control plugin is off); without
        // one the plugin keeps nothing. The answer is exact for this moment only: nobody
        // downstream may keep it (no-store also keeps a cache-control plugin from turning the
        // policy into a max-age).
        request.overallCachePolicy.replace({ maxAge: ANSWER_TTL_SECONDS, scope: "PUBLIC" });
        request.response.http.headers.set("cache-control", "no-store");
      }
      return stamps;
    },
    shouldReadFromCache: async (request) => stamped.get(request.contextValue) != null,
    shouldWriteToCache: async (request) => stamped.get(request.contextValue) != null,
  });
  const counter: ApolloServerPlugin<GraphQLContext> = {
    async requestDidStart() {
      return {
        async willSendResponse(request) {
          if (!stamped.get(request.contextValue)) return;
          metrics?.answerCache(request.metrics.responseCacheHit ? "hit" : "miss");
        },
      };
    },
  };
  return [cache, counter];
}
