import { Args, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../../platform/graphql/context.js";
import type { PaymentView } from "./payment.repository.js";
import { PaymentService } from "./payment.service.js";
import { Payment, PayReservationArgs } from "./payment.types.js";

@Resolver(() => Payment)
export class PaymentResolver {
  constructor(private readonly payments: PaymentService) {}

  @Mutation(() => Payment, {
    description:
      "Pays a HELD reservation from the balance (ACTIVE token of the holder); the queue token is EXPIRED afterwards.",
  })
  payReservation(@Args() args: PayReservationArgs, @Ctx() ctx: GraphQLContext): Promise<PaymentView> {
    return this.payments.pay(ctx.token, args.reservationId, args.idempotencyKey);
  }

  @Query(() => [Payment], { description: "The caller's payments, newest first (any valid queue token)." })
  myPayments(@Ctx() ctx: GraphQLContext): Promise<PaymentView[]> {
    return this.payments.myPayments(ctx.token);
  }
}
