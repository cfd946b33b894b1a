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
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
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
export const INTROSPECTION_LIMITS = { maxDepth: 20, maxCost: 100_000 } as const;
const SCHEMA_FIELDS = new Set([SchemaMetaFieldDef.name, TypeMetaFieldDef.name]);
/** Fields that no type lists (graphql-js adds them to the query root itself). */
const META_FIELDS = new Map<string, GraphQLField<unknown, unknown>>(
  [SchemaMetaFieldDef, TypeMetaFieldDef].map((f) => [f.name, f]),
);

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
  /** Of the exempt introspection selections only (see INTROSPECTION_LIMITS). */
  introspectionDepth: number;
  introspectionCost: number;
}

const ZERO: Measure = { depth: 0, cost: 0, aliases: 0, introspectionDepth: 0, introspectionCost: 0 };

/**
 * One validation rule holding the three limits. `__schema` and `__type` selections are told
 * apart by what they select, never by the operation's name: every other field of the same
 * operation counts as usual. With `introspection` (the server answers it) they are measured
 * against INTROSPECTION_LIMITS instead; without it they are not measured at all, since
 * graphql-js's NoSchemaIntrospectionCustomRule (which such a server runs) refuses them with an
 * error that says introspection is off, clearer than "too complex".
 */
export function queryLimitsRule(
  limits: QueryLimits = DEFAULT_QUERY_LIMITS,
  options: { introspection: boolean },
): ValidationRule {
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
          introspection: options.introspection,
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
        else if (m.introspectionDepth > INTROSPECTION_LIMITS.maxDepth)
          report(
            `The introspection is nested ${m.introspectionDepth} levels deep; the limit is ${INTROSPECTION_LIMITS.maxDepth}.`,
          );
        else if (m.introspectionCost > INTROSPECTION_LIMITS.maxCost)
          report(
            `The introspection costs ${m.introspectionCost}; the limit is ${INTROSPECTION_LIMITS.maxCost}.`,
          );
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
  introspection: boolean;
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
  let introspectionCost = 0;
  const add = (m: Measure) => {
    depth = Math.max(depth, m.depth);
    introspectionDepth = Math.max(introspectionDepth, m.introspectionDepth);
    cost += m.cost;
    aliases += m.aliases;
    introspectionCost += m.introspectionCost;
  };
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      // Only a root field can be __schema or __type (graphql-js refuses them elsewhere).
      const schemaField = SCHEMA_FIELDS.has(name);
      if (schemaField && !walk.introspection) continue;
      const fieldDef = META_FIELDS.get(name) ?? fieldsOf(parent)?.getFields()[name];
      const type = fieldDef?.type;
      const child = selection.selectionSet ? measureSet(selection.selectionSet, type, walk) : ZERO;
      const list = type !== undefined && isListType(getNullableType(type));
      const factor = list ? LIST_FACTOR : 1;
      const own = 1 + (rootMutation ? MUTATION_COST : 0);
      const fieldDepth = 1 + child.depth;
      const fieldCost = own + factor * child.cost;
      const fieldAliases = (selection.alias ? 1 : 0) + child.aliases;
      if (schemaField) {
        add({ ...ZERO, introspectionDepth: fieldDepth, introspectionCost: fieldCost, aliases: fieldAliases });
      } else {
        add({
          depth: fieldDepth,
          cost: fieldCost,
          aliases: fieldAliases,
          introspectionDepth: child.introspectionDepth,
          introspectionCost: factor * child.introspectionCost,
        });
      }
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
  return { depth, cost, aliases, introspectionDepth, introspectionCost };
}
