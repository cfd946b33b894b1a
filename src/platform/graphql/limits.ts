// Static limits on what one GraphQL document may ask for: depth, cost and aliases. They run as
// validation rules, so Apollo (HTTP) and graphql-ws (WebSocket) apply the very same checks,
// before any resolver runs, and Apollo caches the verdict per document.
import {
  GraphQLError,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLOutputType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from "graphql";
import { DomainError } from "../errors.js";

export interface QueryLimits {
  /** Deepest field nesting, counting the root field as 1. */
  maxDepth: number;
  /** Fields after fragment expansion; a list multiplies what is selected inside it. */
  maxCost: number;
  /** Aliased fields in one operation (aliases are how one request repeats a mutation). */
  maxAliases: number;
}

/**
 * Generous for every operation of API.md (the deepest, payReservation → reservation, is 3
 * levels; seatMap costs 31; every list of the caller in one query costs 336), tight for
 * anything built to hurt.
 */
export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 8, maxCost: 500, maxAliases: 10 };

/** What a list field multiplies its selection by: a guess at the items it returns. */
const LIST_FACTOR = 10;
/** Each root mutation field writes: it costs as much as a big read. */
const MUTATION_COST = 20;
/** Introspection (GraphiQL's own query is ~12 deep) gets its own depth allowance. */
const INTROSPECTION_MAX_DEPTH = 15;

/** The parser's token cap (graphql-js aborts past it): bounds directive and argument floods. */
export const MAX_DOCUMENT_TOKENS = 5000;

export const queryTooComplex = (what: string) =>
  new DomainError(
    "QUERY_TOO_COMPLEX",
    `${what} Ask for fewer fields, aliases or nesting, or split the operation into several requests.`,
  );

interface Measure {
  depth: number;
  cost: number;
  aliases: number;
  introspectionDepth: number;
}

const ZERO: Measure = { depth: 0, cost: 0, aliases: 0, introspectionDepth: 0 };

/** One validation rule holding the three limits. */
export function queryLimitsRule(limits: QueryLimits = DEFAULT_QUERY_LIMITS): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    return {
      OperationDefinition(operation: OperationDefinitionNode) {
        const root =
          operation.operation === "query"
            ? context.getSchema().getQueryType()
            : operation.operation === "mutation"
              ? context.getSchema().getMutationType()
              : context.getSchema().getSubscriptionType();
        const m = measureSet(operation.selectionSet, root ?? undefined, {
          fragments,
          // Memoised per fragment: a fragment used a thousand times is measured once, so a
          // "fragment bomb" costs the server linear work to reject.
          memo: new Map(),
          visiting: new Set(),
          rootMutation: operation.operation === "mutation",
          typeNamed: (name) => {
            const type = context.getSchema().getType(name);
            return type && (isObjectType(type) || isInterfaceType(type)) ? type : undefined;
          },
        });
        const report = (what: string) =>
          context.reportError(
            new GraphQLError(queryTooComplex(what).message, {
              nodes: [operation],
              originalError: queryTooComplex(what),
            }),
          );
        if (m.depth > limits.maxDepth)
          report(`The operation is nested ${m.depth} levels deep; the limit is ${limits.maxDepth}.`);
        else if (m.introspectionDepth > INTROSPECTION_MAX_DEPTH)
          report(`The introspection query is nested too deep (limit ${INTROSPECTION_MAX_DEPTH}).`);
        else if (m.aliases > limits.maxAliases)
          report(`The operation uses ${m.aliases} aliases; the limit is ${limits.maxAliases}.`);
        else if (m.cost > limits.maxCost)
          report(`The operation costs ${m.cost}; the limit is ${limits.maxCost}.`);
      },
    };
  };
}

interface Walk {
  fragments: Map<string, FragmentDefinitionNode>;
  memo: Map<string, Measure>;
  visiting: Set<string>;
  rootMutation: boolean;
  typeNamed(name: string): GraphQLOutputType | undefined;
}

type Composite = { getFields(): Record<string, GraphQLField<unknown, unknown>> };

function fieldsOf(type: GraphQLOutputType | undefined): Composite | undefined {
  if (!type) return undefined;
  const named = getNamedType(type);
  return isObjectType(named) || isInterfaceType(named) ? named : undefined;
}

function measureSet(set: SelectionSetNode, parent: GraphQLOutputType | undefined, walk: Walk): Measure {
  const rootMutation = walk.rootMutation;
  walk.rootMutation = false;
  let depth = 0;
  let cost = 0;
  let aliases = 0;
  let introspectionDepth = 0;
  const add = (m: Measure) => {
    depth = Math.max(depth, m.depth);
    introspectionDepth = Math.max(introspectionDepth, m.introspectionDepth);
    cost += m.cost;
    aliases += m.aliases;
  };
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      const fieldDef = fieldsOf(parent)?.getFields()[name];
      const type = fieldDef?.type;
      const child = selection.selectionSet ? measureSet(selection.selectionSet, type, walk) : ZERO;
      const introspection = name.startsWith("__");
      const list = type !== undefined && isListType(getNullableType(type));
      const factor = list && !introspection ? LIST_FACTOR : 1;
      const own = 1 + (rootMutation ? MUTATION_COST : 0);
      add({
        // Introspection subtrees are measured against their own depth allowance only.
        depth: introspection ? 0 : 1 + child.depth,
        introspectionDepth: introspection ? 1 + Math.max(child.depth, child.introspectionDepth) : 0,
        cost: own + factor * child.cost,
        aliases: (selection.alias ? 1 : 0) + child.aliases,
      });
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const typed = selection.typeCondition ? walk.typeNamed(selection.typeCondition.name.value) : parent;
      walk.rootMutation = rootMutation;
      add(measureSet(selection.selectionSet, typed, walk));
    } else {
      const name = selection.name.value;
      const fragment = walk.fragments.get(name);
      // Unknown or cyclic fragments are reported by graphql-js's own rules; count nothing here.
      if (!fragment || walk.visiting.has(name)) continue;
      let m = rootMutation ? undefined : walk.memo.get(name);
      if (!m) {
        walk.visiting.add(name);
        walk.rootMutation = rootMutation;
        m = measureSet(fragment.selectionSet, walk.typeNamed(fragment.typeCondition.name.value), walk);
        walk.visiting.delete(name);
        if (!rootMutation) walk.memo.set(name, m);
      }
      add(m);
    }
  }
  return { depth, cost, aliases, introspectionDepth };
}
