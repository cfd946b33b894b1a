// Steering a sale: pause, resume, and the admission policy of one concert. Each change is one
// upsert of sale_controls and its audit row in one transaction (a refused change writes neither),
// then CATALOGUE_CHANGED so that every instance reads the controls again at once; the admission
// tick reads them from MySQL anyway, so every instance obeys within one QUEUE_TICK_MS even if
// that message were lost.
import type { Clock } from "../../platform/clock.js";
import type { Db } from "../../platform/db/prisma.js";
import { effectiveControl, type ControlDefaults, type StoredControl } from "../queue/admission-controls.js";
import {
  ADMIT_PER_TICK_LIMIT,
  admitPerTickOutOfRange,
  MAX_ACTIVE_LIMIT,
  maxActiveOutOfRange,
  unknownConcert,
} from "./live-sale.errors.js";
import type { ControlPatch, SaleControlRepository } from "./sale-control.repository.js";

/** SaleControl in the admin schema: the effective values (defaults where not overridden). */
export interface SaleControlData {
  concertId: string;
  paused: boolean;
  maxActive: number;
  admitPerTick: number;
  updatedAt: Date | null;
  updatedBy: string | null;
}

export interface OperatorRef {
  name: string;
}

/** The operator feature's audit trail: the work and its OperatorAction row in one transaction. */
export interface AuditedRunner {
  run<T>(
    call: { operator: OperatorRef; action: string; args: Record<string, unknown> },
    work: (tx: Db) => Promise<{ result: T; concertId: string | null }>,
  ): Promise<T>;
}

export interface SaleControlDeps {
  controls: Pick<SaleControlRepository, "apply" | "read">;
  concertExists(concertId: string): Promise<boolean>;
  audit: AuditedRunner;
  defaults: ControlDefaults;
  clock: Clock;
  /** Tells every instance (CATALOGUE_CHANGED) that the concert's controls changed. */
  announce(concertId: string): void;
}

export interface PolicyArgs {
  maxActive?: number | null;
  admitPerTick?: number | null;
}

export class SaleControlService {
  constructor(private readonly deps: SaleControlDeps) {}

  pause(operator: OperatorRef, concertId: string): Promise<SaleControlData> {
    return this.change(operator, "pauseAdmission", concertId, { concertId }, { paused: true });
  }

  resume(operator: OperatorRef, concertId: string): Promise<SaleControlData> {
    return this.change(operator, "resumeAdmission", concertId, { concertId }, { paused: false });
  }

  /** BAD_USER_INPUT naming the rule for a value out of range; omitted values stay as they are. */
  setPolicy(operator: OperatorRef, concertId: string, args: PolicyArgs): Promise<SaleControlData> {
    const patch: ControlPatch = {};
    if (args.maxActive !== undefined && args.maxActive !== null) {
      if (!Number.isInteger(args.maxActive) || args.maxActive < 0 || args.maxActive > MAX_ACTIVE_LIMIT)
        throw maxActiveOutOfRange();
      patch.maxActive = args.maxActive;
    }
    if (args.admitPerTick !== undefined && args.admitPerTick !== null) {
      if (
        !Number.isInteger(args.admitPerTick) ||
        args.admitPerTick < 1 ||
        args.admitPerTick > ADMIT_PER_TICK_LIMIT
      )
        throw admitPerTickOutOfRange();
      patch.admitPerTick = args.admitPerTick;
    }
    return this.change(operator, "setAdmissionPolicy", concertId, { concertId, ...patch }, patch);
  }

  /** The controls now (defaults when no operator changed them). NOT_FOUND for an unknown concert. */
  async current(concertId: string): Promise<SaleControlData> {
    if (!(await this.deps.concertExists(concertId))) throw unknownConcert(concertId);
    const [row] = await this.deps.controls.read([concertId]);
    return this.present(concertId, row);
  }

  private async change(
    operator: OperatorRef,
    action: string,
    concertId: string,
    args: Record<string, unknown>,
    patch: ControlPatch,
  ): Promise<SaleControlData> {
    if (!(await this.deps.concertExists(concertId))) throw unknownConcert(concertId);
    const { audit, controls, clock } = this.deps;
    const result = await audit.run({ operator, action, args }, async (tx) => {
      const row = await controls.apply(tx, concertId, patch, operator.name, clock.now());
      return { result: this.present(concertId, row), concertId };
    });
    this.deps.announce(concertId);
    return result;
  }

  private present(concertId: string, row: StoredControl | undefined): SaleControlData {
    return {
      concertId,
      ...effectiveControl(row, this.deps.defaults),
      updatedAt: row?.updatedAt ?? null,
      updatedBy: row?.updatedBy ?? null,
    };
  }
}
