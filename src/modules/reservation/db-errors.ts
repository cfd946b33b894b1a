// How MariaDB's answers reach us through Prisma 7's driver adapter, checked by experiment:
// a raw statement that breaks a unique index fails with P2010 whose
// meta.driverAdapterError.cause is { originalCode: "1062", kind: "UniqueConstraintViolation",
// constraint: { index: "<index name>" } }; the ORM's own calls report P2002 instead.
import { Prisma } from "../../platform/db/prisma.js";

interface AdapterCause {
  originalCode?: string;
  constraint?: { index?: string };
  originalMessage?: string;
}

function adapterCause(error: unknown): AdapterCause | undefined {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return undefined;
  const meta = error.meta as { driverAdapterError?: { cause?: AdapterCause } } | undefined;
  return meta?.driverAdapterError?.cause;
}

/** The name of the unique index that refused a row, or null when `error` is not a duplicate key. */
export function violatedUniqueIndex(error: unknown): string | null {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return null;
  const cause = adapterCause(error);
  if (error.code !== "P2002" && cause?.originalCode !== "1062") return null;
  if (cause?.constraint?.index) return cause.constraint.index;
  const fromMessage = /for key '([^']+)'/.exec(cause?.originalMessage ?? error.message);
  return fromMessage?.[1] ?? "";
}

/** A deadlock (1213) or lock wait timeout (1205): InnoDB rolled back; run the transaction again. */
export function isRetryableTransactionError(error: unknown): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return false;
  if (error.code === "P2034") return true;
  const code = adapterCause(error)?.originalCode;
  return code === "1213" || code === "1205";
}
