// scheduleSale on the Operator API against real MariaDB: an opening that is still ahead moves
// (the draw's seed kept), one that has passed or been drawn never does (the conditional UPDATE
// on NOW(3) decides), bad times and unknown concerts change nothing, and racing moves by two
// operators are each recorded in commit order with the last recorded one in force.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AdminTestClient,
  BOB,
  createConcert,
  SCHEDULE,
  TEST_OPERATOR_KEYS,
} from "../../helpers/admin-client.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";
import { expectRefusedOn } from "./catalogue-fixtures.js";

let t: TestApp;
let admin: AdminTestClient;
const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

beforeAll(async () => {
  t = await startTestApp({ OPERATOR_KEYS: TEST_OPERATOR_KEYS });
  admin = new AdminTestClient(t.url);
});
afterAll(async () => {
  await t.stop();
});

const prisma = () => t.app.infra.prisma;
const expectRefused = (query: string, variables: Record<string, unknown>, code: string, message: RegExp) =>
  expectRefusedOn(prisma(), admin, query, variables, code, message);

describe("scheduleSale", () => {
  const draw = (concertId: string) => prisma().saleDraw.findUniqueOrThrow({ where: { concertId } });

  it("moves an opening that is still ahead and keeps the draw's seed", async () => {
    const concert = await createConcert(admin, { saleOpensAt: inHours(1) });
    const before = await draw(concert.id);
    const later = inHours(5);
    const moved = await admin.data<{ scheduleSale: { saleOpensAt: string } }>(SCHEDULE, {
      concertId: concert.id,
      opensAt: later,
    });
    expect(new Date(moved.scheduleSale.saleOpensAt).getTime()).toBe(new Date(later).getTime());
    expect(await draw(concert.id)).toEqual(before);
    const again = await admin.request(SCHEDULE, { concertId: concert.id, opensAt: later });
    expect(again.errors).toBeUndefined();
    const actions = await prisma().operatorAction.findMany({
      where: { concertId: concert.id, action: "scheduleSale" },
      orderBy: { id: "asc" },
    });
    expect(actions.map((a) => JSON.parse(a.details).args.opensAt)).toEqual([later, later]);
  });

  it("refuses a concert that is on sale already (no opening)", async () => {
    const concert = await createConcert(admin);
    await expectRefused(
      SCHEDULE,
      { concertId: concert.id, opensAt: inHours(1) },
      "BAD_USER_INPUT",
      /already opened/,
    );
    expect((await prisma().concert.findUniqueOrThrow({ where: { id: concert.id } })).saleOpensAt).toBeNull();
  });

  it("refuses once the opening has passed, or once the draw ran, even for a time ahead", async () => {
    const passed = await createConcert(admin, { saleOpensAt: inHours(1) });
    await prisma()
      .$executeRaw`UPDATE concerts SET sale_opens_at = NOW(3) - INTERVAL 1 SECOND WHERE id = ${passed.id}`;
    await expectRefused(
      SCHEDULE,
      { concertId: passed.id, opensAt: inHours(2) },
      "BAD_USER_INPUT",
      /already opened/,
    );
    const drawn = await createConcert(admin, { saleOpensAt: inHours(1) });
    await prisma().saleDraw.update({
      where: { concertId: drawn.id },
      data: { drawnAt: new Date(), entrants: 0 },
    });
    await expectRefused(
      SCHEDULE,
      { concertId: drawn.id, opensAt: inHours(2) },
      "BAD_USER_INPUT",
      /already opened/,
    );
  });

  it("refuses a time in the past and an unknown concert", async () => {
    const concert = await createConcert(admin, { saleOpensAt: inHours(1) });
    await expectRefused(
      SCHEDULE,
      { concertId: concert.id, opensAt: inHours(-1) },
      "BAD_USER_INPUT",
      /opensAt must be in the future/,
    );
    await expectRefused(
      SCHEDULE,
      { concertId: "01900000-0000-7000-8000-000000000000", opensAt: inHours(1) },
      "NOT_FOUND",
      /concert was not found/,
    );
  });

  it("orders racing moves by two operators: each is recorded, and the last recorded one is in force", async () => {
    const concert = await createConcert(admin, { saleOpensAt: inHours(1) });
    const seed = (await draw(concert.id)).seed;
    const bob = admin.as(BOB.secret);
    const times = Array.from({ length: 10 }, (_, i) => inHours(2 + i));
    const results = await Promise.all(
      times.map((opensAt, i) => (i % 2 ? bob : admin).request(SCHEDULE, { concertId: concert.id, opensAt })),
    );
    expect(results.filter((r) => r.errors)).toEqual([]);
    const actions = await prisma().operatorAction.findMany({
      where: { concertId: concert.id, action: "scheduleSale" },
      orderBy: { id: "asc" },
    });
    expect(actions.map((a) => JSON.parse(a.details).args.opensAt).sort()).toEqual([...times].sort());
    expect(new Set(actions.map((a) => a.operator))).toEqual(new Set(["alice", "bob"]));
    const row = await prisma().concert.findUniqueOrThrow({ where: { id: concert.id } });
    expect(row.saleOpensAt?.toISOString()).toBe(JSON.parse(actions.at(-1)!.details).args.opensAt);
    expect((await draw(concert.id)).seed).toBe(seed);
  });
});
