// What a refused operator call must leave as it was: every catalogue table and the audit log.
import { expect } from "vitest";
import type { PrismaClient } from "../../../src/platform/db/prisma.js";
import type { AdminTestClient } from "../../helpers/admin-client.js";

export async function catalogueCounts(p: PrismaClient) {
  const [concerts, dates, seats, draws, actions, opens] = await Promise.all([
    p.concert.count(),
    p.concertDate.count(),
    p.seat.count(),
    p.saleDraw.findMany({ orderBy: { concertId: "asc" } }),
    p.operatorAction.count(),
    p.concert.findMany({ select: { id: true, saleOpensAt: true }, orderBy: { id: "asc" } }),
  ]);
  return { concerts, dates, seats, draws, actions, opens };
}

/** Calls `query`, expects `code` and `message`, and that nothing in MySQL changed. */
export async function expectRefusedOn(
  prisma: PrismaClient,
  admin: AdminTestClient,
  query: string,
  variables: Record<string, unknown>,
  code: string,
  message: RegExp,
): Promise<void> {
  const before = await catalogueCounts(prisma);
  const error = await admin.error(query, variables);
  expect(error.code).toBe(code);
  expect(error.message).toMatch(message);
  expect(await catalogueCounts(prisma)).toEqual(before);
}
