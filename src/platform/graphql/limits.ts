// Static limits on what one GraphQL document may ask for: depth, cost and aliases. They run as
// validation rules, so Apollo (HTTP) and graphql-ws (WebSocket) apply the very same checks,
// before any resolver runs, and Apollo caches the verdict per document. graphql-armor measures
// depth and aliases; the cost is ours (README, "Why these dependencies": graphql-query-complexity
// needs the request's variables, which a cached validation rule does not have).
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import {
  GraphQLError,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLOutputType,
  type OperationDefinitionNode,
  type SelectionNode,
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
 * Generous for every operation of docs/api.md (the deepest, payReservation → reservation, is 3
 * levels; seatMap costs 31; every list of the caller in one query costs 336), tight for
 * anything built to hurt.
 */
export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxDepth: 8, maxCost: 500, maxAliases: 10 };

/** What a list field multiplies its selection by: a guess at the items it returns. */
const LIST_FACTOR = 10;
/** Each root mutation field writes: it costs as much as a big read. */
const MUTATION_COST = 20;
/**
 * Schema introspection (`__schema`, `__type`) is answered from memory and is exempt from the
 * limits above while introspection is enabled; it has its own allowance instead, so a nested
 * walk of the schema (types → fields → type → fields …) cannot grow without bound. Measured
 * the same way, graphql-js's getIntrospectionQuery() is 15 deep and costs 49,432 (51,863 with
 * every option on): three nested lists (types → fields → args) of ten each. The allowance
 * leaves room for a deeper type-reference chain and about twice the selections, but not for
 * one more nested list (ten times the cost).
 */
const INTROSPECTION_LIMITS = { maxDepth: 20, maxCost: 100_000 } as const;
const SCHEMA_FIELDS = new Set([SchemaMetaFieldDef.name, TypeMetaFieldDef.name]);
/** Fields that no type lists (graphql-js adds them to the query root itself). */
const META_FIELDS = new Map<string, GraphQLField<unknown, unknown>>(
  [SchemaMetaFieldDef, TypeMetaFieldDef].map((f) => [f.name, f]),
);

/** The parser's token cap (graphql-js aborts past it): bounds directive and argument floods. */
export const MAX_DOCUMENT_TOKENS = 5000;

const queryTooComplex = (what: string) =>
  new DomainError(
    "QUERY_TOO_COMPLEX",
    `${what} Ask for fewer fields, aliases or nesting, or split the operation into several requests.`,
  );

/**
 * One validation rule holding the three limits, reporting the first one passed. `__schema` and
 * `__type` selections are told apart by what they select, never by the operation's name: every
 * other field of the same operation counts as usual. With `introspection` (the server answers
 * it) they are measured against INTROSPECTION_LIMITS instead; without it they are not measured
 * at all, since graphql-js's NoSchemaIntrospectionCustomRule (which such a server runs) refuses
 * them with an error that says introspection is off, clearer than "too complex".
 */
export function queryLimitsRule(
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
  options: { introspection: boolean },
): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const depthOf = armorMeasure(context, (onAccept) =>
      maxDepthRule({ n: Infinity, flattenFragments: true, ignoreIntrospection: false, onAccept }),
    );
    const aliasesOf = armorMeasure(context, (onAccept) =>
      maxAliasesRule({ n: Infinity, allowList: [], onAccept }),
    );
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    // Memoised per fragment: a fragment used a thousand times is measured once, so a "fragment
    // bomb" costs the server linear work to reject (graphql-armor memoises the same way).
    const memo = new Map<string, number>();
    const typeNamed = (name: string) => {
      const type = context.getSchema().getType(name);
      return type && (isObjectType(type) || isInterfaceType(type)) ? type : undefined;
    };
    return {
      OperationDefinition(operation: OperationDefinitionNode) {
        const schema = context.getSchema();
        const root =
          operation.operation === "query"
            ? schema.getQueryType()
            : operation.operation === "mutation"
              ? schema.getMutationType()
              : schema.getSubscriptionType();
        // Only a root field can be __schema or __type (graphql-js refuses them elsewhere).
        const isSchemaField = (s: SelectionNode) => s.kind === Kind.FIELD && SCHEMA_FIELDS.has(s.name.value);
        const ordinary = withRoot(
          operation,
          operation.selectionSet.selections.filter((s) => !isSchemaField(s)),
        );
        const schemaPart = withRoot(operation, operation.selectionSet.selections.filter(isSchemaField));
        const walk: CostWalk = {
          fragments,
          memo,
          typeNamed,
          rootMutation: operation.operation === "mutation",
        };
        const report = (what: string) =>
          context.reportError(
            new GraphQLError(queryTooComplex(what).message, {
              nodes: [operation],
              originalError: queryTooComplex(what),
            }),
          );

        const depth = depthOf(ordinary);
        if (depth > limits.maxDepth)
          return report(`The operation is nested ${depth} levels deep; the limit is ${limits.maxDepth}.`);
        if (options.introspection && schemaPart.selectionSet.selections.length) {
          const introspectionDepth = depthOf(schemaPart);
          if (introspectionDepth > INTROSPECTION_LIMITS.maxDepth)
            return report(
              `The introspection is nested ${introspectionDepth} levels deep; the limit is ${INTROSPECTION_LIMITS.maxDepth}.`,
            );
          const introspectionCost = costOf(schemaPart.selectionSet, root ?? undefined, {
            ...walk,
            memo: new Map(),
          });
          if (introspectionCost > INTROSPECTION_LIMITS.maxCost)
            return report(
              `The introspection costs ${introspectionCost}; the limit is ${INTROSPECTION_LIMITS.maxCost}.`,
            );
        }
        const aliases = aliasesOf(options.introspection ? operation : ordinary);
        if (aliases > limits.maxAliases)
          return report(`The operation uses ${aliases} aliases; the limit is ${limits.maxAliases}.`);
        const cost = costOf(ordinary.selectionSet, root ?? undefined, walk);
        if (cost > limits.maxCost)
          return report(`The operation costs ${cost}; the limit is ${limits.maxCost}.`);
        return undefined;
      },
    };
  };
}

type OnAccept = ((ctx: ValidationContext | null, details: { n: number }) => void)[];

/** A graphql-armor rule with no limit, used as a measure: what it found for one operation. */
function armorMeasure(
  context: ValidationContext,
  rule: (onAccept: OnAccept) => (context: ValidationContext) => {
    onOperationDefinitionEnter(operation: OperationDefinitionNode): void;
  },
): (operation: OperationDefinitionNode) => number {
  let found = 0;
  const visitor = rule([(_ctx, details) => (found = details.n)])(context);
  return (operation) => {
    visitor.onOperationDefinitionEnter(operation);
    return found;
  };
}

function withRoot(
  operation: OperationDefinitionNode,
  selections: readonly SelectionNode[],
): OperationDefinitionNode {
  return { ...operation, selectionSet: { ...operation.selectionSet, selections } };
}

interface CostWalk {
  fragments: Map<string, FragmentDefinitionNode>;
  memo: Map<string, number>;
  /** Root fields of a mutation write (MUTATION_COST), also when spread in from a fragment. */
  rootMutation: boolean;
  typeNamed(name: string): GraphQLOutputType | undefined;
}

function fieldsOf(type: GraphQLOutputType | undefined) {
  const named = type && getNamedType(type);
  return named && (isObjectType(named) || isInterfaceType(named)) ? named.getFields() : undefined;
}

/** Every field costs 1 (a root mutation field 1 + MUTATION_COST), a list multiplies its selection. */
function costOf(set: SelectionSetNode, parent: GraphQLOutputType | undefined, walk: CostWalk): number {
  const { rootMutation } = walk;
  const inner: CostWalk = { ...walk, rootMutation: false };
  let cost = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      const type = (META_FIELDS.get(selection.name.value) ?? fieldsOf(parent)?.[selection.name.value])?.type;
      const child = selection.selectionSet ? costOf(selection.selectionSet, type, inner) : 0;
      const factor = type !== undefined && isListType(getNullableType(type)) ? LIST_FACTOR : 1;
      cost += 1 + (rootMutation ? MUTATION_COST : 0) + factor * child;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const typed = selection.typeCondition ? walk.typeNamed(selection.typeCondition.name.value) : parent;
      cost += costOf(selection.selectionSet, typed, walk);
    } else {
      const name = selection.name.value;
      const fragment = walk.fragments.get(name);
      // Unknown or cyclic fragments are reported by graphql-js's own rules; count nothing here.
      if (!fragment) continue;
      const key = `${rootMutation}:${name}`;
      let m = walk.memo.get(key);
      if (m === undefined) {
        walk.memo.set(key, 0); // a cycle counts nothing
        m = costOf(fragment.selectionSet, walk.typeNamed(fragment.typeCondition.name.value), walk);
        walk.memo.set(key, m);
      }
      cost += m;
    }
  }
  return cost;
}
