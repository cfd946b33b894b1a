// Factory of the Operator API's own parts: who is calling (OperatorAuth), the audit trail that
// every operator mutation writes through, and the audit log query. Features that add operator
// mutations take `auth` and `audit` from here (see src/modules/catalogue/catalogue.module.ts).
import { DomainError } from "../../platform/errors.js";
import { prismaTransactionRunner } from "../../platform/db/transaction.js";
import type { Feature, Infrastructure } from "../../platform/module.js";
import { AuditRepository } from "./audit.repository.js";
import { AuditTrail } from "./audit.js";
import { RedisAuthFailureStore } from "./auth-failures.store.js";
import { OperatorActionsResolver } from "./operator-actions.resolver.js";
import { OperatorActionsService } from "./operator-actions.service.js";
import { OperatorAuth } from "./operator-auth.js";

export type OperatorModule = Feature<{ auth: OperatorAuth; audit: AuditTrail }>;

export function createOperatorModule(infra: Infrastructure): OperatorModule {
  const { config } = infra;
  const failures = new RedisAuthFailureStore(
    infra.redis,
    config.REDIS_PREFIX,
    config.OPERATOR_AUTH_FAILURES_PER_MINUTE,
  );
  const auth = new OperatorAuth(config.OPERATOR_KEYS, failures);
  const repository = new AuditRepository(infra.prisma);
  const audit = new AuditTrail(prismaTransactionRunner(infra.prisma), repository);
  const actions = new OperatorActionsService(repository);
  return {
    module: {
      resolvers: [],
      adminResolvers: [new OperatorActionsResolver(actions, auth)],
      // Over WebSocket the key comes in connectionParams; a bad one closes the socket (4403).
      acceptAdminConnection: async (secret, ip) => {
        try {
          await auth.authenticate(secret, ip);
          return true;
        } catch (error) {
          if (error instanceof DomainError) return false;
          throw error;
        }
      },
    },
    auth,
    audit,
  };
}
