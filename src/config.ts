// Typed, validated configuration, read once at start. A bad value stops the process with a
// message that names the variable (see loadConfig).
import { z } from "zod";
import { parseOperatorKeys, type OperatorKey } from "./modules/operator/operator-keys.js";

export const DEFAULT_TOKEN_SECRET = "dev-only-secret-change-me-in-production";

const bool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** Every environment variable the service reads, with its default. */
export const configSchema = z.object({
  PORT: int(0, 65535).default(4000),
  HOST: z.string().min(1).default("0.0.0.0"),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  TRUST_PROXY: bool.default(false),
  DATABASE_URL: z
    .string()
    .regex(/^(mysql|mariadb):\/\//, "must be a mysql:// or mariadb:// URL")
    .default("mysql://root@127.0.0.1:3306/concert"),
  DATABASE_POOL_SIZE: int(1, 500).default(20),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// URL")
    .default("redis://127.0.0.1:6379"),
  REDIS_PREFIX: z.string().max(100).default("concert:"),
  TOKEN_SECRET: z.string().min(16, "must be at least 16 characters").default(DEFAULT_TOKEN_SECRET),
  HOLD_SECONDS: int(1, 86_400).default(300),
  QUEUE_MAX_ACTIVE: int(1, 1_000_000).default(100),
  QUEUE_ADMIT_PER_TICK: int(1, 1_000_000).default(50),
  QUEUE_TICK_MS: int(10, 3_600_000).default(1000),
  QUEUE_ACTIVE_SECONDS: int(1, 86_400).default(600),
  QUEUE_IDLE_SECONDS: int(1, 86_400).default(60),
  SEED_DEMO_DATA: bool.default(true),
  MAX_CHARGE: int(1, 2_000_000_000).default(1_000_000),
  MAX_BALANCE: int(1, 2_000_000_000).default(10_000_000),
  RATE_LIMIT_ENABLED: bool.optional(),
  RATE_LIMIT_IP_PER_SECOND: int(1, 1_000_000).default(200),
  RATE_LIMIT_USER_PER_SECOND: int(1, 1_000_000).default(20),
  TOKEN_MAX_AGE_SECONDS: int(1, 31_536_000).default(86_400),
  GRAPHIQL_ENABLED: bool.optional(),
  TZ_BUSINESS: z
    .string()
    .refine(isTimeZone, "must be an IANA time zone such as Asia/Seoul")
    .default("Asia/Seoul"),
  SHUTDOWN_GRACE_MS: int(0, 120_000).default(5000),
  /** `name:secret,...` for the Operator API; unset: every operator call is UNAUTHENTICATED. */
  OPERATOR_KEYS: z
    .string()
    .transform((value, ctx): OperatorKey[] => {
      const parsed = parseOperatorKeys(value);
      if ("keys" in parsed) return parsed.keys;
      ctx.addIssue({ code: "custom", message: parsed.error });
      return z.NEVER;
    })
    .default([]),
  /** Failed operator authentications one IP may make per minute before it is RATE_LIMITED. */
  OPERATOR_AUTH_FAILURES_PER_MINUTE: int(1, 10_000).default(10),
});

export type RawConfig = z.infer<typeof configSchema>;
export interface Config extends Omit<RawConfig, "RATE_LIMIT_ENABLED" | "GRAPHIQL_ENABLED"> {
  RATE_LIMIT_ENABLED: boolean;
  GRAPHIQL_ENABLED: boolean;
}

export class ConfigError extends Error {}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Reads and validates the environment. Throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== "") input[key] = value;
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const raw = parsed.data;
  const production = raw.NODE_ENV === "production";
  if (production && raw.TOKEN_SECRET === DEFAULT_TOKEN_SECRET) {
    throw new ConfigError(
      "Invalid configuration:\n  TOKEN_SECRET: must be set to a secret of your own when NODE_ENV=production",
    );
  }
  return {
    ...raw,
    RATE_LIMIT_ENABLED: raw.RATE_LIMIT_ENABLED ?? raw.NODE_ENV !== "test",
    GRAPHIQL_ENABLED: raw.GRAPHIQL_ENABLED ?? !production,
  };
}
