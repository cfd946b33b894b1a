// The catalogue on the Operator API against real MariaDB: every rule of createConcert and
// addConcertDate, each refusal with BAD_USER_INPUT / NOT_FOUND and nothing changed (no row, no
// audit entry), and the draw's commitment fixed when a sale is scheduled. scheduleSale: its own file.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, businessToday } from "../../../src/platform/business-day.js";
import {
  ADD_DATE,
  ADMIN_CONCERTS,
  AdminTestClient,
  CREATE_CONCERT,
  createConcert,
  FLAT_PRICES,
  TEST_OPERATOR_KEYS,
} from "../../helpers/admin-client.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";
import { expectRefusedOn } from "./catalogue-fixtures.js";

let t: TestApp;
let admin: AdminTestClient;
const TZ = "Asia/Seoul";
const day = (offset: number) => addDays(businessToday(new Date(), TZ), offset).toISOString().slice(0, 10);
const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

beforeAll(async () => {
  t = await startTestApp({ OPERATOR_KEYS: TEST_OPERATOR_KEYS, MAX_CHARGE: "500000" });
  admin = new AdminTestClient(t.url);
});
afterAll(async () => {
  await t.stop();
});

const prisma = () => t.app.infra.prisma;
const expectRefused = (query: string, variables: Record<string, unknown>, code: string, message: RegExp) =>
  expectRefusedOn(prisma(), admin, query, variables, code, message);

describe("createConcert", () => {
  it("creates a concert on sale now, trimmed, listed by both APIs, with one audit row and no draw", async () => {
    const concert = await createConcert(admin, { title: "  Winter Live ", artist: "IU", venue: " Hall " });
    expect(concert).toMatchObject({ title: "Winter Live", artist: "IU", venue: "Hall", saleOpensAt: null });
    const pub = await t.client.data<{ concerts: { id: string; saleOpensAt: string | null }[] }>(
      "{ concerts { id saleOpensAt } }",
    );
    expect(pub.concerts).toContainEqual({ id: concert.id, saleOpensAt: null });
    const adm = await admin.data<{ concerts: { id: string }[] }>(ADMIN_CONCERTS);
    expect(adm.concerts.map((c) => c.id)).toContain(concert.id);
    expect(await prisma().saleDraw.findUnique({ where: { concertId: concert.id } })).toBeNull();
    const actions = await prisma().operatorAction.findMany({ where: { concertId: concert.id } });
    expect(actions).toHaveLength(1);
    expect(actions[0]).toMatchObject({ operator: "alice", action: "createConcert" });
    expect(JSON.parse(actions[0]!.details)).toEqual({
      args: { input: { title: "Winter Live", artist: "IU", venue: "Hall", saleOpensAt: null } },
      result: concert,
    });
  });

  it("schedules the sale when saleOpensAt is given: a draw with a 32-byte seed and its SHA-256 commitment", async () => {
    const opensAt = inHours(2);
    const concert = await createConcert(admin, { saleOpensAt: opensAt });
    expect(new Date(concert.saleOpensAt!).getTime()).toBe(new Date(opensAt).getTime());
    const draw = await prisma().saleDraw.findUniqueOrThrow({ where: { concertId: concert.id } });
    expect(draw.seed).toMatch(/^[0-9a-f]{64}$/);
    expect(draw.commitment).toBe(createHash("sha256").update(Buffer.from(draw.seed, "hex")).digest("hex"));
    expect(draw.commitment).not.toBe(createHash("sha256").update(draw.seed).digest("hex"));
    expect(draw.drawnAt).toBeNull();
    const details = (await prisma().operatorAction.findFirstOrThrow({ where: { concertId: concert.id } }))
      .details;
    expect(details).not.toContain(draw.seed);
    const pub = await t.client.data<{ concerts: { id: string; saleOpensAt: string | null }[] }>(
      "{ concerts { id saleOpensAt } }",
    );
    expect(pub.concerts.find((c) => c.id === concert.id)?.saleOpensAt).toBe(concert.saleOpensAt);
  });

  it("counts characters, not bytes: 200 are accepted", async () => {
    const concert = await createConcert(admin, { title: "가".repeat(200), artist: "🎤".repeat(200) });
    expect(concert.title).toBe("가".repeat(200));
  });

  it.each([
    ["title", ""],
    ["title", "   "],
    ["artist", "x".repeat(201)],
    ["venue", " \t "],
  ])("refuses %s %j with BAD_USER_INPUT naming it", async (field, value) => {
    const input = { title: "T", artist: "A", venue: "V", [field]: value };
    await expectRefused(
      CREATE_CONCERT,
      { input },
      "BAD_USER_INPUT",
      new RegExp(`^${field} must be 1 to 200`),
    );
  });

  it("refuses a saleOpensAt that is not in the future", async () => {
    const input = { title: "T", artist: "A", venue: "V", saleOpensAt: inHours(-1) };
    await expectRefused(CREATE_CONCERT, { input }, "BAD_USER_INPUT", /saleOpensAt must be in the future/);
  });
});

describe("addConcertDate", () => {
  it("adds a date with 50 seats priced by range, doors at 19:00 in TZ_BUSINESS, visible to the public API", async () => {
    const concert = await createConcert(admin);
    const prices = [
      { fromSeat: 11, toSeat: 50, price: 99_000 },
      { fromSeat: 1, toSeat: 10, price: 165_000 },
    ];
    const added = await admin.data<{ addConcertDate: Record<string, unknown> }>(ADD_DATE, {
      concertId: concert.id,
      date: day(3),
      prices,
    });
    expect(added.addConcertDate).toMatchObject({
      concertId: concert.id,
      date: day(3),
      startsAt: `${day(3)}T10:00:00.000Z`,
      availableSeatCount: 50,
    });
    const seats = await prisma().seat.findMany({
      where: { concertDateId: added.addConcertDate["id"] as string },
      orderBy: { number: "asc" },
    });
    expect(seats.map((s) => s.number)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(seats.map((s) => s.price)).toEqual([...Array(10).fill(165_000), ...Array(40).fill(99_000)]);
    const action = await prisma().operatorAction.findFirstOrThrow({
      where: { concertId: concert.id, action: "addConcertDate" },
    });
    expect(JSON.parse(action.details)).toMatchObject({
      args: { concertId: concert.id, date: day(3), prices },
    });
  });

  it("accepts today in TZ_BUSINESS and refuses yesterday", async () => {
    const concert = await createConcert(admin);
    await admin.data(ADD_DATE, { concertId: concert.id, date: day(0), prices: FLAT_PRICES });
    await expectRefused(
      ADD_DATE,
      { concertId: concert.id, date: day(-1), prices: FLAT_PRICES },
      "BAD_USER_INPUT",
      /today \(\d{4}-\d{2}-\d{2}\) or later/,
    );
  });

  it("refuses a date the concert already has, and of two racing adds of one date exactly one wins", async () => {
    const concert = await createConcert(admin);
    const vars = { concertId: concert.id, date: day(9), prices: FLAT_PRICES };
    const results = await Promise.all(Array.from({ length: 6 }, () => admin.request(ADD_DATE, vars)));
    expect(results.filter((r) => !r.errors).length).toBe(1);
    for (const r of results.filter((r) => r.errors)) {
      expect(r.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      expect(r.errors?.[0]?.message).toMatch(/already has that date/);
    }
    expect(await prisma().concertDate.count({ where: { concertId: concert.id } })).toBe(1);
    expect(await prisma().seat.count({ where: { concertDate: { concertId: concert.id } } })).toBe(50);
    expect(
      await prisma().operatorAction.count({ where: { concertId: concert.id, action: "addConcertDate" } }),
    ).toBe(1);
    await expectRefused(ADD_DATE, vars, "BAD_USER_INPUT", /already has that date/);
  });

  it.each([
    [
      "a gap",
      [
        { fromSeat: 1, toSeat: 20, price: 1000 },
        { fromSeat: 22, toSeat: 50, price: 1000 },
      ],
      /seat 21 has no price/,
    ],
    [
      "an overlap",
      [
        { fromSeat: 1, toSeat: 30, price: 1000 },
        { fromSeat: 30, toSeat: 50, price: 1000 },
      ],
      /seat 30 is priced twice/,
    ],
    ["seat 0", [{ fromSeat: 0, toSeat: 50, price: 1000 }], /outside 1\.\.50/],
    ["seat 51", [{ fromSeat: 1, toSeat: 51, price: 1000 }], /outside 1\.\.50/],
    ["a backwards range", [{ fromSeat: 50, toSeat: 1, price: 1000 }], /runs backwards/],
    ["no range", [], /seat 1 has no price/],
    ["price 0", [{ fromSeat: 1, toSeat: 50, price: 0 }], /from 1 to 500000 KRW/],
    ["a price over MAX_CHARGE", [{ fromSeat: 1, toSeat: 50, price: 500_001 }], /from 1 to 500000 KRW/],
  ])("refuses prices with %s", async (_name, prices, message) => {
    const concert = await createConcert(admin);
    await expectRefused(ADD_DATE, { concertId: concert.id, date: day(5), prices }, "BAD_USER_INPUT", message);
  });

  it("answers NOT_FOUND for an unknown or malformed concert id", async () => {
    for (const concertId of ["01900000-0000-7000-8000-000000000000", "nope"]) {
      await expectRefused(
        ADD_DATE,
        { concertId, date: day(5), prices: FLAT_PRICES },
        "NOT_FOUND",
        /concert was not found/,
      );
    }
  });
});
