// The only code that reads or writes sale_controls. The read of every admission tick goes to the
// driver (db/sql.ts: one bound statement for all concerts, no Prisma engine in between); the
// write is part of the operator's transaction, beside its audit row.
import type { Db } from "../../platform/db/prisma.js";
import type { Sql } from "../../platform/db/sql.js";
import type { ControlSource, StoredControl } from "../queue/admission-controls.js";

/** A change of controls: an absent field is left as it is. */
export interface ControlPatch {
  paused?: boolean;
  maxActive?: number;
  admitPerTick?: number;
}

interface Row {
  concertId: string;
  paused: number | boolean;
  maxActive: number | null;
  admitPerTick: number | null;
  updatedAt: Date;
  updatedBy: string;
}

const toControl = (r: Row): StoredControl => ({
  concertId: r.concertId,
  paused: Boolean(Number(r.paused)),
  maxActive: r.maxActive === null ? null : Number(r.maxActive),
  admitPerTick: r.admitPerTick === null ? null : Number(r.admitPerTick),
  updatedAt: r.updatedAt,
  updatedBy: r.updatedBy,
});

const COLUMNS = `concert_id AS concertId, paused, max_active AS maxActive,
  admit_per_tick AS admitPerTick, updated_at AS updatedAt, updated_by AS updatedBy`;

export class SaleControlRepository implements ControlSource {
  constructor(private readonly sql: Sql) {}

  async read(concertIds: readonly string[]): Promise<StoredControl[]> {
    if (concertIds.length === 0) return [];
    const marks = concertIds.map(() => "?").join(", ");
    const rows = await this.sql.select<Row>(
      `SELECT ${COLUMNS} FROM sale_controls WHERE concert_id IN (${marks})`,
      [...concertIds],
    );
    return rows.map(toControl);
  }

  /**
   * Applies the patch in one upsert (the row lock of the unique key serialises two operators:
   * each COALESCE keeps what the other set for the fields it does not name), then reads the row
   * back inside the same transaction.
   */
  async apply(
    tx: Db,
    concertId: string,
    patch: ControlPatch,
    operator: string,
    now: Date,
  ): Promise<StoredControl> {
    const paused = patch.paused ?? null;
    const maxActive = patch.maxActive ?? null;
    const admitPerTick = patch.admitPerTick ?? null;
    await tx.$executeRaw`
      INSERT INTO sale_controls (concert_id, paused, max_active, admit_per_tick, updated_at, updated_by)
      VALUES (${concertId}, ${paused ?? false}, ${maxActive}, ${admitPerTick}, ${now}, ${operator})
      ON DUPLICATE KEY UPDATE
        paused = COALESCE(${paused}, paused),
        max_active = COALESCE(${maxActive}, max_active),
        admit_per_tick = COALESCE(${admitPerTick}, admit_per_tick),
        updated_at = ${now},
        updated_by = ${operator}`;
    const rows = await tx.$queryRaw<Row[]>`
      SELECT concert_id AS concertId, paused, max_active AS maxActive, admit_per_tick AS admitPerTick,
             updated_at AS updatedAt, updated_by AS updatedBy
      FROM sale_controls WHERE concert_id = ${concertId}`;
    return toControl(rows[0]!);
  }
}
