import { Args, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../../platform/graphql/context.js";
import { WalletService } from "./wallet.service.js";
import { ChargeBalanceArgs, Wallet } from "./wallet.types.js";

@Resolver(() => Wallet)
export class WalletResolver {
  constructor(private readonly wallets: WalletService) {}

  @Query(() => Wallet, { description: "The caller's balance (any valid queue token)." })
  balance(@Ctx() ctx: GraphQLContext): Promise<Wallet> {
    return this.wallets.balance(ctx.token);
  }

  @Mutation(() => Wallet, {
    description: "Adds to the caller's balance (any valid queue token, even WAITING or EXPIRED).",
  })
  chargeBalance(@Args() args: ChargeBalanceArgs, @Ctx() ctx: GraphQLContext): Promise<Wallet> {
    return this.wallets.charge(ctx.token, args.amount, args.idempotencyKey);
  }
}
