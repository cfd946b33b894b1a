// Per-IP and per-user request limits (RATE_LIMIT_* in docs/api.md) for HTTP and WebSocket.
import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import type { NextFunction, Request, Response } from "express";
import { DomainError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { RateLimitStore } from "./rate-limit.store.js";

const rateLimited = (retryAfterSeconds: number) =>
  new DomainError(
    "RATE_LIMITED",
    `Too many requests; wait ${retryAfterSeconds} second(s) and retry. The waiting queue keeps your place meanwhile.`,
    { retryAfterSeconds },
  );

export class RateLimiter {
  /**
   * @param userOf the user a token was signed for, or null for a missing or invalid token
   *   (those are only limited per IP: a forged token must not spend a real user's budget).
   */
  constructor(
    private readonly store: RateLimitStore,
    private readonly userOf: (token: string | null) => string | null,
    private readonly log: Logger,
  ) {}

  /** RATE_LIMITED when the IP or the token's user is over its budget, else null. */
  async check(ip: string, token: string | null): Promise<DomainError | null> {
    const user = this.userOf(token);
    const [ipWait, userWait] = await Promise.all([
      this.store.consume("ip", ip),
      user === null ? Promise.resolve(null) : this.store.consume("user", user),
    ]);
    const waitMs = Math.max(ipWait ?? 0, userWait ?? 0);
    if (waitMs === 0) return null;
    this.log.debug({ ip, limitedBy: ipWait ? "ip" : "user" }, "rate limited");
    return rateLimited(Math.ceil(waitMs / 1000));
  }

  /** The Retry-After of a refusal, in whole seconds. */
  private static seconds(limited: DomainError): number {
    return Number(limited.details["retryAfterSeconds"] ?? 1);
  }

  /**
   * `verifyClient` for the WebSocket server: every handshake spends one point of its IP's
   * budget (the HTTP budget), so a client cannot open connections without limit; over budget
   * the upgrade is answered 429 with Retry-After and no socket is created.
   */
  verifyUpgrade(ipOf: (req: IncomingMessage) => string) {
    return (
      info: { req: IncomingMessage },
      done: (ok: boolean, status?: number, message?: string, headers?: OutgoingHttpHeaders) => void,
    ) => {
      this.check(ipOf(info.req), null).then(
        (limited) => {
          if (!limited) return done(true);
          done(false, 429, "Too Many Requests", { "retry-after": String(RateLimiter.seconds(limited)) });
        },
        (error: unknown) => {
          this.log.error({ err: error }, "rate limiter failed; WebSocket handshake let through");
          done(true);
        },
      );
    };
  }

  /**
   * Express middleware for /graphql: answers 429 with a GraphQL error body and Retry-After
   * before the body is even parsed, so a flood costs as little as possible.
   */
  middleware(tokenOf: (req: Request) => string | null) {
    return (req: Request, res: Response, next: NextFunction) => {
      this.check(req.ip ?? req.socket.remoteAddress ?? "unknown", tokenOf(req)).then(
        (limited) => {
          if (!limited) return next();
          const seconds = RateLimiter.seconds(limited);
          res
            .status(429)
            .set("retry-after", String(seconds))
            .json({
              errors: [{ message: limited.message, extensions: { code: limited.code, ...limited.details } }],
            });
        },
        (error: unknown) => {
          // Fail open: the limiter already falls back to memory when Redis is away, so this is
          // a bug; refusing every request over it would turn a bug into an outage.
          this.log.error({ err: error }, "rate limiter failed; request let through");
          next();
        },
      );
    };
  }
}
