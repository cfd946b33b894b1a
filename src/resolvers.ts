// Every resolver class of the API, for the schema build (app.ts) and the SDL emitter.
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
