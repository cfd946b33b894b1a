// Operator documents and fan helpers for the live-sale e2e tests (pause, policy, figures, sold out).
import { dayIn } from "../../src/platform/business-day.js";
import { ADD_DATE, createConcert, FLAT_PRICES, type AdminTestClient } from "../helpers/admin-client.js";
import type { GraphQLTestClient } from "../helpers/graphql-client.js";
import { signUp } from "../helpers/queue-helpers.js";
import type { SaleStats as Stats } from "../../web/admin/src/api.js";

export const CONTROL_FIELDS = "concertId paused maxActive admitPerTick updatedAt updatedBy";
export const STATS_FIELDS = `concertId at saleOpensAt prequeued waiting active admittedLastMinute
  abandonedLastMinute paidLastMinute seatsFree seatsHeld seatsSold revenue paused maxActive admitPerTick soldOut`;
export const PAUSE = `mutation($c: ID!) { pauseAdmission(concertId: $c) { ${CONTROL_FIELDS} } }`;
export const RESUME = `mutation($c: ID!) { resumeAdmission(concertId: $c) { ${CONTROL_FIELDS} } }`;
export const POLICY = `mutation($c: ID!, $maxActive: Int, $admitPerTick: Int) {
  setAdmissionPolicy(concertId: $c, maxActive: $maxActive, admitPerTick: $admitPerTick) { ${CONTROL_FIELDS} } }`;
export const STATS = `query($c: ID!) { saleStats(concertId: $c) { ${STATS_FIELDS} } }`;
export const STATS_UPDATES = `subscription($c: ID!) { saleStatsUpdates(concertId: $c) { ${STATS_FIELDS} } }`;
export const FAN_TICKET = "token status position admissionPaused soldOut";
export const FAN_UPDATES = `subscription($token: String) { queueUpdates(token: $token) { ${FAN_TICKET} } }`;

export interface Control {
  concertId: string;
  paused: boolean;
  maxActive: number;
  admitPerTick: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

/** The console's own type of the figures (web/admin/src/api.ts): one definition for page and tests. */
export type { Stats };

export interface FanTicket {
  token: string;
  status: "PREQUEUED" | "WAITING" | "ACTIVE" | "EXPIRED";
  position: number | null;
  admissionPaused: boolean;
  soldOut: boolean;
}

/** A new concert on sale now with one date two days ahead (50 seats at 50,000 KRW). */
export async function newSale(admin: AdminTestClient): Promise<{ concertId: string; dateId: string }> {
  const concert = await createConcert(admin, { title: `Live ${Math.random().toString(36).slice(2, 8)}` });
  const date = dayIn(new Date(Date.now() + 2 * 86_400_000), "Asia/Seoul");
  const added = await admin.data<{ addConcertDate: { id: string } }>(ADD_DATE, {
    concertId: concert.id,
    date,
    prices: FLAT_PRICES,
  });
  return { concertId: concert.id, dateId: added.addConcertDate.id };
}

export async function control(
  admin: AdminTestClient,
  doc: string,
  vars: Record<string, unknown>,
): Promise<Control> {
  const data = await admin.data<Record<string, Control>>(doc, vars);
  return Object.values(data)[0]!;
}

export async function stats(admin: AdminTestClient, concertId: string): Promise<Stats> {
  return (await admin.data<{ saleStats: Stats }>(STATS, { c: concertId })).saleStats;
}

/** A new user entering the concert's queue through the public API. */
export async function fan(
  client: GraphQLTestClient,
  concertId: string,
): Promise<FanTicket & { userId: string }> {
  const user = await signUp(client, "fan");
  const data = await client.data<{ issueQueueToken: FanTicket }>(
    `mutation($userId: ID!, $accessKey: String!, $concertId: ID!) {
      issueQueueToken(userId: $userId, accessKey: $accessKey, concertId: $concertId) { ${FAN_TICKET} } }`,
    { ...user, concertId },
  );
  return { ...data.issueQueueToken, userId: user.userId };
}

export async function fanStatus(client: GraphQLTestClient, token: string): Promise<FanTicket> {
  return (await client.data<{ queueStatus: FanTicket }>(`{ queueStatus { ${FAN_TICKET} } }`, {}, token))
    .queueStatus;
}

/** Holds seat `n`, charges the price and pays: the fan's token must be ACTIVE. */
export async function buySeat(
  client: GraphQLTestClient,
  token: string,
  dateId: string,
  n: number,
): Promise<void> {
  const held = await client.data<{ reserveSeat: { id: string; price: number } }>(
    `mutation($d: ID!, $n: Int!) { reserveSeat(concertDateId: $d, seatNumber: $n) { id price } }`,
    { d: dateId, n },
    token,
  );
  await client.data(
    `mutation($a: Int!) { chargeBalance(amount: $a) { balance } }`,
    { a: held.reserveSeat.price },
    token,
  );
  await client.data(
    `mutation($id: ID!) { payReservation(reservationId: $id) { id } }`,
    { id: held.reserveSeat.id },
    token,
  );
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
