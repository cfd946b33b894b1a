// How MariaDB's answers reach us through Prisma 7's driver adapter, checked by experiment:
// the ORM's own calls report a duplicate key as P2002; a raw statement fails with P2010 whose
// meta.driverAdapterError.cause is { originalCode: "1062", kind: "UniqueConstraintViolation",
// constraint: { index: "<index name>" } }. Statements sent through `Sql` (the driver itself)
// fail with the driver's SqlError: errno 1062 and the server's message. All carry the server's
// own error number, which is what these helpers read.
import { Prisma } from "./prisma.js";
import { isDeadlock } from "./sql.js";

interface AdapterCause {
  originalCode?: string;
  kind?: string;
  constraint?: { index?: string };
  originalMessage?: string;
}

function adapterCause(error: unknown): AdapterCause | undefined {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return undefined;
  const meta = error.meta as { driverAdapterError?: { cause?: AdapterCause } } | undefined;
  return meta?.driverAdapterError?.cause;
}

/**
 * The index named by a duplicate-key message: MariaDB says `for key 'name'`, MySQL 8
 * `for key 'table.name'`.
 */
function indexOfMessage(message: string): string {
  const key = /for key '([^']+)'/.exec(message)?.[1] ?? "";
  return key.slice(key.lastIndexOf(".") + 1);
}

/**
 * The name of the unique index that refused a row, or null when `error` is not a duplicate key;
 * for Prisma's errors and for the driver's own (statements sent through `Sql`).
 */
export function violatedUniqueIndex(error: unknown): string | null {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) {
    const driver = error as { errno?: unknown; sqlMessage?: unknown } | null;
    if (driver?.errno !== 1062) return null;
    return indexOfMessage(typeof driver.sqlMessage === "string" ? driver.sqlMessage : "");
  }
  const cause = adapterCause(error);
  if (error.code !== "P2002" && cause?.originalCode !== "1062") return null;
  if (cause?.constraint?.index) return cause.constraint.index;
  return indexOfMessage(cause?.originalMessage ?? error.message);
}

/** A unique index (MySQL 1062) refused the row; `index` narrows it to one index by name. */
export function isUniqueViolation(error: unknown, index?: string): boolean {
  const violated = violatedUniqueIndex(error);
  if (violated === null) return false;
  return index === undefined || violated === index;
}

/**
 * A deadlock (1213) or lock wait timeout (1205): InnoDB rolled the transaction back and the
 * whole transaction may simply be run again.
 */
export function isRetryableTransactionError(error: unknown): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (error.code === "P2034") return true;
  const code = adapterCause(error)?.originalCode;
  return code === "1213" || code === "1205";
}

/** The driver's own error number (statements sent through `Sql` fail with its SqlError). */
const errnoOf = (error: unknown) => (error as { errno?: unknown } | null)?.errno;

/**
 * A deadlock (1213) or a lock wait timeout (1205), from the driver or through Prisma, that
 * reached a caller after the retries: MySQL is busy, not broken. The statement or transaction
 * that lost was rolled back, so the client may ask again (SERVICE_UNAVAILABLE): a hold or a
 * cancel is decided anew by its conditional statement, money moves carry idempotency keys.
 */
export function isLockConflict(error: unknown): boolean {
  return isRetryableTransactionError(error) || isDeadlock(error) || errnoOf(error) === 1205;
}

/**
 * The driver's pool gave no connection within its acquireTimeout (mariadb 45028): the
 * transaction never began, so asking again is safe.
 */
export function isPoolTimeout(error: unknown): boolean {
  return adapterCause(error)?.originalCode === "45028";
}
