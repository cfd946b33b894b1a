// Queue tokens: a compact `base64url(payload).base64url(hmac)` signed with TOKEN_SECRET.
// The token is a pure function of the ticket's fields, so any instance re-signs the very same
// token for an idempotent re-issue without storing it. Verifying never touches Redis.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Clock } from "../../platform/clock.js";
import { DomainError } from "../../platform/errors.js";
import type { QueueCaller } from "./queue-guard.js";

export type TokenClaims = Omit<QueueCaller, "token">;

/** Tokens signed a little in the future (another instance's clock) are still accepted. */
const CLOCK_SKEW_SECONDS = 300;
const MAX_TOKEN_LENGTH = 1024;

export const unauthenticated = (why: string) =>
  new DomainError(
    "UNAUTHENTICATED",
    `${why} Enter the queue with issueQueueToken(userId, accessKey, concertId) and send the token it returns as "Authorization: Bearer <token>".`,
  );

export class QueueTokenCodec {
  constructor(
    private readonly secret: string,
    private readonly maxAgeSeconds: number,
    private readonly clock: Clock,
  ) {}

  sign(claims: TokenClaims): string {
    // Fixed key order: the same claims always give the same token.
    const payload = JSON.stringify({
      v: 1,
      t: claims.ticketId,
      u: claims.userId,
      c: claims.concertId,
      s: claims.seq,
      i: claims.issuedAt,
    });
    const body = Buffer.from(payload, "utf8").toString("base64url");
    return `${body}.${this.mac(body).toString("base64url")}`;
  }

  /** UNAUTHENTICATED for anything but an intact, unexpired token signed with our secret. */
  verify(token: string | null | undefined): QueueCaller {
    if (!token) throw unauthenticated("No queue token was sent.");
    if (token.length > MAX_TOKEN_LENGTH) throw unauthenticated("The queue token is malformed.");
    const parts = token.split(".");
    if (parts.length !== 2 || !parts[0] || !parts[1]) throw unauthenticated("The queue token is malformed.");
    const [body, sig] = parts as [string, string];
    const given = Buffer.from(sig, "base64url");
    const expected = this.mac(body);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw unauthenticated("The queue token is not valid.");
    }
    const claims = parseClaims(Buffer.from(body, "base64url").toString("utf8"));
    if (!claims) throw unauthenticated("The queue token is malformed.");
    const nowSeconds = Math.floor(this.clock.now().getTime() / 1000);
    if (nowSeconds - claims.issuedAt > this.maxAgeSeconds) {
      throw unauthenticated("The queue token is too old.");
    }
    if (claims.issuedAt - nowSeconds > CLOCK_SKEW_SECONDS) {
      throw unauthenticated("The queue token is not valid yet.");
    }
    return { token, ...claims };
  }

  private mac(body: string): Buffer {
    return createHmac("sha256", this.secret).update(body).digest();
  }
}

function parseClaims(json: string): TokenClaims | null {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    // A correctly signed but unparsable body can only come from a bug or a leaked secret.
    return null;
  }
  if (typeof raw !== "object" || raw === null) return null;
  const o = raw as Record<string, unknown>;
  const str = (v: unknown) => typeof v === "string" && v.length > 0 && v.length <= 64;
  const int = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
  if (o["v"] !== 1 || !str(o["t"]) || !str(o["u"]) || !str(o["c"]) || !int(o["s"]) || !int(o["i"])) {
    return null;
  }
  return {
    ticketId: o["t"] as string,
    userId: o["u"] as string,
    concertId: o["c"] as string,
    seq: o["s"] as number,
    issuedAt: o["i"] as number,
  };
}
