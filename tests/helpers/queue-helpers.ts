// Queue helpers for tests: sign up users and enter them into a concert's queue over GraphQL.
import type { PrismaClient } from "../../src/platform/db/prisma.js";
import type { GraphQLTestClient } from "./graphql-client.js";

export const TICKET_FIELDS =
  "token userId concertId status position estimatedWaitSeconds activeUntil saleOpensAt";

export interface Ticket {
  token: string;
  userId: string;
  concertId: string;
  status: "PREQUEUED" | "WAITING" | "ACTIVE" | "EXPIRED";
  position: number | null;
  estimatedWaitSeconds: number;
  activeUntil: string | null;
  saleOpensAt: string | null;
}

export interface TestUser {
  userId: string;
  accessKey: string;
}

export async function signUp(client: GraphQLTestClient, name = "tester"): Promise<TestUser> {
  const data = await client.data<{ signUp: TestUser }>(
    "mutation($name: String) { signUp(name: $name) { userId accessKey } }",
    { name },
  );
  return data.signUp;
}

export const ISSUE = `mutation($userId: ID!, $accessKey: String!, $concertId: ID!) {
  issueQueueToken(userId: $userId, accessKey: $accessKey, concertId: $concertId) { ${TICKET_FIELDS} } }`;
export const STATUS = `query { queueStatus { ${TICKET_FIELDS} } }`;
export const LEAVE = `mutation { leaveQueue { ${TICKET_FIELDS} } }`;
export const UPDATES = `subscription($token: String) { queueUpdates(token: $token) { ${TICKET_FIELDS} } }`;

export async function issue(client: GraphQLTestClient, user: TestUser, concertId: string): Promise<Ticket> {
  const data = await client.data<{ issueQueueToken: Ticket }>(ISSUE, { ...user, concertId });
  return data.issueQueueToken;
}

export async function queueStatus(client: GraphQLTestClient, token: string): Promise<Ticket> {
  return (await client.data<{ queueStatus: Ticket }>(STATUS, {}, token)).queueStatus;
}

export async function leave(client: GraphQLTestClient, token: string): Promise<Ticket> {
  return (await client.data<{ leaveQueue: Ticket }>(LEAVE, {}, token)).leaveQueue;
}

/** The seeded concerts' ids (demo data), in a stable order. */
export async function concertIds(prisma: PrismaClient): Promise<string[]> {
  const rows = await prisma.concert.findMany({ select: { id: true }, orderBy: { title: "asc" } });
  return rows.map((r) => r.id);
}

/** Polls `check` until it returns true (no fixed sleeps in assertions). */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 15_000,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
