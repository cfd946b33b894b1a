// Seat race, steady reserve/cancel, and checkout with an end-of-run audit in SQL, on the
// two-process cluster. Users arrive with ACTIVE tokens (QUEUE_MAX_ACTIVE is above the crowd).
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { ServerProcess } from "../tests/helpers/server-processes.js";
import { cannon, type LoadResult } from "./baselines.js";
import {
  countBy,
  gql,
  listenOverflows,
  pool,
  summarize,
  withDb,
  type SeededUser,
  type Summary,
} from "./lib.js";

export const ISSUE = `mutation ($u: ID!, $k: String!, $c: ID!) {
  issueQueueToken(userId: $u, accessKey: $k, concertId: $c) { token status } }`;
export const RESERVE = `mutation ($d: ID!, $n: Int!) { reserveSeat(concertDateId: $d, seatNumber: $n) { id price } }`;
export const CANCEL = `mutation ($id: ID!) { cancelReservation(reservationId: $id) { status } }`;
const CHARGE = `mutation ($a: Int!, $k: String) { chargeBalance(amount: $a, idempotencyKey: $k) { balance } }`;
const PAY = `mutation ($id: ID!, $k: String) { payReservation(reservationId: $id, idempotencyKey: $k) { id amount } }`;

export interface Shopper {
  userId: string;
  token: string;
  url: string;
}

/** issueQueueToken for every user, spread over the servers; all ACTIVE at once by configuration. */
export async function admit(
  servers: ServerProcess[],
  concertId: string,
  users: SeededUser[],
): Promise<Shopper[]> {
  const out: Shopper[] = new Array(users.length);
  await pool(users.length, 100, async (i) => {
    const url = servers[i % servers.length]!.url;
    const u = users[i]!;
    const r = await gql<{ issueQueueToken: { token: string; status: string } }>(url, ISSUE, {
      u: u.userId,
      k: u.accessKey,
      c: concertId,
    });
    if (!r.data || r.data.issueQueueToken.status !== "ACTIVE")
      throw new Error(`not admitted: ${JSON.stringify(r)}`);
    out[i] = { userId: u.userId, token: r.data.issueQueueToken.token, url };
  });
  return out;
}

export interface SeatRaceResult {
  requests: number;
  wallMs: number;
  latencyMs: Summary;
  outcomes: Record<string, number>;
  held: number;
  seatsHeldTwice: number;
  usersHoldingTwo: number;
  liveRowsInDb: number;
  distinctSeatsInDb: number;
  unanswered: number;
  /** Connections the kernel dropped at a full accept backlog during the race (should be 0). */
  listenOverflows: number;
}

/** Every shopper sends one reserveSeat at the same moment for the 50 seats of one date. */
export async function seatRace(
  databaseUrl: string,
  shoppers: Shopper[],
  dateId: string,
): Promise<SeatRaceResult> {
  const overflowsBefore = listenOverflows();
  const started = performance.now();
  const results = await Promise.all(
    shoppers.map((s, i) =>
      gql<{ reserveSeat: { id: string } }>(s.url, RESERVE, { d: dateId, n: (i % 50) + 1 }, s.token),
    ),
  );
  const wallMs = performance.now() - started;
  const overflows = listenOverflows() - overflowsBefore;
  const winners = results.flatMap((r, i) => (r.data?.reserveSeat ? [i] : []));
  const seats = winners.map((i) => (i % 50) + 1);
  const rows = await withDb(databaseUrl, (c) =>
    c.query<{ number: number; n: number }[]>(
      `SELECT s.number AS number, COUNT(*) AS n FROM reservations r JOIN seats s ON s.id = r.seat_id
       WHERE r.concert_date_id = ? AND r.live = 1 GROUP BY s.number`,
      [dateId],
    ),
  );
  const answered = new Set([null, "SEAT_UNAVAILABLE", "ALREADY_RESERVED"]);
  return {
    requests: results.length,
    wallMs: Math.round(wallMs),
    latencyMs: summarize(results.map((r) => r.ms)),
    outcomes: countBy(
      results.map((r) => r.code),
      "HELD",
    ),
    held: winners.length,
    seatsHeldTwice: seats.length - new Set(seats).size,
    usersHoldingTwo: winners.length - new Set(winners.map((i) => shoppers[i]!.userId)).size,
    liveRowsInDb: rows.reduce((s, r) => s + Number(r.n), 0),
    distinctSeatsInDb: rows.length,
    unanswered: results.filter((r) => !answered.has(r.code)).length,
    listenOverflows: overflows,
  };
}

export interface SteadyResult {
  clients: number;
  seconds: number;
  cyclesPerSecond: number;
  opsPerSecond: number;
  reserveMs: Summary;
  cancelMs: Summary;
  allOpsMs: Summary;
  errors: Record<string, number>;
}

/** `clients` loops, each reserving its own seat and cancelling it, until `seconds` pass. */
export async function steady(shoppers: Shopper[], dateId: string, seconds: number): Promise<SteadyResult> {
  const reserve: number[] = [];
  const cancel: number[] = [];
  const codes: (string | null)[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    shoppers.map(async (s, c) => {
      while (performance.now() < deadline) {
        const r = await gql<{ reserveSeat: { id: string } }>(
          s.url,
          RESERVE,
          { d: dateId, n: (c % 50) + 1 },
          s.token,
        );
        reserve.push(r.ms);
        if (r.code) {
          codes.push(r.code);
          continue;
        }
        const x = await gql(s.url, CANCEL, { id: r.data!.reserveSeat.id }, s.token);
        cancel.push(x.ms);
        if (x.code) codes.push(x.code);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const errors = countBy(codes);
  return {
    clients: shoppers.length,
    seconds: Math.round(elapsed * 10) / 10,
    cyclesPerSecond: Math.round((cancel.length / elapsed) * 10) / 10,
    opsPerSecond: Math.round(((reserve.length + cancel.length) / elapsed) * 10) / 10,
    reserveMs: summarize(reserve),
    cancelMs: summarize(cancel),
    allOpsMs: summarize([...reserve, ...cancel]),
    errors,
  };
}

export interface CheckoutResult {
  buyers: number;
  concurrency: number;
  paid: number;
  seconds: number;
  checkoutsPerSecond: number;
  checkoutMs: Summary;
  payMs: Summary;
  errors: Record<string, number>;
  audit: {
    walletsNotMatchingLedger: number;
    confirmedReservations: number;
    payments: number;
    paymentsOnUnconfirmed: number;
    seatsSoldTwice: number;
    paymentsAmount: number;
    expectedAmount: number;
  };
}

export type MoneyAudit = CheckoutResult["audit"];

/** Every wallet equals its ledger; one payment per CONFIRMED reservation; no seat sold twice; sums agree. */
export async function moneyAudit(databaseUrl: string, expectedAmount: number): Promise<MoneyAudit> {
  return withDb(databaseUrl, async (c) => {
    const one = async (sql: string) =>
      Number(((await c.query(sql)) as Record<string, unknown>[])[0]!["n"] ?? 0);
    return {
      walletsNotMatchingLedger: await one(
        `SELECT COUNT(*) AS n FROM wallets w LEFT JOIN
           (SELECT user_id, SUM(amount) AS s FROM ledger_entries GROUP BY user_id) l ON l.user_id = w.user_id
         WHERE w.balance <> COALESCE(l.s, 0)`,
      ),
      confirmedReservations: await one(`SELECT COUNT(*) AS n FROM reservations WHERE status = 'CONFIRMED'`),
      payments: await one(`SELECT COUNT(*) AS n FROM payments`),
      paymentsOnUnconfirmed: await one(
        `SELECT COUNT(*) AS n FROM payments p JOIN reservations r ON r.id = p.reservation_id WHERE r.status <> 'CONFIRMED'`,
      ),
      seatsSoldTwice: await one(
        `SELECT COUNT(*) AS n FROM (SELECT seat_id FROM reservations WHERE status = 'CONFIRMED'
           GROUP BY seat_id HAVING COUNT(*) > 1) x`,
      ),
      paymentsAmount: await one(`SELECT COALESCE(SUM(amount), 0) AS n FROM payments`),
      expectedAmount,
    };
  });
}

export function auditExact(a: MoneyAudit): boolean {
  return (
    a.walletsNotMatchingLedger === 0 &&
    a.payments === a.confirmedReservations &&
    a.paymentsOnUnconfirmed === 0 &&
    a.seatsSoldTwice === 0 &&
    a.paymentsAmount === a.expectedAmount
  );
}

/** One buyer's checkout: charge the price, reserve the seat, pay. Returns the amount paid or an error code. */
export async function checkoutOnce(
  b: Shopper,
  dateId: string,
  seat: number,
): Promise<{ amount?: number; code?: string; message?: string; payMs?: number }> {
  const charged = await gql(b.url, CHARGE, { a: 200_000, k: randomUUID() }, b.token);
  if (charged.code) return { code: `charge:${charged.code}`, message: charged.errors?.[0]?.message };
  const hold = await gql<{ reserveSeat: { id: string; price: number } }>(
    b.url,
    RESERVE,
    { d: dateId, n: seat },
    b.token,
  );
  if (hold.code) return { code: `reserve:${hold.code}`, message: hold.errors?.[0]?.message };
  const paid = await gql<{ payReservation: { amount: number } }>(
    b.url,
    PAY,
    { id: hold.data!.reserveSeat.id, k: randomUUID() },
    b.token,
  );
  if (paid.code) return { code: `pay:${paid.code}`, message: paid.errors?.[0]?.message, payMs: paid.ms };
  return { amount: paid.data!.payReservation.amount, payMs: paid.ms };
}

/**
 * Buyers each charge, reserve a seat of their own and pay, `concurrency` at a time; then the
 * audit of the whole database, which expects `paidBefore` (what earlier checkouts in it were
 * told they paid) plus this run's amounts.
 */
export async function checkout(
  databaseUrl: string,
  buyers: Shopper[],
  dateIds: string[],
  concurrency: number,
  paidBefore = 0,
): Promise<CheckoutResult> {
  const total: number[] = [];
  const pay: number[] = [];
  const codes: (string | null)[] = [];
  let expectedAmount = paidBefore;
  const started = performance.now();
  await pool(buyers.length, concurrency, async (i) => {
    const t0 = performance.now();
    const r = await checkoutOnce(buyers[i]!, dateIds[Math.floor(i / 50)]!, (i % 50) + 1);
    if (r.payMs !== undefined) pay.push(r.payMs);
    if (r.code) return void codes.push(r.code);
    expectedAmount += r.amount!;
    total.push(performance.now() - t0);
  });
  const elapsed = (performance.now() - started) / 1000;
  const audit = await moneyAudit(databaseUrl, expectedAmount);
  return {
    buyers: buyers.length,
    concurrency,
    paid: total.length,
    seconds: Math.round(elapsed * 10) / 10,
    checkoutsPerSecond: Math.round((total.length / elapsed) * 10) / 10,
    checkoutMs: summarize(total),
    payMs: summarize(pay),
    errors: countBy(codes),
    audit,
  };
}

export const SEATS = `query ($d: ID!) { availableSeats(concertDateId: $d) { number price } }`;
export const SEAT_MAP = `query ($d: ID!) { seatMap(concertDateId: $d) { number price status } }`;

/** The warm-up of each seat read before it is measured (the trivial baseline's is 2 s too). */
export const WARM_UP_SECONDS = 2;

/**
 * availableSeats, then seatMap, each measured after a warm-up of its own, as the trivial
 * baseline is (2 December: whichever read ran first came out lower than the same read run
 * second), with `between()` (the trivial baseline) run between them: the run's caller measures
 * the baseline right before and right after, so each read has a baseline on both sides of it
 * and the ratio of each uses the mean of its own two. `load(query, seconds?)` runs one read for
 * the row's duration, or for `seconds`.
 */
export async function warmedSeatReads<B>(
  load: (query: string, seconds?: number) => Promise<LoadResult>,
  between: () => Promise<B>,
): Promise<{ availableSeats: LoadResult; between: B; seatMap: LoadResult }> {
  await load(SEATS, WARM_UP_SECONDS);
  const availableSeats = await load(SEATS);
  const mid = await between();
  await load(SEAT_MAP, WARM_UP_SECONDS);
  const seatMap = await load(SEAT_MAP);
  return { availableSeats, between: mid, seatMap };
}

/** availableSeats and seatMap of one date, `clients` connections each with its own ACTIVE token. */
export async function seatReads(
  url: string,
  tokens: string[],
  dateId: string,
  seconds: number,
  clients: number,
  between: () => Promise<LoadResult>,
) {
  return warmedSeatReads((query, duration = seconds) => {
    const body = JSON.stringify({ query, variables: { d: dateId } });
    return cannon({
      url,
      connections: clients,
      duration,
      body: () => body,
      headers: (i) => ({ authorization: `Bearer ${tokens[i % tokens.length]!}` }),
    });
  }, between);
}
