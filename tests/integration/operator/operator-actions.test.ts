// The audit log: operatorActions reads it newest first, by concert, within 1..500 rows; and
// audited() writes the row in the change's own transaction, so a failed write of the row
// takes the change back with it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditRepository } from "../../../src/modules/operator/audit.repository.js";
import { AuditTrail } from "../../../src/modules/operator/audit.js";
import { prismaTransactionRunner } from "../../../src/platform/db/transaction.js";
import {
  ACTIONS,
  AdminTestClient,
  BOB,
  createConcert,
  SCHEDULE,
  TEST_OPERATOR_KEYS,
} from "../../helpers/admin-client.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";

let t: TestApp;
let admin: AdminTestClient;

interface Action {
  id: string;
  at: string;
  operator: string;
  action: string;
  concertId: string | null;
  details: string;
}
const actions = async (variables: Record<string, unknown> = {}) =>
  (await admin.data<{ operatorActions: Action[] }>(ACTIONS, variables)).operatorActions;

beforeAll(async () => {
  t = await startTestApp({ OPERATOR_KEYS: TEST_OPERATOR_KEYS });
  admin = new AdminTestClient(t.url);
});
afterAll(async () => {
  await t.stop();
});

describe("operatorActions", () => {
  it("lists every change newest first with who made it, filtered by concert", async () => {
    const first = await createConcert(admin, { saleOpensAt: new Date(Date.now() + 3_600_000).toISOString() });
    const second = await createConcert(admin.as(BOB.secret), { title: "Second" });
    const opensAt = new Date(Date.now() + 7_200_000).toISOString();
    await admin.as(BOB.secret).data(SCHEDULE, { concertId: first.id, opensAt });

    const all = await actions();
    expect(all.map((a) => [a.operator, a.action, a.concertId])).toEqual([
      ["bob", "scheduleSale", first.id],
      ["bob", "createConcert", second.id],
      ["alice", "createConcert", first.id],
    ]);
    expect(all.map((a) => Number(a.id))).toEqual([...all.map((a) => Number(a.id))].sort((x, y) => y - x));
    expect(JSON.parse(all[0]!.details)).toEqual({
      args: { concertId: first.id, opensAt },
      result: { ...first, saleOpensAt: opensAt },
    });
    expect(new Date(all[0]!.at).getTime()).toBeGreaterThan(Date.now() - 60_000);

    const ofFirst = await actions({ concertId: first.id });
    expect(ofFirst.map((a) => a.action)).toEqual(["scheduleSale", "createConcert"]);
    expect(await actions({ concertId: "01900000-0000-7000-8000-000000000000" })).toEqual([]);
    expect((await actions({ limit: 2 })).map((a) => a.id)).toEqual(all.slice(0, 2).map((a) => a.id));
    expect(await actions({ limit: null })).toEqual(all);
  });

  it.each([0, 501, -1])("refuses limit %d with BAD_USER_INPUT", async (limit) => {
    const error = await admin.error(ACTIONS, { limit });
    expect(error.code).toBe("BAD_USER_INPUT");
    expect(error.message).toMatch(/limit must be between 1 and 500/);
  });
});

describe("audited", () => {
  it("rolls the change back when its audit row cannot be written: one transaction", async () => {
    const prisma = t.app.infra.prisma;
    const audit = new AuditTrail(prismaTransactionRunner(prisma), new AuditRepository(prisma));
    const before = await prisma.concert.count();
    // VARCHAR(64): MariaDB in strict mode refuses the audit row after the concert was inserted.
    await expect(
      audit.run({ operator: { name: "alice" }, action: "x".repeat(65), args: {} }, async (tx) => {
        const concert = await tx.concert.create({ data: { title: "T", artist: "A", venue: "V" } });
        return { result: concert, concertId: concert.id };
      }),
    ).rejects.toThrow();
    expect(await prisma.concert.count()).toBe(before);
  });
});
