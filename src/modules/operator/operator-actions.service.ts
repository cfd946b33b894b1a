// Reading the audit log.
import type { AuditRepository, OperatorActionView } from "./audit.repository.js";
import { badActionLimit } from "./operator.errors.js";

export const MAX_ACTIONS = 500;

export class OperatorActionsService {
  constructor(private readonly repository: Pick<AuditRepository, "list">) {}

  async list(concertId: string | null, limit: number): Promise<OperatorActionView[]> {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ACTIONS) throw badActionLimit(MAX_ACTIONS);
    return this.repository.list(concertId, limit);
  }
}
