// Start-up checks of the two servers the service needs. Unreachable at start, the process stops
// with one line a person can act on: the variable, the host and port (never the password), and
// how to get the server (the README's one-liners). Once started, outages are survived instead
// (/readyz says 503, operations answer SERVICE_UNAVAILABLE).
import type { Redis } from "./redis/redis.js";

/** A dependency that cannot be reached at start: the message is the one line to print. */
export class UnreachableError extends Error {}

/** Connection failures of the mariadb driver and Node's sockets (not SQL errors). */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ER_CONNECTION_TIMEOUT",
  "ER_GET_CONNECTION_TIMEOUT",
  "ER_SOCKET_UNEXPECTED_CLOSE",
]);
const ACCESS_DENIED = new Set(["ER_ACCESS_DENIED_ERROR", "ER_DBACCESS_DENIED_ERROR"]);

const HOW_TO = {
  DATABASE_URL:
    'Start one and try again (Debian/Ubuntu: "sudo apt-get install -y mariadb-server"; Docker: "docker compose up -d db"), or set DATABASE_URL to yours.',
  REDIS_URL:
    'Start one and try again (Debian/Ubuntu: "sudo apt-get install -y redis-server"; Docker: "docker compose up -d redis"), or set REDIS_URL to yours.',
} as const;

/** host:port of a URL, without its user or password. */
export function hostAndPort(url: string, defaultPort: number): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || defaultPort}`;
  } catch {
    return "(unparsable URL)";
  }
}

const codeOf = (error: unknown): string | undefined =>
  typeof error === "object" && error !== null && "code" in error && typeof error.code === "string"
    ? error.code
    : undefined;

/** Runs `work` (the migration, the first use of MySQL); a connection failure becomes UnreachableError. */
export async function withMysql<T>(databaseUrl: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const code = codeOf(error);
    const where = `MySQL/MariaDB at ${hostAndPort(databaseUrl, 3306)} (DATABASE_URL)`;
    if (code && NETWORK_CODES.has(code))
      throw new UnreachableError(`Cannot reach ${where}: ${code}. ${HOW_TO.DATABASE_URL}`, { cause: error });
    if (code && ACCESS_DENIED.has(code))
      throw new UnreachableError(
        `${where} refused the user or password of DATABASE_URL: ${code}. Fix DATABASE_URL or the server's grants.`,
        { cause: error },
      );
    throw error;
  }
}

/**
 * Pings Redis through `clients[0]`, listening to every client's connection errors meanwhile (so
 * ioredis prints no "Unhandled error event"). Resolves with a function that removes those
 * listeners once the caller has attached its own; a failure keeps them.
 */
export async function checkRedis(redisUrl: string, clients: Redis[]): Promise<() => void> {
  let last: unknown;
  const listener = (error: unknown) => (last = error);
  for (const c of clients) c.on("error", listener);
  try {
    await clients[0]!.ping();
  } catch (error) {
    const code = codeOf(last) ?? codeOf(error) ?? (error instanceof Error ? error.message : String(error));
    throw new UnreachableError(
      `Cannot reach Redis at ${hostAndPort(redisUrl, 6379)} (REDIS_URL): ${code}. ${HOW_TO.REDIS_URL}`,
      { cause: error },
    );
  }
  return () => {
    for (const c of clients) c.off("error", listener);
  };
}
