// The mock API (`npm run mock`): serves schema.graphql with realistic mocked data and no
// database. One part runs against the committed schema.graphql (whatever it holds today), one
// against the contract of docs/api.md, so that the domain rules of the mocks are always exercised.
import { readFileSync } from "node:fs";
import {
  buildSchema,
  getNamedType,
  isObjectType,
  isScalarType,
  isEnumType,
  isNonNullType,
  type GraphQLInputType,
  type GraphQLSchema,
} from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCHEMA_FILE, startMockServer, type MockServer } from "../../../src/mock/server.js";
import { businessToday, dayIn } from "../../../src/platform/business-day.js";
import { GraphQLTestClient, subscribe } from "../../helpers/graphql-client.js";

// The docs/api.md contract as the feature modules declare it (descriptions left out).
const CONTRACT = `

type Concert {
  artist: String!
  id: ID!
  title: String!
  venue: String!
}
type ConcertDate {
  availableSeatCount: Int!
  concertId: ID!
  date: Date!
  id: ID!
  startsAt: DateTime!
}
scalar Date
scalar DateTime
type Mutation {
  cancelReservation(reservationId: ID!): Reservation!
  chargeBalance(
    amount: Int!
    idempotencyKey: String
  ): Wallet!
  issueQueueToken(accessKey: String!, concertId: ID!, userId: ID!): QueueTicket!
  leaveQueue: QueueTicket!
  payReservation(
    idempotencyKey: String
    reservationId: ID!
  ): Payment!
  reserveSeat(concertDateId: ID!, seatNumber: Int!): Reservation!
  signUp(
    name: String
  ): SignUpPayload!
}
type Payment {
  amount: Int!
  id: ID!
  paidAt: DateTime!
  reservation: Reservation!
}
type Query {
  availableDates(concertId: ID!, from: Date): [ConcertDate!]!
  availableSeats(concertDateId: ID!): [Seat!]!
  balance: Wallet!
  concerts: [Concert!]!
  myPayments: [Payment!]!
  myReservations: [Reservation!]!
  queueStatus: QueueTicket!
  seatMap(concertDateId: ID!): [SeatMapSeat!]!
  serverTime: DateTime!
}
enum QueueStatus {
  ACTIVE
  EXPIRED
  WAITING
}
type QueueTicket {
  activeUntil: DateTime
  concertId: ID!
  estimatedWaitSeconds: Int!
  position: Int
  status: QueueStatus!
  token: String!
  userId: ID!
}
type Reservation {
  concertDateId: ID!
  concertId: ID!
  createdAt: DateTime!
  expiresAt: DateTime!
  id: ID!
  price: Int!
  seatNumber: Int!
  status: ReservationStatus!
}
enum ReservationStatus {
  CANCELLED
  CONFIRMED
  EXPIRED
  HELD
}
type Seat {
  number: Int!
  price: Int!
}
type SeatChange {
  concertDateId: ID!
  number: Int!
  status: SeatStatus!
}
type SeatMapSeat {
  number: Int!
  price: Int!
  status: SeatStatus!
}
enum SeatStatus {
  FREE
  HELD
  SOLD
}
type SignUpPayload {
  accessKey: String!
  userId: ID!
}
type Subscription {
  queueUpdates(
    token: String
  ): QueueTicket!
  seatUpdates(
    concertDateId: ID!
    token: String
  ): SeatChange!
}
type Wallet {
  balance: Int!
  userId: ID!
}
`;

const PRICES = [99_000, 132_000, 165_000];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const todayKst = () => dayIn(businessToday(new Date(), "Asia/Seoul"), "UTC");
const tier = (n: number) => (n <= 10 ? 165_000 : n <= 30 ? 132_000 : 99_000);

/** A selection of every scalar/enum field of a type, one level of objects deep. */
function selection(schema: GraphQLSchema, typeName: string, depth = 1): string {
  const type = schema.getType(typeName);
  if (!isObjectType(type)) return "";
  const parts = Object.values(type.getFields())
    .filter((f) => f.args.every((a) => a.type.toString().endsWith("!") === false))
    .map((f) => {
      const named = getNamedType(f.type);
      if (isScalarType(named) || isEnumType(named)) return f.name;
      return depth > 0 ? `${f.name} ${selection(schema, named.name, depth - 1)}` : "";
    })
    .filter(Boolean);
  return `{ ${parts.join(" ")} }`;
}

/** A literal for a required argument: enough for the mock, which accepts any value. */
function argumentLiteral(type: GraphQLInputType): string {
  const named = getNamedType(type);
  if (isEnumType(named)) return named.getValues()[0]!.name;
  const literals: Record<string, string> = {
    Int: "1",
    Float: "1.5",
    Boolean: "true",
    Date: '"2030-01-01"',
    DateTime: '"2030-01-01T00:00:00Z"',
  };
  return literals[named.name] ?? '"x"';
}

describe("mock server on the committed schema.graphql", () => {
  let mock: MockServer;
  let client: GraphQLTestClient;
  const sdl = buildSchema(readFileSync(SCHEMA_FILE, "utf8"));

  beforeAll(async () => {
    mock = await startMockServer(0, { host: "127.0.0.1", tickMs: 5 });
    client = new GraphQLTestClient(mock.url);
  });
  afterAll(() => mock.stop());

  it("serves exactly the operations of schema.graphql", async () => {
    const data = await client.data<{ __schema: { queryType: { fields: { name: string }[] } } }>(
      "{ __schema { queryType { fields { name } } } }",
    );
    const served = data.__schema.queryType.fields.map((f) => f.name).sort();
    expect(served).toEqual(Object.keys(sdl.getQueryType()!.getFields()).sort());
  });

  it("answers every query and mutation of the schema, with every field filled", async () => {
    const operations = [
      ["query", sdl.getQueryType()],
      ["mutation", sdl.getMutationType()],
    ] as const;
    let answered = 0;
    for (const [kind, root] of operations) {
      for (const field of Object.values(root?.getFields() ?? {})) {
        const args = field.args
          .filter((a) => isNonNullType(a.type))
          .map((a) => `${a.name}: ${argumentLiteral(a.type)}`);
        const named = getNamedType(field.type);
        const sel = isObjectType(named) ? selection(sdl, named.name) : "";
        const body = await client.request(
          `${kind} { ${field.name}${args.length ? `(${args.join(", ")})` : ""} ${sel} }`,
        );
        expect(body.errors, field.name).toBeUndefined();
        expect(body.data?.[field.name], field.name).toBeDefined();
        answered++;
      }
    }
    expect(answered).toBeGreaterThan(1);
  });

  it("tells the server's time as now", async () => {
    const { serverTime } = await client.data<{ serverTime: string }>("{ serverTime }");
    expect(Math.abs(Date.parse(serverTime) - Date.now())).toBeLessThan(60_000);
  });

  it("keeps Apollo's CSRF prevention: a GET query needs the preflight header", async () => {
    const url = `${mock.url}/graphql?query=${encodeURIComponent("{ serverTime }")}`;
    expect((await fetch(url)).status).toBe(400);
    const ok = await fetch(url, { headers: { "apollo-require-preflight": "true" } });
    expect(ok.status).toBe(200);
  });
});

describe("mock server on the docs/api.md contract", () => {
  let mock: MockServer;
  let client: GraphQLTestClient;

  beforeAll(async () => {
    mock = await startMockServer(0, { host: "127.0.0.1", typeDefs: CONTRACT, tickMs: 5 });
    client = new GraphQLTestClient(mock.url);
  });
  afterAll(() => mock.stop());

  it("lists three demo concerts with stable ids", async () => {
    const q = "{ concerts { id title artist venue } }";
    const first = await client.data<{ concerts: { id: string; title: string; artist: string }[] }>(q);
    expect(first.concerts).toHaveLength(3);
    for (const c of first.concerts) {
      expect(c.id).toMatch(UUID);
      expect(c.title.length).toBeGreaterThan(3);
      expect(c.artist.length).toBeGreaterThan(1);
    }
    expect(new Set(first.concerts.map((c) => c.title)).size).toBe(3);
    expect(await client.data(q)).toEqual(first);
  });

  it("offers future KST dates of the asked concert, in order, with free seat counts", async () => {
    const { availableDates } = await client.data<{
      availableDates: {
        id: string;
        concertId: string;
        date: string;
        startsAt: string;
        availableSeatCount: number;
      }[];
    }>(`{ availableDates(concertId: "c-1") { id concertId date startsAt availableSeatCount } }`);
    expect(availableDates.length).toBeGreaterThan(0);
    const days = availableDates.map((d) => d.date);
    expect([...days].sort()).toEqual(days);
    for (const d of availableDates) {
      expect(d.concertId).toBe("c-1");
      expect(d.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(d.date > todayKst()).toBe(true);
      expect(d.startsAt).toBe(`${d.date}T10:00:00.000Z`);
      expect(d.availableSeatCount).toBeGreaterThanOrEqual(1);
      expect(d.availableSeatCount).toBeLessThanOrEqual(50);
    }
  });

  it("lists free seats by number, 1..50, at the tier prices", async () => {
    const { availableSeats } = await client.data<{ availableSeats: { number: number; price: number }[] }>(
      `{ availableSeats(concertDateId: "d-1") { number price } }`,
    );
    const numbers = availableSeats.map((s) => s.number);
    expect([...numbers].sort((a, b) => a - b)).toEqual(numbers);
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const s of availableSeats) {
      expect(s.number).toBeGreaterThanOrEqual(1);
      expect(s.number).toBeLessThanOrEqual(50);
      expect(s.price).toBe(tier(s.number));
    }
  });

  it("draws a seat map of all 50 seats with their states", async () => {
    const { seatMap } = await client.data<{ seatMap: { number: number; price: number; status: string }[] }>(
      `{ seatMap(concertDateId: "d-1") { number price status } }`,
    );
    expect(seatMap.map((s) => s.number)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    for (const s of seatMap) {
      expect(["FREE", "HELD", "SOLD"]).toContain(s.status);
      expect(PRICES).toContain(s.price);
    }
  });

  it("holds the asked seat for five minutes", async () => {
    const { reserveSeat } = await client.data<{
      reserveSeat: {
        id: string;
        seatNumber: number;
        concertDateId: string;
        status: string;
        price: number;
        expiresAt: string;
      };
    }>(
      `mutation { reserveSeat(concertDateId: "d-1", seatNumber: 7) { id seatNumber concertDateId status price expiresAt } }`,
    );
    expect(reserveSeat).toMatchObject({
      seatNumber: 7,
      concertDateId: "d-1",
      status: "HELD",
      price: 165_000,
    });
    expect(Date.parse(reserveSeat.expiresAt)).toBeGreaterThan(Date.now());
  });

  it("issues a signed-looking queue token whose position is set only while WAITING", async () => {
    const { issueQueueToken: t } = await client.data<{
      issueQueueToken: {
        token: string;
        userId: string;
        concertId: string;
        status: string;
        position: number | null;
      };
    }>(
      `mutation { issueQueueToken(userId: "u-1", accessKey: "k", concertId: "c-1") { token userId concertId status position } }`,
    );
    expect(t.token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(t).toMatchObject({ userId: "u-1", concertId: "c-1" });
    expect(["WAITING", "ACTIVE", "EXPIRED"]).toContain(t.status);
    if (t.status === "WAITING") expect(t.position).toBeGreaterThanOrEqual(1);
    else expect(t.position).toBeNull();
  });

  it("charges into a whole-won balance and pays a reservation into CONFIRMED", async () => {
    const { chargeBalance } = await client.data<{ chargeBalance: { balance: number } }>(
      "mutation { chargeBalance(amount: 50000) { balance } }",
    );
    expect(Number.isInteger(chargeBalance.balance)).toBe(true);
    expect(chargeBalance.balance).toBeGreaterThanOrEqual(50_000);
    const { payReservation } = await client.data<{
      payReservation: { amount: number; reservation: { id: string; status: string } };
    }>(`mutation { payReservation(reservationId: "r-1") { amount reservation { id status } } }`);
    expect(payReservation.reservation).toEqual({ id: "r-1", status: "CONFIRMED" });
    expect(PRICES).toContain(payReservation.amount);
  });

  it("pushes a queue countdown over WebSocket: WAITING 5..1, ACTIVE, EXPIRED, then completes", async () => {
    const ws = client.ws();
    try {
      const sub = subscribe<{ queueUpdates: { status: string; position: number | null } }>(
        ws,
        `subscription { queueUpdates(token: "t") { status position } }`,
      );
      expect(await sub.done).toEqual({});
      expect(sub.events.map((e) => e.data?.queueUpdates)).toEqual([
        ...[5, 4, 3, 2, 1].map((position) => ({ status: "WAITING", position })),
        { status: "ACTIVE", position: null },
        { status: "EXPIRED", position: null },
      ]);
    } finally {
      await ws.dispose();
    }
  });

  it("streams seat changes of the subscribed date", async () => {
    const ws = client.ws();
    try {
      const sub = subscribe<{ seatUpdates: { concertDateId: string; number: number; status: string } }>(
        ws,
        `subscription { seatUpdates(concertDateId: "d-9") { concertDateId number status } }`,
      );
      await sub.next(() => sub.events.length >= 3);
      sub.unsubscribe();
      for (const e of sub.events) {
        expect(e.data?.seatUpdates.concertDateId).toBe("d-9");
        expect(e.data?.seatUpdates.number).toBeGreaterThanOrEqual(1);
        expect(["FREE", "HELD", "SOLD"]).toContain(e.data?.seatUpdates.status);
      }
    } finally {
      await ws.dispose();
    }
  });
});
