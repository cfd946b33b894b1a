// How MariaDB's answers reach us through Prisma's driver adapter. The ORM reports a duplicate
// key as P2002 and a raw statement as P2010; both carry the server's own error number, which is
// what these helpers read (checked by experiment against MariaDB 10/11 and Prisma 7).
import { Prisma } from "../../platform/db/prisma.js";

interface AdapterCause {
  originalCode?: string;
  kind?: string;
  constraint?: { index?: string };
}

function adapterCause(error: unknown): AdapterCause | undefined {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return undefined;
  const meta = error.meta as { driverAdapterError?: { cause?: AdapterCause } } | undefined;
  return meta?.driverAdapterError?.cause;
}

/** A unique index (MySQL 1062) refused the row; `index` narrows it to one index by name. */
export function isUniqueViolation(error: unknown, index?: string): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  const cause = adapterCause(error);
  const duplicate = error.code === "P2002" || cause?.originalCode === "1062";
  if (!duplicate) return false;
  return index === undefined || cause?.constraint?.index === index;
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

/**
 * The driver's pool gave no connection within its acquireTimeout (mariadb 45028): the
 * transaction never began, so asking again is safe.
 */
export function isPoolTimeout(error: unknown): boolean {
  return adapterCause(error)?.originalCode === "45028";
}
