// `audited`: every operator mutation runs its MySQL change and the one OperatorAction row
// that records it in the same transaction, so the log never shows a change that did not
// happen nor misses one that did. A refused change throws inside the transaction and leaves
// neither. Later operator mutations (pause, policy) reuse it:
//
//   return audit.run({ operator, action: "pauseAdmission", args }, async (tx) => {
//     const control = await repository.pause(tx, concertId);   // the change, on tx
//     return { result: control, concertId };                     // what the log names
//   });
import type { Db } from "../../platform/db/prisma.js";
import type { TransactionRunner } from "../../platform/db/transaction.js";
import type { AuditRepository } from "./audit.repository.js";
import type { Operator } from "./operator-auth.js";

export interface AuditedCall {
  operator: Operator;
  /** The mutation's name, e.g. "createConcert". */
  action: string;
  /** The mutation's arguments as given (after validation). */
  args: Record<string, unknown>;
}

export interface AuditedOutcome<T> {
  result: T;
  /** The concert the change is about (null when none). */
  concertId: string | null;
}

export class AuditTrail {
  constructor(
    private readonly transaction: TransactionRunner,
    private readonly repository: Pick<AuditRepository, "insert">,
  ) {}

  /** Runs `work` and writes its audit row in one transaction; returns the work's result. */
  async run<T>(call: AuditedCall, work: (tx: Db) => Promise<AuditedOutcome<T>>): Promise<T> {
    return this.transaction(async (tx) => {
      const { result, concertId } = await work(tx);
      await this.repository.insert(tx, {
        operator: call.operator.name,
        action: call.action,
        concertId,
        details: JSON.stringify({ args: call.args, result }),
      });
      return result;
    });
  }
}
