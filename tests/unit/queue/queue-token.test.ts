import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../src/platform/clock.js";
import { DomainError } from "../../../src/platform/errors.js";
import { keyIdOf, QueueTokenCodec } from "../../../src/modules/queue/queue-token.js";

const hmac = (secret: string, data: string) => createHmac("sha256", secret).update(data).digest("base64url");

const claims = {
  ticketId: "0b9d3c4e-1111-4222-8333-444455556666",
  userId: "019abcde-0000-7000-8000-000000000001",
  concertId: "019abcde-0000-7000-8000-0000000000c1",
  seq: 42,
  issuedAt: Math.floor(Date.parse("2030-01-01T00:00:00Z") / 1000),
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

describe("queue token", () => {
  const clock = new FakeClock("2030-01-01T00:00:00Z");
  const codec = new QueueTokenCodec("secret-one-0123456789", 3600, clock);

  it("round-trips ticket, user, concert, entry number and issue time", () => {
    const token = codec.sign(claims);
    expect(token).toMatch(/^[0-9a-f]{8}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(codec.verify(token)).toEqual({ token, ...claims });
  });

  it("signs the same claims to the same token, so a re-issue returns the same token", () => {
    expect(codec.sign(claims)).toBe(codec.sign({ ...claims }));
  });

  it("refuses a token whose payload was changed", () => {
    const [kid, , sig] = codec.sign(claims).split(".");
    const body = Buffer.from(
      JSON.stringify({
        v: 1,
        t: claims.ticketId,
        u: claims.userId,
        c: claims.concertId,
        s: 1,
        i: claims.issuedAt,
      }),
    ).toString("base64url");
    expect(codeOf(() => codec.verify(`${kid}.${body}.${sig}`))).toBe("UNAUTHENTICATED");
  });

  it("refuses truncated, empty and malformed tokens with UNAUTHENTICATED, never another error", () => {
    const token = codec.sign(claims);
    for (const bad of [
      token.slice(0, -1),
      token.slice(0, 10),
      token.split(".")[0]!,
      token.split(".").slice(1).join("."),
      `${token}.x`,
      `.${token}`,
      ".",
      "",
      "...",
      "%%%.%%%",
      "x".repeat(5000),
    ]) {
      expect(codeOf(() => codec.verify(bad))).toBe("UNAUTHENTICATED");
    }
    expect(codeOf(() => codec.verify(null))).toBe("UNAUTHENTICATED");
  });

  it("refuses a correctly signed body that is not a token", () => {
    const forgeWith = (payload: string) => {
      const signed = `${keyIdOf("secret-one-0123456789")}.${Buffer.from(payload).toString("base64url")}`;
      return `${signed}.${hmac("secret-one-0123456789", signed)}`;
    };
    for (const payload of ["not json", "null", "[]", '{"v":1}', JSON.stringify({ ...claims, v: 2 })]) {
      expect(codeOf(() => codec.verify(forgeWith(payload)))).toBe("UNAUTHENTICATED");
    }
  });

  it("refuses a token signed with another secret", () => {
    const foreign = new QueueTokenCodec("another-secret-0123456789", 3600, clock).sign(claims);
    expect(codeOf(() => codec.verify(foreign))).toBe("UNAUTHENTICATED");
  });

  it("refuses a token older than the maximum age and accepts it just before", () => {
    const c = new FakeClock("2030-01-01T00:00:00Z");
    const codecAt = new QueueTokenCodec("secret-one-0123456789", 3600, c);
    const token = codecAt.sign(claims);
    c.advance(3600 * 1000);
    expect(codecAt.verify(token).ticketId).toBe(claims.ticketId);
    c.advance(1000);
    expect(codeOf(() => codecAt.verify(token))).toBe("UNAUTHENTICATED");
  });

  it("refuses a token issued far in the future", () => {
    const token = codec.sign({ ...claims, issuedAt: claims.issuedAt + 3600 });
    expect(codeOf(() => codec.verify(token))).toBe("UNAUTHENTICATED");
  });

  describe("remembered tokens (no HMAC for a token calling again)", () => {
    it("still judges a remembered token's age at every call", () => {
      const c = new FakeClock("2030-01-01T00:00:00Z");
      const codecAt = new QueueTokenCodec("secret-one-0123456789", 3600, c);
      const token = codecAt.sign(claims);
      expect(codecAt.verify(token).ticketId).toBe(claims.ticketId);
      expect(codecAt.rememberedTokens).toBe(1);
      c.advance(3601 * 1000);
      expect(codeOf(() => codecAt.verify(token))).toBe("UNAUTHENTICATED");
    });

    it("never remembers a refused token", () => {
      const codecAt = new QueueTokenCodec("secret-one-0123456789", 3600, clock);
      const [kid, body, sig] = codecAt.sign(claims).split(".");
      const forged = `${kid}.${body}.${sig!.slice(0, -2)}AA`;
      for (let i = 0; i < 3; i++) expect(codeOf(() => codecAt.verify(forged))).toBe("UNAUTHENTICATED");
      expect(codecAt.verify(`${kid}.${body}.${sig}`).seq).toBe(claims.seq);
      expect(codecAt.rememberedTokens).toBe(1);
    });

    it("keeps at most its capacity, dropping the oldest, which still verifies afterwards", () => {
      const codecAt = new QueueTokenCodec("secret-one-0123456789", 3600, clock, 3);
      const tokens = [1, 2, 3, 4, 5].map((seq) => codecAt.sign({ ...claims, seq }));
      for (const t of tokens) codecAt.verify(t);
      expect(codecAt.rememberedTokens).toBe(3);
      expect(codecAt.verify(tokens[0]!).seq).toBe(1);
      expect(codecAt.rememberedTokens).toBe(3);
    });

    it("hands every caller its own copy: changing one does not change the next answer", () => {
      const token = codec.sign(claims);
      const first = codec.verify(token);
      (first as { userId: string }).userId = "someone-else";
      expect(codec.verify(token)).toEqual({ token, ...claims });
    });
  });
});
