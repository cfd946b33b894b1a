// Queue tokens: `kid.base64url(payload).base64url(hmac)`, the HMAC-SHA256 of `kid.payload`
// under the secret whose key id is `kid` (keyIdOf: the first 8 hex digits of the secret's
// SHA-256). The first of TOKEN_SECRETS signs; any listed secret verifies, looked up by the
// token's key id, so an operator rolls a new secret across instances with nobody logged out
// (README, "Rotating the token secret"). The token is a pure function of the ticket's fields
// and the signing secret, so any instance re-signs the very same token for an idempotent
// re-issue without storing it. Verifying never touches Redis; a codec remembers the tokens it
// verified (by the whole token), so a token calling again costs no HMAC, only its age check.
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { LRUCache } from "lru-cache";
import type { Clock } from "../../platform/clock.js";
import { unauthenticated } from "./queue.errors.js";
import type { QueueCaller } from "./queue-guard.js";

export type TokenClaims = Omit<QueueCaller, "token">;

/** Tokens signed a little in the future (another instance's clock) are still accepted. */
const CLOCK_SKEW_SECONDS = 300;
const MAX_TOKEN_LENGTH = 1024;
/**
 * How many verified tokens a codec remembers. Every seat and payment call verifies its token;
 * the active set is what calls again and again, so a few thousand cover a sale.
 */
export const VERIFIED_TOKEN_CAPACITY = 10_000;
const KEY_ID = /^[0-9a-f]{8}$/;

/** A secret's key id: the first 8 hex digits of its SHA-256 (names the secret, never reveals it). */
export function keyIdOf(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex").slice(0, 8);
}

export class QueueTokenCodec {
  private readonly signingKid: string;
  private readonly byKid: ReadonlyMap<string, string>;
  /** The secrets in order, for tokens signed before key ids existed (see verifyLegacy). */
  private readonly secrets: readonly string[];
  /**
   * Tokens whose signature and payload this codec already checked, by the whole token string.
   * That check is a pure function of the token and the secrets, which are fixed for the codec's
   * life, so a remembered answer is the answer; only what depends on the time (age, clock skew)
   * is judged again at every call. A forged token is never remembered; past the capacity the
   * least recently used token goes first.
   */
  private readonly verified: LRUCache<string, TokenClaims>;

  /** @param secrets newest first: the first signs, every one verifies (one string: the only one). */
  constructor(
    secrets: string | readonly string[],
    private readonly maxAgeSeconds: number,
    private readonly clock: Clock,
    capacity = VERIFIED_TOKEN_CAPACITY,
  ) {
    this.verified = new LRUCache({ max: capacity });
    this.secrets = typeof secrets === "string" ? [secrets] : [...secrets];
    if (this.secrets.length === 0) throw new Error("QueueTokenCodec needs at least one secret");
    const byKid = new Map<string, string>();
    for (const secret of this.secrets) {
      const kid = keyIdOf(secret);
      if (byKid.has(kid)) throw new Error(`two token secrets share the key id ${kid}`);
      byKid.set(kid, secret);
    }
    this.byKid = byKid;
    this.signingKid = keyIdOf(this.secrets[0]!);
  }

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
    const signed = `${this.signingKid}.${Buffer.from(payload, "utf8").toString("base64url")}`;
    return `${signed}.${mac(this.byKid.get(this.signingKid)!, signed).toString("base64url")}`;
  }

  /** UNAUTHENTICATED for anything but an intact, unexpired token signed with a listed secret. */
  verify(token: string | null | undefined): QueueCaller {
    if (!token) throw unauthenticated("No queue token was sent.");
    let claims = this.verified.get(token);
    if (claims === undefined) {
      claims = this.checkSigned(token);
      this.verified.set(token, claims);
    }
    const nowSeconds = Math.floor(this.clock.now().getTime() / 1000);
    if (nowSeconds - claims.issuedAt > this.maxAgeSeconds) {
      throw unauthenticated("The queue token is too old.");
    }
    if (claims.issuedAt - nowSeconds > CLOCK_SKEW_SECONDS) {
      throw unauthenticated("The queue token is not valid yet.");
    }
    return { token, ...claims };
  }

  /** How many verified tokens are remembered (at most the capacity). */
  get rememberedTokens(): number {
    return this.verified.size;
  }

  /** The claims of a token signed with a listed secret; UNAUTHENTICATED for anything else. */
  private checkSigned(token: string): TokenClaims {
    if (token.length > MAX_TOKEN_LENGTH) throw unauthenticated("The queue token is malformed.");
    const parts = token.split(".");
    if (parts.some((p) => !p)) throw unauthenticated("The queue token is malformed.");
    let body: string;
    if (parts.length === 3) {
      const [kid, b, sig] = parts as [string, string, string];
      // The key id picks the one secret that may have signed this token: a token naming a
      // retired (or unknown) secret is refused even if some listed secret would match it.
      const secret = KEY_ID.test(kid) ? this.byKid.get(kid) : undefined;
      if (secret === undefined) throw unauthenticated("The queue token is not valid.");
      if (!macMatches(secret, `${kid}.${b}`, sig)) throw unauthenticated("The queue token is not valid.");
      body = b;
    } else if (parts.length === 2) {
      body = this.verifyLegacy(parts[0]!, parts[1]!);
    } else {
      throw unauthenticated("The queue token is malformed.");
    }
    const claims = parseClaims(Buffer.from(body, "base64url").toString("utf8"));
    if (!claims) throw unauthenticated("The queue token is malformed.");
    return claims;
  }

  /**
   * `body.sig`, the format before key ids: signed with the single TOKEN_SECRET of that time,
   * which may sit anywhere in the list while it is being rotated out, so each listed secret is
   * tried (the list is short). Such tokens die out TOKEN_MAX_AGE_SECONDS after the upgrade;
   * a stripped key id never lands here as valid, since the key id is part of what is signed.
   */
  private verifyLegacy(body: string, sig: string): string {
    if (this.secrets.some((secret) => macMatches(secret, body, sig))) return body;
    throw unauthenticated("The queue token is not valid.");
  }
}

function mac(secret: string, data: string): Buffer {
  return createHmac("sha256", secret).update(data).digest();
}

function macMatches(secret: string, data: string, sig: string): boolean {
  const given = Buffer.from(sig, "base64url");
  const expected = mac(secret, data);
  return given.length === expected.length && timingSafeEqual(given, expected);
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
