// Factory of the catalogue (Operator API) for the composition root (src/app.ts#createModules).
import type { Feature, Infrastructure } from "../../platform/module.js";
import type { OperatorModule } from "../operator/operator.module.js";
import { catalogueEventsOver, catalogueInvalidationJob, type CatalogueCache } from "./catalogue-events.js";
import { CatalogueRepository } from "./catalogue.repository.js";
import { CatalogueResolver } from "./catalogue.resolver.js";
import { CatalogueService } from "./catalogue.service.js";

export function createCatalogueModule(
  infra: Infrastructure,
  deps: { operator: Pick<OperatorModule, "auth" | "audit">; caches: CatalogueCache[] },
): Feature<object> {
  const service = new CatalogueService({
    repository: new CatalogueRepository(infra.prisma),
    audit: deps.operator.audit,
    changed: catalogueEventsOver(infra),
    clock: infra.clock,
    timeZone: infra.config.TZ_BUSINESS,
    maxPrice: infra.config.MAX_CHARGE,
  });
  return {
    module: {
      resolvers: [],
      adminResolvers: [new CatalogueResolver(service, deps.operator.auth)],
      jobs: [catalogueInvalidationJob(infra, deps.caches)],
    },
  };
}
