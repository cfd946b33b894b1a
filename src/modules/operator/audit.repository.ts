// The audit log (operator_actions): the only code that reads or writes it.
import type { Db } from "../../platform/db/prisma.js";

export interface OperatorActionView {
  id: string;
  at: Date;
  operator: string;
  action: string;
  concertId: string | null;
  /** JSON text of the mutation's arguments and result. */
  details: string;
}

export interface NewOperatorAction {
  operator: string;
  action: string;
  concertId: string | null;
  details: string;
}

export class AuditRepository {
  constructor(private readonly db: Db) {}

  /** Writes one row on `tx`, so it commits or rolls back with the change it records. */
  async insert(tx: Db, action: NewOperatorAction): Promise<void> {
    await tx.operatorAction.create({ data: action });
  }

  /** Newest first: the auto-increment id is the order of commits' inserts across instances. */
  async list(concertId: string | null, limit: number): Promise<OperatorActionView[]> {
    const rows = await this.db.operatorAction.findMany({
      where: concertId === null ? {} : { concertId },
      orderBy: { id: "desc" },
      take: limit,
    });
    return rows.map((r) => ({ ...r, id: r.id.toString() }));
  }
}
