// Every resolver class of the Operator API (/admin/graphql), for the SDL emitter
// (admin-schema.graphql). The served schema is built from the modules' `adminResolvers`
// (src/app.ts); a test checks the two agree. Add a new operator resolver to both.
import type { NonEmptyArray } from "type-graphql";
import type { ResolverClass } from "./platform/graphql/build-schema.js";
import { CatalogueResolver } from "./modules/catalogue/catalogue.resolver.js";
import { LiveSaleResolver } from "./modules/live-sale/live-sale.resolver.js";
import { OperatorActionsResolver } from "./modules/operator/operator-actions.resolver.js";

export const adminResolverClasses: NonEmptyArray<ResolverClass> = [
  CatalogueResolver,
  LiveSaleResolver,
  OperatorActionsResolver,
];
