import { hash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Clock } from "../../platform/clock.js";
import { userErrors } from "./user.errors.js";
import type { UserRepository } from "./user.repository.js";
import { VerifiedKeys } from "./verified-keys.js";

export const MAX_NAME_LENGTH = 100;
/** 32 random bytes = 256 bits, far beyond guessing; base64url keeps it copy-paste safe. */
const ACCESS_KEY_BYTES = 32;
/** Compared against when the user is unknown, so both paths take the same time. */
const DUMMY_HASH = "0".repeat(64);
/** Verified keys are trusted for this long without SQL, at most this many (about 150 bytes each). */
const VERIFIED_KEY_MS = 60_000;
const VERIFIED_KEY_CAPACITY = 100_000;

export interface SignUpResult {
  userId: string;
  accessKey: string;
}

/** What the queue asks of users: is this the holder of that user's access key? */
export interface AccessKeyVerifier {
  /** Throws UNAUTHENTICATED for a wrong key or an unknown (or malformed) user id. */
  verifyAccessKey(userId: string, accessKey: string): Promise<void>;
}

export const sha256Hex = (text: string) => hash("sha256", text, "hex");

export interface UserServiceDeps {
  users: UserRepository;
  clock: Clock;
  /** How long a verified key is trusted without SQL (0: never cached). */
  verifiedKeyMs?: number;
  /** At most this many verified keys are remembered. */
  verifiedKeyCapacity?: number;
}

export class UserService implements AccessKeyVerifier {
  private readonly users: UserRepository;
  private readonly verified: VerifiedKeys;

  constructor(deps: UserServiceDeps) {
    this.users = deps.users;
    this.verified = new VerifiedKeys(
      deps.clock,
      deps.verifiedKeyMs ?? VERIFIED_KEY_MS,
      deps.verifiedKeyCapacity ?? VERIFIED_KEY_CAPACITY,
    );
  }

  async signUp(name: string | null | undefined): Promise<SignUpResult> {
    const trimmed = name?.trim() ?? "";
    if (name != null && (trimmed.length === 0 || trimmed.length > MAX_NAME_LENGTH)) {
      throw userErrors.badName(MAX_NAME_LENGTH);
    }
    // A fast hash is right for a random 256-bit key (nothing to brute-force), and a slow one
    // would cap queue entry at a few dozen per second.
    const accessKey = randomBytes(ACCESS_KEY_BYTES).toString("base64url");
    const user = await this.users.createWithWallet(trimmed || null, sha256Hex(accessKey));
    return { userId: user.id, accessKey };
  }

  /** A key verified within the last VERIFIED_KEY_MS is accepted without SQL (verified-keys.ts). */
  async verifyAccessKey(userId: string, accessKey: string): Promise<void> {
    const plausible = userId.length > 0 && userId.length <= 64 && accessKey.length <= 256;
    const givenHex = sha256Hex(accessKey);
    if (plausible && this.verified.has(userId, givenHex)) return;
    const stored = plausible ? await this.users.findAccessKeyHash(userId) : null;
    const given = Buffer.from(givenHex, "hex");
    const expected = Buffer.from(stored ?? DUMMY_HASH, "hex");
    const same = expected.length === given.length && timingSafeEqual(given, expected);
    if (!stored || !same) {
      throw userErrors.wrongAccessKey();
    }
    this.verified.add(userId, givenHex);
  }
}
