// Scheduled sales for tests: a concert with a future opening and its sale_draws row (seed and
// commitment), written straight through Prisma, and the public saleDraw query. The draw order
// and the commitment are recomputed here with node:crypto, independently of src/modules/sale.
import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient } from "../../src/platform/db/prisma.js";
import type { GraphQLTestClient } from "./graphql-client.js";

export const SALE_DRAW = `query($c: ID!) { saleDraw(concertId: $c) { concertId commitment seed drawnAt entrants } }`;

export interface SaleDrawView {
  concertId: string;
  commitment: string;
  seed: string | null;
  drawnAt: string | null;
  entrants: number | null;
}

export const sha256Hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
export const drawKey = (seedHex: string, userId: string) =>
  sha256Hex(Buffer.from(`${seedHex}:${userId}`, "utf8"));

/** userIds in the order the contract's draw gives them: ascending draw key. */
export const drawOrder = (seedHex: string, userIds: readonly string[]) =>
  [...userIds].sort((a, b) => (drawKey(seedHex, a) < drawKey(seedHex, b) ? -1 : 1));

/** Sets the concert's opening and creates its draw row, as the operator's scheduleSale does. */
export async function scheduleSaleDirect(
  prisma: PrismaClient,
  concertId: string,
  opensAt: Date,
): Promise<void> {
  const seed = randomBytes(32).toString("hex");
  await prisma.concert.update({ where: { id: concertId }, data: { saleOpensAt: opensAt } });
  await prisma.saleDraw.upsert({
    where: { concertId },
    create: { concertId, seed, commitment: sha256Hex(Buffer.from(seed, "hex")) },
    update: {},
  });
}

/** A new concert (no dates) whose sale opens at `opensAt`. */
export async function scheduledConcert(prisma: PrismaClient, opensAt: Date): Promise<string> {
  const { id } = await prisma.concert.create({
    data: { title: "Scheduled Live", artist: "Drawer", venue: "Hall" },
  });
  await scheduleSaleDirect(prisma, id, opensAt);
  return id;
}

export async function saleDraw(client: GraphQLTestClient, concertId: string): Promise<SaleDrawView | null> {
  return (await client.data<{ saleDraw: SaleDrawView | null }>(SALE_DRAW, { c: concertId })).saleDraw;
}
