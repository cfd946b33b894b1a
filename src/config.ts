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
  /** json: one JSON object per line (production, log shippers); pretty: for people (npm run dev). */
  LOG_FORMAT: z.enum(["json", "pretty"]).default("json"),
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
  /** Redis Cluster seed nodes, `host:port,host:port`; when set, REDIS_URL is unused. */
  REDIS_CLUSTER_NODES: z
    .string()
    .transform((v) => v.split(",").map((s) => s.trim()))
    .pipe(
      z
        .array(
          z
            .string()
            .regex(/^[^\s:/]+:\d{1,5}$/, "every seed must be host:port")
            .transform((hp) => {
              const at = hp.lastIndexOf(":");
              return { host: hp.slice(0, at), port: Number(hp.slice(at + 1)) };
            }),
        )
        .min(1),
    )
    .optional(),
  /** Password of the cluster's nodes (with REDIS_CLUSTER_NODES; REDIS_URL carries its own). */
  REDIS_PASSWORD: z.string().min(1).optional(),
  /**
   * After a write that changes a ticket, wait until this many replicas have it (WAIT), so a
   * failover keeps every place that was answered. Default: 1 on a cluster, 0 on a single node.
   */
  REDIS_WAIT_REPLICAS: int(0, 10).optional(),
  REDIS_WAIT_TIMEOUT_MS: int(1, 10_000).default(200),
  TOKEN_SECRET: z.string().min(16, "must be at least 16 characters").default(DEFAULT_TOKEN_SECRET),
  /** Newest first: the first signs queue tokens, every one verifies them. Replaces TOKEN_SECRET. */
  TOKEN_SECRETS: z
    .string()
    .transform((v) => v.split(",").map((s) => s.trim()))
    .pipe(
      z
        .array(z.string().min(16, "every secret must be at least 16 characters"))
        .min(1)
        .max(10, "at most 10 secrets (one signs, the rest only verify while they are retired)")
        .refine((list) => new Set(list).size === list.length, "a secret is listed twice"),
    )
    .optional(),
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
export interface Config extends Omit<
  RawConfig,
  "RATE_LIMIT_ENABLED" | "GRAPHIQL_ENABLED" | "TOKEN_SECRETS" | "REDIS_WAIT_REPLICAS"
> {
  RATE_LIMIT_ENABLED: boolean;
  /** REDIS_WAIT_REPLICAS with its default: 1 on a cluster, 0 on a single node. */
  REDIS_WAIT_REPLICAS: number;
  GRAPHIQL_ENABLED: boolean;
  /** The queue token secrets, newest first: TOKEN_SECRETS when set, else [TOKEN_SECRET]. */
  TOKEN_SECRETS: string[];
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
  const secrets = raw.TOKEN_SECRETS ?? [raw.TOKEN_SECRET];
  if (production && secrets.includes(DEFAULT_TOKEN_SECRET)) {
    const name = raw.TOKEN_SECRETS ? "TOKEN_SECRETS" : "TOKEN_SECRET";
    throw new ConfigError(
      `Invalid configuration:\n  ${name}: must be set to a secret of your own when NODE_ENV=production`,
    );
  }
  return {
    ...raw,
    TOKEN_SECRETS: secrets,
    REDIS_WAIT_REPLICAS: raw.REDIS_WAIT_REPLICAS ?? (raw.REDIS_CLUSTER_NODES ? 1 : 0),
    RATE_LIMIT_ENABLED: raw.RATE_LIMIT_ENABLED ?? raw.NODE_ENV !== "test",
    GRAPHIQL_ENABLED: raw.GRAPHIQL_ENABLED ?? !production,
  };
}
