import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../src/platform/clock.js";
import { DomainError } from "../../../src/platform/errors.js";
import type { UserRepository } from "../../../src/modules/user/user.repository.js";
import { sha256Hex, UserService } from "../../../src/modules/user/user.service.js";

class FakeUsers implements UserRepository {
  readonly rows = new Map<string, { name: string | null; hash: string; wallet: number }>();
  async createWithWallet(name: string | null, accessKeyHash: string) {
    const id = `user-${this.rows.size + 1}`;
    this.rows.set(id, { name, hash: accessKeyHash, wallet: 0 });
    return { id };
  }
  reads = 0;
  async findAccessKeyHash(userId: string) {
    this.reads += 1;
    return this.rows.get(userId)?.hash ?? null;
  }
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (error) {
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

describe("user service", () => {
  it("creates a user with a wallet and a random key of at least 128 bits, stored only as SHA-256", async () => {
    const users = new FakeUsers();
    const service = new UserService({ users, clock: new FakeClock() });
    const a = await service.signUp("  Lee  ");
    const b = await service.signUp(null);
    expect(Buffer.from(a.accessKey, "base64url").length).toBeGreaterThanOrEqual(16);
    expect(a.accessKey).not.toBe(b.accessKey);
    const row = users.rows.get(a.userId)!;
    expect(row).toEqual({ name: "Lee", hash: sha256Hex(a.accessKey), wallet: 0 });
    expect(users.rows.get(b.userId)!.name).toBeNull();
  });

  it("refuses a blank or over-long name with BAD_USER_INPUT", async () => {
    const service = new UserService({ users: new FakeUsers(), clock: new FakeClock() });
    expect(await codeOf(service.signUp(""))).toBe("BAD_USER_INPUT");
    expect(await codeOf(service.signUp("x".repeat(101)))).toBe("BAD_USER_INPUT");
    expect(await codeOf(service.signUp("x".repeat(100)))).toBeUndefined();
  });

  it("accepts the right key and refuses a wrong key or unknown user with UNAUTHENTICATED", async () => {
    const service = new UserService({ users: new FakeUsers(), clock: new FakeClock() });
    const u = await service.signUp("Park");
    await expect(service.verifyAccessKey(u.userId, u.accessKey)).resolves.toBeUndefined();
    expect(await codeOf(service.verifyAccessKey(u.userId, `${u.accessKey}x`))).toBe("UNAUTHENTICATED");
    expect(await codeOf(service.verifyAccessKey("user-999", u.accessKey))).toBe("UNAUTHENTICATED");
    expect(await codeOf(service.verifyAccessKey("", u.accessKey))).toBe("UNAUTHENTICATED");
    expect(await codeOf(service.verifyAccessKey("x".repeat(500), u.accessKey))).toBe("UNAUTHENTICATED");
  });

  it("accepts a key verified within the cache lifetime without reading the user again", async () => {
    const users = new FakeUsers();
    const clock = new FakeClock();
    const service = new UserService({ users, clock, verifiedKeyMs: 60_000 });
    const u = await service.signUp("Kim");
    await service.verifyAccessKey(u.userId, u.accessKey);
    await service.verifyAccessKey(u.userId, u.accessKey);
    clock.advance(59_999);
    await service.verifyAccessKey(u.userId, u.accessKey);
    expect(users.reads).toBe(1);
    clock.advance(1);
    await service.verifyAccessKey(u.userId, u.accessKey);
    expect(users.reads).toBe(2);
  });

  it("never caches a refusal: a wrong key is read and refused every time, the right key still passes", async () => {
    const users = new FakeUsers();
    const service = new UserService({ users, clock: new FakeClock() });
    const u = await service.signUp("Choi");
    await service.verifyAccessKey(u.userId, u.accessKey);
    expect(await codeOf(service.verifyAccessKey(u.userId, "wrong"))).toBe("UNAUTHENTICATED");
    expect(await codeOf(service.verifyAccessKey(u.userId, "wrong"))).toBe("UNAUTHENTICATED");
    expect(users.reads).toBe(3);
    expect(await codeOf(service.verifyAccessKey(u.userId, u.accessKey))).toBeUndefined();
    expect(users.reads).toBe(3);
  });

  it("forgets the oldest verified keys beyond its capacity", async () => {
    const users = new FakeUsers();
    const service = new UserService({ users, clock: new FakeClock(), verifiedKeyCapacity: 2 });
    const [a, b, c] = [await service.signUp("a"), await service.signUp("b"), await service.signUp("c")];
    for (const u of [a, b, c]) await service.verifyAccessKey(u.userId, u.accessKey);
    expect(users.reads).toBe(3);
    await service.verifyAccessKey(c.userId, c.accessKey);
    await service.verifyAccessKey(b.userId, b.accessKey);
    expect(users.reads).toBe(3);
    await service.verifyAccessKey(a.userId, a.accessKey);
    expect(users.reads).toBe(4);
  });
});
