// TOKEN_SECRETS: the first secret signs, every listed one verifies, and the token's key id
// picks the one secret allowed to verify it (never "whichever listed secret matches").
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../src/platform/clock.js";
import { DomainError } from "../../../src/platform/errors.js";
import { keyIdOf, QueueTokenCodec } from "../../../src/modules/queue/queue-token.js";

const OLD = "old-secret-0123456789abcdef";
const NEW = "new-secret-0123456789abcdef";
const OTHER = "other-secret-0123456789abcdef";
const clock = new FakeClock("2030-01-01T00:00:00Z");
const claims = {
  ticketId: "0b9d3c4e-1111-4222-8333-444455556666",
  userId: "019abcde-0000-7000-8000-000000000001",
  concertId: "019abcde-0000-7000-8000-0000000000c1",
  seq: 7,
  issuedAt: Math.floor(clock.now().getTime() / 1000),
};
const codec = (...secrets: string[]) => new QueueTokenCodec(secrets, 3600, clock);
const hmac = (secret: string, data: string) => createHmac("sha256", secret).update(data).digest("base64url");
const body = Buffer.from(
  JSON.stringify({
    v: 1,
    t: claims.ticketId,
    u: claims.userId,
    c: claims.concertId,
    s: 7,
    i: claims.issuedAt,
  }),
).toString("base64url");

function accepts(verifier: QueueTokenCodec, token: string): boolean {
  try {
    return verifier.verify(token).ticketId === claims.ticketId;
  } catch (error) {
    if (error instanceof DomainError && error.code === "UNAUTHENTICATED") return false;
    throw error;
  }
}

describe("queue token secret rotation", () => {
  it("names the signing secret by the first 8 hex digits of its SHA-256", () => {
    expect(keyIdOf(OLD)).toMatch(/^[0-9a-f]{8}$/);
    expect(codec(NEW, OLD).sign(claims).split(".")[0]).toBe(keyIdOf(NEW));
    expect(codec(OLD, NEW).sign(claims).split(".")[0]).toBe(keyIdOf(OLD));
  });

  it("verifies a token with the secret its key id names, wherever that secret is listed", () => {
    const byOld = codec(OLD).sign(claims);
    const byNew = codec(NEW, OLD).sign(claims);
    expect(accepts(codec(NEW, OLD), byOld)).toBe(true);
    expect(accepts(codec(OLD, NEW), byNew)).toBe(true);
    expect(accepts(codec(OTHER, NEW, OLD), byOld)).toBe(true);
  });

  it("refuses a token whose key id names an unlisted secret, even when a listed secret made its signature", () => {
    // Signed with OLD (listed) but claiming OTHER's key id: a verifier that tried every listed
    // secret would accept it; the key id lookup does not.
    const signed = `${keyIdOf(OTHER)}.${body}`;
    expect(accepts(codec(OLD, NEW), `${signed}.${hmac(OLD, signed)}`)).toBe(false);
  });

  it("refuses a token whose key id names one listed secret and whose signature is another's", () => {
    const signed = `${keyIdOf(NEW)}.${body}`;
    expect(accepts(codec(OLD, NEW), `${signed}.${hmac(OLD, signed)}`)).toBe(false);
    expect(accepts(codec(OLD, NEW), `${signed}.${hmac(NEW, signed)}`)).toBe(true);
  });

  it("refuses a token whose secret was retired, and one with its key id cut off", () => {
    const byOld = codec(OLD).sign(claims);
    expect(accepts(codec(NEW), byOld)).toBe(false);
    expect(accepts(codec(OLD), byOld.split(".").slice(1).join("."))).toBe(false);
    expect(accepts(codec(OLD), `ABCDEF01.${byOld.split(".").slice(1).join(".")}`)).toBe(false);
  });

  it("accepts a token of the format without key id signed with any listed secret, and no other", () => {
    const legacy = `${body}.${hmac(OLD, body)}`;
    expect(accepts(codec(OLD), legacy)).toBe(true);
    expect(accepts(codec(NEW, OLD), legacy)).toBe(true);
    expect(accepts(codec(NEW), legacy)).toBe(false);
  });

  it("keeps every token valid on every instance through the documented roll, mid-roll included", () => {
    // Two instances, each moved one at a time: add the new secret second, move it first, drop
    // the old one. At every moment a token signed anywhere is accepted everywhere, until the
    // old secret is dropped.
    const steps: [string[], string[]][] = [
      [[OLD], [OLD]],
      [[OLD, NEW], [OLD]],
      [
        [OLD, NEW],
        [OLD, NEW],
      ],
      [
        [NEW, OLD],
        [OLD, NEW],
      ],
      [
        [NEW, OLD],
        [NEW, OLD],
      ],
    ];
    for (const [a, b] of steps) {
      const [A, B] = [codec(...a), codec(...b)];
      expect(accepts(B, A.sign(claims)), `A=${a.length} B=${b.length}`).toBe(true);
      expect(accepts(A, B.sign(claims))).toBe(true);
    }
    const byOld = codec(OLD).sign(claims);
    const [A, B] = [codec(NEW), codec(NEW, OLD)];
    expect(accepts(A, B.sign(claims))).toBe(true);
    expect(accepts(B, A.sign(claims))).toBe(true);
    expect(accepts(A, byOld)).toBe(false);
    expect(accepts(B, byOld)).toBe(true);
  });

  it("shows why the order matters: a new secret put first before every instance knows it is refused there", () => {
    expect(accepts(codec(OLD), codec(NEW, OLD).sign(claims))).toBe(false);
  });

  it("refuses two secrets with the same key id and an empty list", () => {
    expect(() => codec(OLD, OLD)).toThrow(/key id/);
    expect(() => codec()).toThrow(/at least one secret/);
  });
});
