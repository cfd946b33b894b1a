// Mocks built from whatever schema.graphql holds at start: every object type gets a mock that
// fills its scalar fields by name (src/mock/values.ts), root list fields get realistic lengths
// (3 concerts, 50 seats in a seat map, sorted free seats), arguments are echoed into results
// (reserveSeat(seatNumber: 7) holds seat 7), and subscriptions emit a plausible stream.
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from "graphql";
import type { IMocks, IMockStore, Ref } from "@graphql-tools/mock";
import {
  CONCERTS,
  SEATS_PER_DATE,
  enumValue,
  futureDay,
  intBetween,
  mockId,
  scalarFieldValue,
  seatPrice,
  secondsFromNow,
  showStart,
} from "./values.js";

type Values = Record<string, unknown>;
type FieldResolver = (source: unknown, args: Values) => unknown;
export type MockResolvers = Record<
  string,
  Record<string, FieldResolver | { subscribe: FieldResolver; resolve?: FieldResolver }>
>;

const SEAT_NUMBER_FIELDS = ["number", "seatNumber"];

function enumValues(field: GraphQLField<unknown, unknown> | undefined): string[] {
  const named = field && getNamedType(field.type);
  return named && isEnumType(named) ? named.getValues().map((v) => String(v.value)) : [];
}

/** Keeps only the keys that are fields of `type` (the mock store refuses unknown fields). */
function only(type: GraphQLObjectType, values: Values): Values {
  const fields = type.getFields();
  return Object.fromEntries(Object.entries(values).filter(([k, v]) => k in fields && v !== undefined));
}

/** One coherent object: the status is chosen first, and the other fields follow it. */
export function mockObject(type: GraphQLObjectType): Values {
  const fields = type.getFields();
  const out: Values = {};
  const statuses = enumValues(fields["status"]);
  const status = statuses.length ? enumValue(statuses) : undefined;
  if (status) out["status"] = status;
  const numberField = SEAT_NUMBER_FIELDS.find((n) => {
    const field = fields[n];
    return field !== undefined && getNamedType(field.type).name === "Int";
  });
  const seatNumber = numberField ? intBetween(1, SEATS_PER_DATE) : undefined;
  if (numberField) out[numberField] = seatNumber;
  for (const field of Object.values(fields)) {
    if (field.name in out || isListType(getNullableType(field.type))) continue;
    const named = getNamedType(field.type);
    if (isEnumType(named)) out[field.name] = enumValue(named.getValues().map((v) => String(v.value)));
    else if (isScalarType(named)) {
      const value = scalarFieldValue({
        fieldName: field.name,
        typeName: named.name,
        nullable: !isNonNullType(field.type),
        status,
        seatNumber,
      });
      if (value !== undefined) out[field.name] = value;
    }
  }
  return out;
}

export function buildMocks(schema: GraphQLSchema): IMocks {
  const mocks: IMocks = {
    ID: () => mockId(),
    String: () => "Seoul",
    Int: () => intBetween(1, 100),
    Float: () => intBetween(1, 10_000) / 100,
    Date: () => futureDay(),
    DateTime: () => secondsFromNow(intBetween(60, 86_400)),
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__")) continue;
    if (isObjectType(type)) mocks[type.name] = () => mockObject(type);
    else if (isEnumType(type))
      mocks[type.name] = () => enumValue(type.getValues().map((v) => String(v.value)));
    else if (isScalarType(type) && !(type.name in mocks))
      mocks[type.name] = () => `${type.name.toLowerCase()}-mock`;
  }
  return mocks;
}

/** What a mutation's result says right after it (docs/api.md): a hold is HELD, a cancel CANCELLED… */
const RESULT_OVERRIDES: Record<string, (echoed: Values) => Values> = {
  reserveSeat: () => ({ status: "HELD", expiresAt: secondsFromNow(300) }),
  cancelReservation: () => ({ status: "CANCELLED" }),
  leaveQueue: () => ({ status: "EXPIRED", position: null, estimatedWaitSeconds: 0 }),
  payReservation: (echoed) => ({
    reservation: { ...(echoed["reservation"] as Values), status: "CONFIRMED" },
  }),
};

/** Arguments that name a field of the result are echoed into it (`concertId` → `concertId`). */
function echo(type: GraphQLObjectType, args: Values): Values {
  const fields = type.getFields();
  const out: Values = {};
  const ownId = `${type.name.charAt(0).toLowerCase()}${type.name.slice(1)}Id`;
  for (const [name, value] of Object.entries(args)) {
    if (value === undefined || value === null) continue;
    // cancelReservation(reservationId) → Reservation { id }
    if (name === ownId && "id" in fields) out["id"] = value;
    if (name in fields && !isObjectType(getNamedType(fields[name]!.type))) out[name] = value;
    // reservationId → reservation { id }
    const relation = name.endsWith("Id") ? name.slice(0, -2) : "";
    if (relation && relation in fields && isObjectType(getNamedType(fields[relation]!.type))) {
      out[relation] = { ...(out[relation] as Values | undefined), id: value };
    }
  }
  const seat = SEAT_NUMBER_FIELDS.map((n) => args[n]).find((v) => typeof v === "number");
  if (seat !== undefined && "price" in fields) out["price"] = seatPrice(seat);
  if ("amount" in args && "balance" in fields)
    out["balance"] = Number(args["amount"]) + intBetween(0, 20) * 10_000;
  return out;
}

function withSeat(type: GraphQLObjectType, number: number, extra: Values): Values {
  return only(type, { ...extra, number, seatNumber: number, price: seatPrice(number) });
}

function listOf(store: IMockStore, type: GraphQLObjectType, fieldName: string, args: Values): Ref[] {
  const fields = type.getFields();
  const base = echo(type, args);
  const make = (values: Values) => store.get(type.name, values) as Ref;
  if ("title" in fields) {
    return CONCERTS.slice(0, 3).map((c) => make(only(type, { ...base, ...c })));
  }
  if ("number" in fields) {
    // Seats: the whole map, or a sorted random subset of free ones.
    const all = Array.from({ length: SEATS_PER_DATE }, (_, i) => i + 1);
    const numbers = fieldName === "seatMap" ? all : all.filter(() => Math.random() < 0.3);
    const free = enumValues(fields["status"]).includes("FREE") && fieldName !== "seatMap";
    return numbers.map((n) => make(withSeat(type, n, free ? { ...base, status: "FREE" } : base)));
  }
  if ("date" in fields) {
    const days = [futureDay(7, 20), futureDay(21, 40), futureDay(41, 60)];
    return days.map((date) => make(only(type, { ...base, date, startsAt: showStart(date) })));
  }
  return [make(base), make(base)];
}

/**
 * Query and Mutation fields that return objects: realistic lists, echoed arguments, and the
 * same answer for the same arguments (ids stay stable between calls, as a client expects).
 */
function rootResolvers(schema: GraphQLSchema, store: IMockStore, mocks: IMocks): MockResolvers {
  const resolvers: MockResolvers = {};
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    if (!root) continue;
    for (const field of Object.values(root.getFields())) {
      const type = getNamedType(field.type);
      if (!isObjectType(type)) {
        // Leaves (serverTime…) are computed afresh each time instead of cached in the store.
        const fallback = mocks[type.name];
        (resolvers[root.name] ??= {})[field.name] = () =>
          mockObject(root)[field.name] ?? (typeof fallback === "function" ? fallback() : null);
        continue;
      }
      const list = isListType(getNullableType(field.type));
      const memo = new Map<string, unknown>();
      (resolvers[root.name] ??= {})[field.name] = (_source, args) => {
        const key = JSON.stringify(args);
        if (!memo.has(key)) {
          const echoed = echo(type, args);
          const overrides = only(type, RESULT_OVERRIDES[field.name]?.(echoed) ?? {});
          memo.set(
            key,
            list ? listOf(store, type, field.name, args) : store.get(type.name, { ...echoed, ...overrides }),
          );
        }
        return memo.get(key);
      };
    }
  }
  return resolvers;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A queue-ticket-like type (status WAITING/ACTIVE/EXPIRED and a position) counts down to
 * ACTIVE, then EXPIRED, and completes; anything else (seat changes) streams until the client
 * unsubscribes.
 */
async function* events(
  store: IMockStore,
  type: GraphQLObjectType,
  fieldName: string,
  args: Values,
  tickMs: number,
): AsyncGenerator<Values> {
  const fields = type.getFields();
  const statuses = enumValues(fields["status"]);
  const base = echo(type, args);
  if (["WAITING", "ACTIVE", "EXPIRED"].every((s) => statuses.includes(s)) && "position" in fields) {
    const ref = store.get(type.name, only(type, { ...base, status: "WAITING", position: 5 })) as Ref;
    const steps: Values[] = [
      ...[5, 4, 3, 2, 1].map((position) => ({
        status: "WAITING",
        position,
        estimatedWaitSeconds: position * 2,
        activeUntil: null,
      })),
      { status: "ACTIVE", position: null, estimatedWaitSeconds: 0, activeUntil: secondsFromNow(600) },
      { status: "EXPIRED", position: null, estimatedWaitSeconds: 0, activeUntil: secondsFromNow(-1) },
    ];
    for (const [i, step] of steps.entries()) {
      if (i > 0) await sleep(tickMs);
      store.set(ref, only(type, step));
      yield { [fieldName]: ref };
    }
    return;
  }
  for (;;) {
    yield { [fieldName]: store.get(type.name, base) as Ref };
    await sleep(tickMs);
  }
}

function subscriptionResolvers(schema: GraphQLSchema, store: IMockStore, tickMs: number): MockResolvers {
  const root = schema.getSubscriptionType();
  if (!root) return {};
  const resolvers: MockResolvers = { [root.name]: {} };
  for (const field of Object.values(root.getFields())) {
    const type = getNamedType(field.type);
    if (!isObjectType(type)) continue;
    resolvers[root.name]![field.name] = {
      subscribe: (_source, args) => events(store, type, field.name, args, tickMs),
    };
  }
  return resolvers;
}

export function buildResolvers(
  schema: GraphQLSchema,
  store: IMockStore,
  mocks: IMocks,
  tickMs: number,
): MockResolvers {
  return { ...rootResolvers(schema, store, mocks), ...subscriptionResolvers(schema, store, tickMs) };
}
