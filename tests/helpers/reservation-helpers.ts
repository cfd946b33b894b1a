// Users with ACTIVE queue tokens on a running cluster, and a direct look at its database, for
// the seat feature's e2e tests.
import { createPrisma, type PrismaClient } from "../../src/platform/db/prisma.js";
import type { GraphQLTestClient } from "./graphql-client.js";
import type { Cluster } from "./server-processes.js";

export const RESERVE = `mutation ($d: ID!, $n: Int!) {
  reserveSeat(concertDateId: $d, seatNumber: $n) { id seatNumber concertDateId status price expiresAt }
}`;
export const SEATS = `query ($d: ID!) { availableSeats(concertDateId: $d) { number price } }`;
export const MINE = `query { myReservations { id status seatNumber } }`;

export interface Shopper {
  userId: string;
  token: string;
  client: GraphQLTestClient;
}

/** The first demo concert and its first date. */
export async function firstConcert(client: GraphQLTestClient): Promise<string> {
  const data = await client.data<{ concerts: { id: string }[] }>(`{ concerts { id } }`);
  return data.concerts[0]!.id;
}

/** signUp + issueQueueToken for `count` users, spread over the servers, waiting until ACTIVE. */
export async function activeShoppers(cluster: Cluster, concertId: string, count: number): Promise<Shopper[]> {
  const shoppers: Shopper[] = [];
  const batch = 25;
  for (let start = 0; start < count; start += batch) {
    const made = await Promise.all(
      Array.from({ length: Math.min(batch, count - start) }, async (_, i) => {
        const client = cluster.servers[(start + i) % cluster.servers.length]!.client;
        const user = await client.data<{ signUp: { userId: string; accessKey: string } }>(
          `mutation { signUp(name: "shopper") { userId accessKey } }`,
        );
        const { userId, accessKey } = user.signUp;
        const ticket = await client.data<{ issueQueueToken: { token: string; status: string } }>(
          `mutation ($u: ID!, $k: String!, $c: ID!) {
             issueQueueToken(userId: $u, accessKey: $k, concertId: $c) { token status } }`,
          { u: userId, k: accessKey, c: concertId },
        );
        await untilActive(client, ticket.issueQueueToken.token, ticket.issueQueueToken.status);
        return { userId, token: ticket.issueQueueToken.token, client };
      }),
    );
    shoppers.push(...made);
  }
  return shoppers;
}

async function untilActive(client: GraphQLTestClient, token: string, status: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (status !== "ACTIVE") {
    if (Date.now() > deadline) throw new Error(`token still ${status} after 20 s`);
    await new Promise((r) => setTimeout(r, 100));
    status = (await client.data<{ queueStatus: { status: string } }>(`{ queueStatus { status } }`, {}, token))
      .queueStatus.status;
  }
}

export async function firstDate(
  client: GraphQLTestClient,
  concertId: string,
  token: string,
): Promise<string> {
  const data = await client.data<{ availableDates: { id: string }[] }>(
    `query ($c: ID!) { availableDates(concertId: $c) { id } }`,
    { c: concertId },
    token,
  );
  return data.availableDates[0]!.id;
}

export function clusterDb(cluster: Cluster): PrismaClient {
  return createPrisma(cluster.env.databaseUrl, 2);
}

export async function liveRows(prisma: PrismaClient, concertDateId: string, number: number): Promise<number> {
  const rows = await prisma.$queryRaw<{ n: bigint }[]>`
    SELECT COUNT(*) AS n FROM reservations r JOIN seats s ON s.id = r.seat_id
    WHERE s.concert_date_id = ${concertDateId} AND s.number = ${number} AND r.live = 1`;
  return Number(rows[0]?.n ?? 0);
}

/** Polls `check` every 100 ms until it returns true (or fails after `timeoutMs`). */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The seat numbers `shopper` reads as free on the date (availableSeats, on its own instance). */
export async function freeSeats(shopper: Shopper, concertDateId: string): Promise<number[]> {
  const data = await shopper.client.data<{ availableSeats: { number: number }[] }>(
    SEATS,
    { d: concertDateId },
    shopper.token,
  );
  return data.availableSeats.map((x) => x.number);
}
