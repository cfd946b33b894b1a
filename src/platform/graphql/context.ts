import type { QueueService } from "../../modules/queue/queue.service.js";
import type { QueueUpdates } from "../../modules/queue/queue-updates.js";
import type { ConcertService } from "../../modules/concert/concert.service.js";
import type { LiveSaleUseCases } from "../../modules/live-sale/live-sale.resolver.js";
import type { Logger } from "../logger.js";

/** What every resolver receives: who is calling (by raw token) and how to log for this request. */
export interface GraphQLContext {
  requestId: string;
  log: Logger;
  /** The raw queue token from `Authorization: Bearer` or `connectionParams.authorization`. */
  token: string | null;
  /** Client address (honours X-Forwarded-For only when TRUST_PROXY=true). */
  ip: string;
  /** This app's services for the resolvers that read them from here (see ResolverServices). */
  services: ResolverServices;
}

/**
 * Services handed to resolvers through the context, by the composition root (src/app.ts).
 * type-graphql calls a subscription's `subscribe` function without the resolver instance, so
 * the queue, seat and live-sale resolvers are plain classes (listed once, in src/resolvers.ts or src/admin-resolvers.ts) that read
 * their services here instead of closing over them.
 */
export interface ResolverServices {
  queue: Pick<QueueService, "issue" | "status" | "leave">;
  queueUpdates: QueueUpdates;
  seatUpdates: Pick<ConcertService, "seatUpdates">;
  /** The Operator API's live-sale controls and figures (LiveSaleResolver). */
  liveSale: LiveSaleUseCases;
}

/** Reads `Bearer <token>` (case-insensitive scheme); anything else counts as no token. */
export function bearerToken(header: unknown): string | null {
  if (typeof header !== "string") return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}
