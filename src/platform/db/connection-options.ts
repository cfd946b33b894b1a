import type { PoolConfig } from "mariadb";

/**
 * Translates a `mysql://user:pass@host:port/db?opt=...` URL into the `mariadb` driver's
 * options. The driver does not read MySQL-style URLs itself, and MySQL 8's default
 * `caching_sha2_password` over plain TCP needs `allowPublicKeyRetrieval`.
 */
export function poolConfigFromUrl(url: string, extra: Partial<PoolConfig> = {}): PoolConfig {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ""));
  return {
    host: u.hostname || "127.0.0.1",
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || "root"),
    password: decodeURIComponent(u.password),
    ...(database ? { database } : {}),
    allowPublicKeyRetrieval: true,
    connectTimeout: 5000,
    acquireTimeout: 10_000,
    // Times come back and go in as UTC instants; business-day logic is in TZ_BUSINESS.
    timezone: "Z",
    ...(u.searchParams.get("ssl") === "true" ? { ssl: { rejectUnauthorized: true } } : {}),
    ...extra,
  };
}

/** The database name of a URL, checked to be a plain identifier (it is used in DDL). */
export function databaseNameOf(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ""));
  if (!/^[A-Za-z0-9_]{1,64}$/.test(name)) {
    throw new Error(`DATABASE_URL must name a database of letters, digits and _ (got "${name}")`);
  }
  return name;
}
