// OperatorAuth with an in-memory failure store: which key matches, what counts as a failure,
// and that a blocked address is refused before its key is looked at.
import { describe, expect, it } from "vitest";
import type { AuthFailureStore } from "../../../src/modules/operator/auth-failures.store.js";
import { OperatorAuth } from "../../../src/modules/operator/operator-auth.js";
import type { GraphQLContext } from "../../../src/platform/graphql/context.js";
import { DomainError } from "../../../src/platform/errors.js";

class MemoryFailures implements AuthFailureStore {
  readonly counts = new Map<string, number>();
  constructor(private readonly limit: number) {}
  async blockedFor(ip: string) {
    return (this.counts.get(ip) ?? 0) >= this.limit ? 30_500 : null;
  }
  async fail(ip: string) {
    this.counts.set(ip, (this.counts.get(ip) ?? 0) + 1);
  }
}

const A = { name: "alice", secret: "a".repeat(32) };
const B = { name: "bob", secret: "b".repeat(40) };
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "OK",
    (e: unknown) => (e instanceof DomainError ? e.code : "THROWN"),
  );

describe("OperatorAuth", () => {
  it("names the operator whose secret was sent, whatever the lengths", async () => {
    const auth = new OperatorAuth([A, B], new MemoryFailures(3));
    expect(await auth.authenticate(A.secret, "1.1.1.1")).toEqual({ name: "alice" });
    expect(await auth.authenticate(B.secret, "1.1.1.1")).toEqual({ name: "bob" });
  });

  it("counts a missing, wrong, prefixed or extended secret as one failure each", async () => {
    const failures = new MemoryFailures(10);
    const auth = new OperatorAuth([A], failures);
    for (const secret of [null, "nope", A.secret.slice(1), `${A.secret}a`]) {
      expect(await codeOf(auth.authenticate(secret, "2.2.2.2"))).toBe("UNAUTHENTICATED");
    }
    expect(failures.counts.get("2.2.2.2")).toBe(4);
  });

  it("refuses a blocked address with RATE_LIMITED and retryAfterSeconds, even with the right key", async () => {
    const failures = new MemoryFailures(1);
    const auth = new OperatorAuth([A], failures);
    await codeOf(auth.authenticate("wrong", "3.3.3.3"));
    const error = await auth.authenticate(A.secret, "3.3.3.3").catch((e: unknown) => e as DomainError);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("RATE_LIMITED");
    expect((error as DomainError).details).toEqual({ retryAfterSeconds: 31 });
    expect(failures.counts.get("3.3.3.3")).toBe(1);
    expect(await auth.authenticate(A.secret, "4.4.4.4")).toEqual({ name: "alice" });
  });

  it("says no keys are configured when OPERATOR_KEYS is empty, counting nothing", async () => {
    const failures = new MemoryFailures(1);
    const auth = new OperatorAuth([], failures);
    const error = (await auth.authenticate("anything", "5.5.5.5").catch((e: unknown) => e)) as DomainError;
    expect(error.code).toBe("UNAUTHENTICATED");
    expect(error.message).toMatch(/no operator keys are configured/);
    expect(failures.counts.size).toBe(0);
  });

  it("decides once per request context", async () => {
    const failures = new MemoryFailures(10);
    const auth = new OperatorAuth([A], failures);
    const ctx = { token: "wrong", ip: "6.6.6.6" } as GraphQLContext;
    await Promise.all([1, 2, 3].map(() => codeOf(auth.operator(ctx))));
    expect(failures.counts.get("6.6.6.6")).toBe(1);
  });
});
