// Who is calling the Operator API: the name of the OPERATOR_KEYS entry whose secret the caller
// sent. Secrets are compared in constant time over their SHA-256 digests (equal lengths, so
// neither the content nor the length of a key leaks through timing) and never logged.
import { createHash, timingSafeEqual } from "node:crypto";
import type { GraphQLContext } from "../../platform/graphql/context.js";
import type { AuthFailureStore } from "./auth-failures.store.js";
import type { OperatorKey } from "./operator-keys.js";
import { noOperatorKeys, operatorKeyMissing, operatorKeyWrong, tooManyFailures } from "./operator.errors.js";

/** The operator behind a call; `name` is what the audit log records. */
export interface Operator {
  name: string;
}

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

export class OperatorAuth {
  private readonly keys: { name: string; digest: Buffer }[];
  /** One verdict per request context, so a document with several fields counts one failure. */
  private readonly verdicts = new WeakMap<GraphQLContext, Promise<Operator>>();

  constructor(
    keys: readonly OperatorKey[],
    private readonly failures: AuthFailureStore,
  ) {
    this.keys = keys.map((k) => ({ name: k.name, digest: digest(k.secret) }));
  }

  /** The operator of this request (UNAUTHENTICATED / RATE_LIMITED otherwise), decided once per request. */
  operator(ctx: GraphQLContext): Promise<Operator> {
    let verdict = this.verdicts.get(ctx);
    if (!verdict) {
      verdict = this.authenticate(ctx.token, ctx.ip);
      this.verdicts.set(ctx, verdict);
    }
    return verdict;
  }

  /**
   * Checks `secret` (the bearer credential) from `ip`. An IP past its failure budget is refused
   * before its key is looked at; a missing or wrong key counts one failure.
   */
  async authenticate(secret: string | null, ip: string): Promise<Operator> {
    if (this.keys.length === 0) throw noOperatorKeys();
    const blockedMs = await this.failures.blockedFor(ip);
    if (blockedMs !== null) throw tooManyFailures(Math.ceil(blockedMs / 1000));
    const match = secret === null ? undefined : this.match(digest(secret));
    if (match) return { name: match };
    await this.failures.fail(ip);
    throw secret === null ? operatorKeyMissing() : operatorKeyWrong();
  }

  /** Compares against every key (no early exit), so the time does not say which one matched. */
  private match(candidate: Buffer): string | undefined {
    let found: string | undefined;
    for (const key of this.keys) {
      if (timingSafeEqual(key.digest, candidate) && found === undefined) found = key.name;
    }
    return found;
  }
}
