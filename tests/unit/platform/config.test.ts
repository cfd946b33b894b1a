import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_TOKEN_SECRET, loadConfig } from "../../../src/config.js";

describe("loadConfig", () => {
  it("gives the documented defaults for an empty environment", () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(4000);
    expect(config.HOST).toBe("0.0.0.0");
    expect(config.DATABASE_URL).toBe("mysql://root@127.0.0.1:3306/concert");
    expect(config.REDIS_PREFIX).toBe("concert:");
    expect(config.HOLD_SECONDS).toBe(300);
    expect(config.QUEUE_MAX_ACTIVE).toBe(100);
    expect(config.QUEUE_ADMIT_PER_TICK).toBe(50);
    expect(config.MAX_CHARGE).toBe(1_000_000);
    expect(config.MAX_BALANCE).toBe(10_000_000);
    expect(config.RATE_LIMIT_ENABLED).toBe(true);
    expect(config.GRAPHIQL_ENABLED).toBe(true);
    expect(config.TZ_BUSINESS).toBe("Asia/Seoul");
  });

  it("names the variable of a bad value", () => {
    expect(() => loadConfig({ HOLD_SECONDS: "soon" })).toThrow(/HOLD_SECONDS/);
    expect(() => loadConfig({ PORT: "70000" })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: "postgres://x/y" })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ TZ_BUSINESS: "Mars/Olympus" })).toThrow(/TZ_BUSINESS/);
    expect(() => loadConfig({ SEED_DEMO_DATA: "maybe" })).toThrow(ConfigError);
  });

  it("refuses the default token secret in production", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(/TOKEN_SECRET/);
    expect(() => loadConfig({ NODE_ENV: "production", TOKEN_SECRET: DEFAULT_TOKEN_SECRET })).toThrow(
      /TOKEN_SECRET/,
    );
    const config = loadConfig({ NODE_ENV: "production", TOKEN_SECRET: "a-real-secret-of-some-length" });
    expect(config.GRAPHIQL_ENABLED).toBe(false);
  });

  it("reads TOKEN_SECRETS newest first and then ignores TOKEN_SECRET", () => {
    expect(loadConfig({ TOKEN_SECRET: "only-secret-0123456789" }).TOKEN_SECRETS).toEqual([
      "only-secret-0123456789",
    ]);
    const config = loadConfig({
      TOKEN_SECRET: "ignored-secret-0123456789",
      TOKEN_SECRETS: "new-secret-0123456789, old-secret-0123456789",
    });
    expect(config.TOKEN_SECRETS).toEqual(["new-secret-0123456789", "old-secret-0123456789"]);
    expect(() => loadConfig({ TOKEN_SECRETS: "new-secret-0123456789,short" })).toThrow(
      /TOKEN_SECRETS.1: every secret must be at least 16 characters/,
    );
    expect(() => loadConfig({ TOKEN_SECRETS: "new-secret-0123456789,new-secret-0123456789" })).toThrow(
      /TOKEN_SECRETS: a secret is listed twice/,
    );
  });

  it("refuses the default token secret in production in either form", () => {
    expect(() =>
      loadConfig({
        NODE_ENV: "production",
        TOKEN_SECRETS: `a-real-secret-of-some-length,${DEFAULT_TOKEN_SECRET}`,
      }),
    ).toThrow(/TOKEN_SECRETS: must be set to a secret of your own/);
    const config = loadConfig({
      NODE_ENV: "production",
      TOKEN_SECRETS: "a-real-secret-of-some-length,an-older-real-secret-0123",
    });
    expect(config.TOKEN_SECRETS).toHaveLength(2);
  });

  it("turns rate limits off under NODE_ENV=test unless set explicitly", () => {
    expect(loadConfig({ NODE_ENV: "test" }).RATE_LIMIT_ENABLED).toBe(false);
    expect(loadConfig({ NODE_ENV: "test", RATE_LIMIT_ENABLED: "true" }).RATE_LIMIT_ENABLED).toBe(true);
    expect(loadConfig({ RATE_LIMIT_ENABLED: "false" }).RATE_LIMIT_ENABLED).toBe(false);
  });

  it("lets GRAPHIQL_ENABLED=true win in production", () => {
    const config = loadConfig({
      NODE_ENV: "production",
      TOKEN_SECRET: "x".repeat(32),
      GRAPHIQL_ENABLED: "true",
    });
    expect(config.GRAPHIQL_ENABLED).toBe(true);
  });
});

describe("OPERATOR_KEYS", () => {
  const secret = "s".repeat(32);

  it("is empty when unset and parses name:secret pairs", () => {
    expect(loadConfig({}).OPERATOR_KEYS).toEqual([]);
    expect(loadConfig({ OPERATOR_KEYS: `alice:${secret}, bob_2:${"t".repeat(40)}` }).OPERATOR_KEYS).toEqual([
      { name: "alice", secret },
      { name: "bob_2", secret: "t".repeat(40) },
    ]);
    // A secret may itself contain colons: only the first one splits.
    expect(loadConfig({ OPERATOR_KEYS: `ops:${secret}:x` }).OPERATOR_KEYS).toEqual([
      { name: "ops", secret: `${secret}:x` },
    ]);
  });

  it.each([
    ["no colon", "alice", /entry 1 must be name:secret/],
    ["a short secret", `alice:${"s".repeat(31)}`, /at least 32 characters/],
    ["an upper-case name", `Alice:${secret}`, /name must match/],
    ["a 33-character name", `${"a".repeat(33)}:${secret}`, /name must match/],
    ["an empty entry", `alice:${secret},`, /entry 2 must be name:secret/],
    ["a name twice", `a:${secret},a:${"t".repeat(32)}`, /given twice/],
    ["a secret twice", `a:${secret},b:${secret}`, /used twice/],
  ])("refuses %s, naming the variable and never the secret", (_case, value, reason) => {
    let message = "";
    try {
      loadConfig({ OPERATOR_KEYS: value });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/OPERATOR_KEYS: /);
    expect(message).toMatch(reason);
    expect(message).not.toContain(secret);
  });
});
