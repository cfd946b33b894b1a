// Whole answers of some queries sent again without executing them, kept exact instead of timed.
// A feature names the root fields it can vouch for, and for each call a stamp of the state its
// answer comes from, worked out after its own access checks (the seat maps:
// concert/seat-board.ts#answerStamp). The stamps are part of the key, so an answer is only sent
// again while the state it was computed from is still the current one: no staler than
// executing the query would be. Only operations whose every root field is named here are kept;
// everything else executes as usual. An Apollo plugin of our own on `responseForOperation`
// rather than Apollo's response-cache plugin, which serialises every answer for remote stores
// and parses it again on each hit (with a SHA-256 of the key): 8-10% of a seat read's CPU here.
// docs/reservations.md, "Seat reads from memory".
import { createHash } from "node:crypto";
import { HeaderMap, type ApolloServerPlugin, type GraphQLRequestContext } from "@apollo/server";
import { LRUCache } from "lru-cache";
import { getArgumentValues, getVariableValues, Kind, type FieldNode } from "graphql";
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
 * How many answers are kept (least recently used go first): a few thousand seat maps of a few
 * KB each. Correctness does not depend on it: a changed state has another stamp, so another
 * key, and the entries of past states are simply never asked for again.
 */
const MAX_ENTRIES = 4096;

type Request = GraphQLRequestContext<GraphQLContext>;

/**
 * The operation's root fields when every one is a field named in `fields` (the only operations
 * this cache answers; any other executes as usual and is not counted); else null.
 */
function ownRootFields(fields: CachedAnswers, request: Request): FieldNode[] | null {
  const roots: FieldNode[] = [];
  for (const selection of request.operation?.selectionSet.selections ?? []) {
    if (selection.kind !== Kind.FIELD || !Object.hasOwn(fields, selection.name.value)) return null;
    roots.push(selection);
  }
  return roots.length > 0 ? roots : null;
}

/**
 * The stamps of a query's own root fields (ownRootFields), in order; null when one of them has
 * a directive, the variables fail (execution reports that) or a stamp declines. A stamp that
 * throws declines too: the operation then executes and its resolver meets and reports the same
 * error (refusals are never kept); it is counted as "uncached", not hidden.
 */
async function stampsOf(
  fields: CachedAnswers,
  request: Request,
  roots: FieldNode[],
): Promise<string[] | null> {
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
  for (const root of roots) {
    const name = root.name.value;
    const definition = queryType.getFields()[name];
    if (root.directives?.length || !definition) return null;
    try {
      const value = await fields[name]!(
        getArgumentValues(definition, root, variables.coerced),
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
 * The key of an answer: Apollo's hash of the document text (its document cache's key), the
 * operation name, the variables as sent, and the stamps.
 */
function answerKey(request: Request, stamps: string[]): string {
  const key = JSON.stringify([
    request.queryHash,
    request.operationName,
    request.request.variables ?? {},
    stamps,
  ]);
  return key.length <= MAX_PLAIN_KEY ? key : createHash("sha256").update(key).digest("hex");
}

/**
 * The answer as kept: a plain copy (a JSON round trip, once per miss). graphql-js builds results
 * from null-prototype objects, and V8 serialises those, or any frozen object, several times
 * slower than plain ones (Apollo's JSON.stringify was 7.6% of a seat read's samples on the
 * executed result, 4.2% on a frozen copy, 1.7% on this). Every response that sends it again
 * shares it, read-only: Apollo and our plugins only read `data`.
 */
const keepable = (data: Record<string, unknown>) =>
  JSON.parse(JSON.stringify(data)) as Record<string, unknown>;

/**
 * The answer cache for `fields` (an empty record: none). An operation of those fields only is
 * looked up under its key; on a miss it executes, and its answer is kept when it has no error.
 * Every answer of those fields says `Cache-Control: no-store`: it is exact for this moment only
 * (and a cache-control plugin, were one on, keeps that header).
 */
export function answerCachePlugin(
  fields: CachedAnswers,
  metrics?: AnswerCacheMetrics,
): ApolloServerPlugin<GraphQLContext> {
  const answers = new LRUCache<string, Record<string, unknown>>({ max: MAX_ENTRIES });
  return {
    async requestDidStart() {
      /** Set once the operation's stamps are known: where its answer is (or will be) kept. */
      let key: string | null = null;
      let hit = false;
      return {
        async responseForOperation(request) {
          const roots = ownRootFields(fields, request);
          if (!roots) return null;
          request.response.http.headers.set("cache-control", "no-store");
          const stamps = await stampsOf(fields, request, roots);
          if (!stamps) {
            metrics?.answerCache("uncached");
            return null;
          }
          key = answerKey(request, stamps);
          const data = answers.get(key);
          if (!data) return null;
          hit = true;
          return {
            http: { status: undefined, headers: new HeaderMap() },
            body: { kind: "single", singleResult: { data } },
          };
        },
        async willSendResponse({ response }) {
          if (key === null) return;
          metrics?.answerCache(hit ? "hit" : "miss");
          if (hit || response.body.kind !== "single") return;
          const { data, errors } = response.body.singleResult;
          if (data && !errors) answers.set(key, keepable(data));
        },
      };
    },
  };
}
