import { describe, expect, it } from "vitest";
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
  async findAccessKeyHash(userId: string) {
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
    const service = new UserService(users);
    const a = await service.signUp("  Lee  ");
    const b = await service.signUp(null);
    expect(Buffer.from(a.accessKey, "base64url").length).toBeGreaterThanOrEqual(16);
    expect(a.accessKey).not.toBe(b.accessKey);
    const row = users.rows.get(a.userId)!;
    expect(row).toEqual({ name: "Lee", hash: sha256Hex(a.accessKey), wallet: 0 });
    expect(users.rows.get(b.userId)!.name).toBeNull();
  });

  it("refuses a blank or over-long name with BAD_USER_INPUT", async () => {
    const service = new UserService(new FakeUsers());
    expect(await codeOf(service.signUp(""))).toBe("BAD_USER_INPUT");
    expect(await codeOf(service.signUp("x".repeat(101)))).toBe("BAD_USER_INPUT");
    expect(await codeOf(service.signUp("x".repeat(100)))).toBeUndefined();
  });

  it("accepts the right key and refuses a wrong key or unknown user with UNAUTHENTICATED", async () => {
    const service = new UserService(new FakeUsers());
    const u = await service.signUp("Park");
    await expect(service.verifyAccessKey(u.userId, u.accessKey)).resolves.toBeUndefined();
    expect(await codeOf(service.verifyAccessKey(u.userId, `${u.accessKey}x`))).toBe("UNAUTHENTICATED");
    expect(await codeOf(service.verifyAccessKey("user-999", u.accessKey))).toBe("UNAUTHENTICATED");
    expect(await codeOf(service.verifyAccessKey("", u.accessKey))).toBe("UNAUTHENTICATED");
    expect(await codeOf(service.verifyAccessKey("x".repeat(500), u.accessKey))).toBe("UNAUTHENTICATED");
  });
});
