import type { Logger } from "../logger.js";

/** What every resolver receives: who is calling (by raw token) and how to log for this request. */
export interface GraphQLContext {
  requestId: string;
  log: Logger;
  /** The raw queue token from `Authorization: Bearer` or `connectionParams.authorization`. */
  token: string | null;
  /** Client address (honours X-Forwarded-For only when TRUST_PROXY=true). */
  ip: string;
}

/** Reads `Bearer <token>` (case-insensitive scheme); anything else counts as no token. */
export function bearerToken(header: unknown): string | null {
  if (typeof header !== "string") return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}
