// Paying over HTTP against two real server processes on one database and Redis: one payment
// per hold however many requests race, across instances; money for one seat pays one seat;
// a payment ends the queue pass and lets the next waiting user in.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrisma, type PrismaClient } from "../../src/platform/db/prisma.js";
import type { GraphQLTestClient } from "../helpers/graphql-client.js";
import { startCluster, type Cluster } from "../helpers/server-processes.js";
import {
  concertIds,
  eventually,
  issue,
  leave,
  queueStatus,
  signUp,
  type TestUser,
} from "../helpers/queue-helpers.js";

const CHARGE = `mutation($amount: Int!) { chargeBalance(amount: $amount) { balance } }`;
const BALANCE = `query { balance { balance } }`;
const DATES = `query($concertId: ID!) { availableDates(concertId: $concertId) { id } }`;
const RESERVE = `mutation($dateId: ID!, $seat: Int!) { reserveSeat(concertDateId: $dateId, seatNumber: $seat) { id price status } }`;
const PAY = `mutation($id: ID!, $key: String) { payReservation(reservationId: $id, idempotencyKey: $key) {
  id amount paidAt reservation { id status seatNumber concertId } } }`;
const MY_PAYMENTS = `query { myPayments { id amount reservation { id seatNumber status } } }`;
const MY_RESERVATIONS = `query { myReservations { id status } }`;

interface Paid {
  id: string;
  amount: number;
  paidAt: string;
  reservation: { id: string; status: string; seatNumber: number; concertId: string };
}

describe("payReservation across two server processes", () => {
  let cluster: Cluster;
  let prisma: PrismaClient;
  let concerts: string[];
  const server = (i: number): GraphQLTestClient => cluster.servers[i % 2]!.client;

  beforeAll(async () => {
    // One active user per concert, admitted every 200 ms: a payment's freed slot is visible.
    cluster = await startCluster(2, {
      QUEUE_MAX_ACTIVE: "1",
      QUEUE_TICK_MS: "200",
      DATABASE_POOL_SIZE: "10",
    });
    prisma = createPrisma(cluster.env.databaseUrl, 2);
    concerts = await concertIds(prisma);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await cluster?.stop();
  });

  /** Enters the queue and waits (polling) until admitted. */
  async function activeToken(user: TestUser, concertId: string): Promise<string> {
    const ticket = await issue(server(0), user, concertId);
    await eventually(async () => (await queueStatus(server(1), ticket.token)).status === "ACTIVE");
    return ticket.token;
  }
  async function dates(token: string, concertId: string): Promise<string[]> {
    const data = await server(0).data<{ availableDates: { id: string }[] }>(DATES, { concertId }, token);
    return data.availableDates.map((d) => d.id);
  }
  async function reserve(
    token: string,
    dateId: string,
    seat: number,
  ): Promise<{ id: string; price: number }> {
    return (
      await server(1).data<{ reserveSeat: { id: string; price: number } }>(RESERVE, { dateId, seat }, token)
    ).reserveSeat;
  }
  async function charge(token: string, amount: number): Promise<void> {
    await server(0).data(CHARGE, { amount }, token);
  }
  async function balanceOf(token: string): Promise<number> {
    return (await server(1).data<{ balance: { balance: number } }>(BALANCE, {}, token)).balance.balance;
  }
  async function ledger(userId: string) {
    return prisma.ledgerEntry.findMany({
      where: { userId },
      select: { amount: true, balanceAfter: true, kind: true },
    });
  }

  it("takes exactly one payment and one debit for 100 concurrent payments of one hold on both processes", async () => {
    const user = await signUp(server(0));
    const token = await activeToken(user, concerts[0]!);
    const [dateId] = await dates(token, concerts[0]!);
    const hold = await reserve(token, dateId!, 1);
    await charge(token, hold.price * 3);

    const bodies = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        server(i).request<{ payReservation: Paid }>(PAY, { id: hold.id }, token),
      ),
    );
    const tally: Record<string, number> = {};
    for (const b of bodies) {
      const outcome = b.errors ? String(b.errors[0]?.extensions?.code) : "PAID";
      tally[outcome] = (tally[outcome] ?? 0) + 1;
    }
    console.info(
      `race report: 100 concurrent payReservation of one hold on 2 processes: ${JSON.stringify(tally)}`,
    );
    const paid = bodies.filter((b) => b.data?.payReservation);
    const codes = new Set(bodies.flatMap((b) => b.errors?.map((e) => e.extensions?.code) ?? []));
    expect(paid).toHaveLength(1);
    expect([...codes].every((c) => c === "ALREADY_PAID" || c === "QUEUE_TOKEN_EXPIRED")).toBe(true);
    expect(paid[0]!.data!.payReservation).toMatchObject({
      amount: hold.price,
      reservation: { id: hold.id, status: "CONFIRMED", seatNumber: 1 },
    });

    expect(await balanceOf(token)).toBe(hold.price * 2);
    expect(await prisma.payment.count({ where: { reservationId: hold.id } })).toBe(1);
    const rows = await ledger(user.userId);
    expect(rows.filter((r) => r.kind === "PAYMENT").map((r) => r.amount)).toEqual([-hold.price]);
    expect(rows.reduce((s, r) => s + r.amount, 0)).toBe(hold.price * 2);
    const mine = (await server(1).data<{ myPayments: Paid[] }>(MY_PAYMENTS, {}, token)).myPayments;
    expect(mine).toEqual([
      {
        id: paid[0]!.data!.payReservation.id,
        amount: hold.price,
        reservation: { id: hold.id, seatNumber: 1, status: "CONFIRMED" },
      },
    ]);
  });

  it("with money for one seat, holds at two concerts and two tokens, pays exactly one of two concurrent payments", async () => {
    const user = await signUp(server(0));
    const tokenA = await activeToken(user, concerts[0]!);
    const tokenB = await activeToken(user, concerts[1]!);
    const holdA = await reserve(tokenA, (await dates(tokenA, concerts[0]!))[0]!, 2);
    const holdB = await reserve(tokenB, (await dates(tokenB, concerts[1]!))[0]!, 2);
    const enough = Math.max(holdA.price, holdB.price);
    await charge(tokenA, enough);

    const [a, b] = await Promise.all([
      server(0).request<{ payReservation: Paid }>(PAY, { id: holdA.id }, tokenA),
      server(1).request<{ payReservation: Paid }>(PAY, { id: holdB.id }, tokenB),
    ]);
    const outcomes = [a, b].map((r) =>
      r.data?.payReservation?.id ? "PAID" : r.errors?.[0]?.extensions?.code,
    );
    expect(outcomes.sort()).toEqual(["INSUFFICIENT_BALANCE", "PAID"]);
    const refused = [a, b].find((r) => r.errors)!.errors![0]!;
    expect(typeof refused.extensions?.["balance"]).toBe("number");
    expect(typeof refused.extensions?.["price"]).toBe("number");
    expect(refused.extensions?.["balance"] as number).toBeLessThan(refused.extensions?.["price"] as number);

    const rows = await ledger(user.userId);
    expect(rows.every((r) => r.balanceAfter >= 0)).toBe(true);
    expect(rows.filter((r) => r.kind === "PAYMENT")).toHaveLength(1);
    expect(await balanceOf(tokenA)).toBeGreaterThanOrEqual(0);
    expect(await balanceOf(tokenA)).toBe(rows.reduce((s, r) => s + r.amount, 0));
    // The unpaid concert's pass is still ACTIVE; give it back so the next test gets the slot.
    for (const token of [tokenA, tokenB]) {
      if ((await queueStatus(server(0), token)).status === "ACTIVE") await leave(server(0), token);
    }
  });

  it("expires the token after payment and admits the next waiting user at a following tick", async () => {
    const payer = await signUp(server(0));
    const waiter = await signUp(server(1));
    const token = await activeToken(payer, concerts[0]!);
    const waiting = await issue(server(1), waiter, concerts[0]!);
    expect(waiting.status).toBe("WAITING");
    const [dateId] = await dates(token, concerts[0]!);
    const hold = await reserve(token, dateId!, 3);
    await charge(token, hold.price);
    // Still WAITING while the payer holds the only slot.
    expect((await queueStatus(server(1), waiting.token)).status).toBe("WAITING");

    await server(0).data(PAY, { id: hold.id }, token);
    expect(await server(1).errorCode(DATES, { concertId: concerts[0] }, token)).toBe("QUEUE_TOKEN_EXPIRED");
    expect(await server(0).errorCode(RESERVE, { dateId, seat: 4 }, token)).toBe("QUEUE_TOKEN_EXPIRED");
    expect((await queueStatus(server(0), token)).status).toBe("EXPIRED");
    await eventually(
      async () => (await queueStatus(server(1), waiting.token)).status === "ACTIVE",
      10_000,
      50,
    );
    await leave(server(1), waiting.token);
  });

  it("returns the first payment for a repeated key, on the other process and after the token expired", async () => {
    const user = await signUp(server(0));
    const token = await activeToken(user, concerts[1]!);
    const [dateA, dateB] = await dates(token, concerts[1]!);
    const holdA = await reserve(token, dateA!, 5);
    const holdB = await reserve(token, dateB!, 5);
    await charge(token, holdA.price + holdB.price);

    const first = (await server(0).data<{ payReservation: Paid }>(PAY, { id: holdA.id, key: "pay-1" }, token))
      .payReservation;
    expect((await queueStatus(server(1), token)).status).toBe("EXPIRED");
    const again = (await server(1).data<{ payReservation: Paid }>(PAY, { id: holdA.id, key: "pay-1" }, token))
      .payReservation;
    expect(again).toEqual(first);
    expect(await server(0).errorCode(PAY, { id: holdB.id, key: "pay-1" }, token)).toBe("BAD_USER_INPUT");
    expect(await balanceOf(token)).toBe(holdB.price);
    // Paying released the user's other hold of that concert.
    const reservations = (
      await server(0).data<{ myReservations: { id: string; status: string }[] }>(MY_RESERVATIONS, {}, token)
    ).myReservations;
    expect(reservations.find((r) => r.id === holdB.id)?.status).toBe("CANCELLED");
    expect(reservations.find((r) => r.id === holdA.id)?.status).toBe("CONFIRMED");
  });

  it("answers 20 concurrent requests with one key on both processes with the same single payment", async () => {
    const user = await signUp(server(0));
    const token = await activeToken(user, concerts[1]!);
    const [dateId] = await dates(token, concerts[1]!);
    const hold = await reserve(token, dateId!, 7);
    await charge(token, hold.price);
    const bodies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        server(i).request<{ payReservation: Paid }>(PAY, { id: hold.id, key: "one-pay" }, token),
      ),
    );
    expect(bodies.filter((b) => b.errors)).toEqual([]);
    expect(new Set(bodies.map((b) => b.data!.payReservation.id)).size).toBe(1);
    expect(await prisma.payment.count({ where: { reservationId: hold.id } })).toBe(1);
    expect(await balanceOf(token)).toBe(0);
  });

  it("refuses an insufficient balance with numeric balance and price and changes nothing", async () => {
    const user = await signUp(server(0));
    const token = await activeToken(user, concerts[0]!);
    const hold = await reserve(token, (await dates(token, concerts[0]!))[0]!, 6);
    await charge(token, hold.price - 1);
    const body = await server(1).request(PAY, { id: hold.id }, token);
    expect(body.errors?.[0]?.extensions).toEqual({
      code: "INSUFFICIENT_BALANCE",
      balance: hold.price - 1,
      price: hold.price,
    });
    expect(body.errors?.[0]?.message).toMatch(/chargeBalance/);
    expect(await balanceOf(token)).toBe(hold.price - 1);
    expect(await prisma.reservation.findUniqueOrThrow({ where: { id: hold.id } })).toMatchObject({
      status: "HELD",
      live: true,
    });
    expect((await queueStatus(server(0), token)).status).toBe("ACTIVE");
    await leave(server(0), token);
  });
});
