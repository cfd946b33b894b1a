// The live-sale operations of the Operator API (/admin/graphql). A plain class reading its
// use cases from the context: type-graphql calls a subscription's `subscribe` function without
// the resolver instance (GraphQLContext.services, as the queue resolver does).
import {
  Args,
  Ctx,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
  type SubscribeResolverData,
} from "type-graphql";
import type { GraphQLContext } from "../../platform/graphql/context.js";
import { failedStream } from "../../platform/graphql/failed-stream.js";
import type { OperatorRef, SaleControlData, SaleControlService } from "./sale-control.service.js";
import type { SaleStatsHub } from "./sale-stats-updates.js";
import type { SaleStatsData, SaleStatsService } from "./sale-stats.service.js";
import { AdmissionPolicyArgs, ConcertArgs, SaleControl, SaleStats } from "./live-sale.types.js";

export interface LiveSaleUseCases {
  controls: Pick<SaleControlService, "pause" | "resume" | "setPolicy">;
  stats: Pick<SaleStatsService, "stats">;
  updates: Pick<SaleStatsHub, "subscribe">;
  /** The calling operator (UNAUTHENTICATED / RATE_LIMITED otherwise). */
  operator(ctx: GraphQLContext): Promise<OperatorRef>;
}

@Resolver()
export class LiveSaleResolver {
  @Mutation(() => SaleControl, {
    description: "Stops admission of this concert on every instance within a tick (ACTIVE users go on).",
  })
  async pauseAdmission(
    @Args() { concertId }: ConcertArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SaleControlData> {
    return ctx.services.liveSale.controls.pause(await ctx.services.liveSale.operator(ctx), concertId);
  }

  @Mutation(() => SaleControl, { description: "Admission goes on from the next tick." })
  async resumeAdmission(
    @Args() { concertId }: ConcertArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SaleControlData> {
    return ctx.services.liveSale.controls.resume(await ctx.services.liveSale.operator(ctx), concertId);
  }

  @Mutation(() => SaleControl, {
    description:
      "Overrides QUEUE_MAX_ACTIVE / QUEUE_ADMIT_PER_TICK for this concert (omitted: unchanged), in force within a tick.",
  })
  async setAdmissionPolicy(
    @Args() { concertId, maxActive, admitPerTick }: AdmissionPolicyArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SaleControlData> {
    return ctx.services.liveSale.controls.setPolicy(await ctx.services.liveSale.operator(ctx), concertId, {
      maxActive,
      admitPerTick,
    });
  }

  @Query(() => SaleStats, { description: "The sale's figures now." })
  async saleStats(@Args() { concertId }: ConcertArgs, @Ctx() ctx: GraphQLContext): Promise<SaleStatsData> {
    await ctx.services.liveSale.operator(ctx);
    return ctx.services.liveSale.stats.stats(concertId);
  }

  @Subscription(() => SaleStats, {
    description:
      "The sale's figures at once, then at least once per admission tick while any figure changes.",
    subscribe: async ({ args, context }: SubscribeResolverData<unknown, ConcertArgs, GraphQLContext>) => {
      try {
        await context.services.liveSale.operator(context);
      } catch (error) {
        return failedStream(error);
      }
      return context.services.liveSale.updates.subscribe(args.concertId);
    },
  })
  saleStatsUpdates(@Root() stats: SaleStatsData, @Args() _args: ConcertArgs): SaleStatsData {
    return stats;
  }
}
