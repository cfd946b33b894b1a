// Every resolver class of the public API: the one list that the app serves (app.ts builds its
// schema from it; the modules only supply the instances) and that schema.graphql is emitted
// from (scripts/emit-schema.ts).
import type { NonEmptyArray } from "type-graphql";
import type { ResolverClass } from "./platform/graphql/build-schema.js";
import { ConcertResolver } from "./modules/concert/concert.resolver.js";
import { SeatUpdatesResolver } from "./modules/concert/seat-updates.resolver.js";
import { PaymentResolver } from "./modules/payment/payment.resolver.js";
import { QueueResolver } from "./modules/queue/queue.resolver.js";
import { SaleResolver } from "./modules/sale/sale.resolver.js";
import { ReservationResolver } from "./modules/reservation/reservation.resolver.js";
import { UserResolver } from "./modules/user/user.resolver.js";
import { WalletResolver } from "./modules/wallet/wallet.resolver.js";
import { SystemResolver } from "./platform/graphql/system.resolver.js";
import { adminResolverClasses } from "./admin-resolvers.js";
import type { ConcertService } from "./modules/concert/concert.service.js";
import type { LiveSaleUseCases } from "./modules/live-sale/live-sale.resolver.js";
import type { QueueService } from "./modules/queue/queue.service.js";
import type { QueueUpdates } from "./modules/queue/queue-updates.js";

// What the resolvers that read their services from the context find there (filled in by
// src/app.ts's createModules).
declare module "./platform/graphql/context.js" {
  interface ResolverServices {
    queue: Pick<QueueService, "issue" | "status" | "leave">;
    queueUpdates: QueueUpdates;
    seatUpdates: Pick<ConcertService, "seatUpdates">;
    /** The Operator API's live-sale controls and figures (LiveSaleResolver). */
    liveSale: LiveSaleUseCases;
  }
}

export const resolverClasses: NonEmptyArray<ResolverClass> = [
  SystemResolver,
  UserResolver,
  QueueResolver,
  SaleResolver,
  WalletResolver,
  ConcertResolver,
  SeatUpdatesResolver,
  ReservationResolver,
  PaymentResolver,
];

/** A committed SDL file and the resolvers it is emitted from (`npm run schema:emit`). */
export interface EmittedSchema {
  /** Relative to the project root. */
  file: string;
  resolvers: NonEmptyArray<ResolverClass>;
}

/** Every schema the service serves, one file each; another endpoint adds its own entry here. */
export const emittedSchemas: readonly EmittedSchema[] = [
  { file: "schema.graphql", resolvers: resolverClasses },
  { file: "admin-schema.graphql", resolvers: adminResolverClasses },
];
