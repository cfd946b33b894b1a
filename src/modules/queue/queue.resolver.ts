// The queue's operations. A plain class reading the queue from the context: type-graphql calls
// a subscription's `subscribe` function without the resolver instance (GraphQLContext.services).
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
import type { QueueTicketData } from "./queue.service.js";
import { IssueQueueTokenArgs, QueueTicket, QueueUpdatesArgs } from "./queue.types.js";

@Resolver()
export class QueueResolver {
  @Mutation(() => QueueTicket, {
    description:
      "Enters the concert's waiting queue, or returns your live ticket (same token and place) while WAITING or ACTIVE.",
  })
  issueQueueToken(
    @Args() { userId, accessKey, concertId }: IssueQueueTokenArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<QueueTicketData> {
    return ctx.services.queue.issue(userId, accessKey, concertId);
  }

  @Query(() => QueueTicket, {
    description: "Your ticket now (the polling fallback of queueUpdates); keeps your place.",
  })
  queueStatus(@Ctx() ctx: GraphQLContext): Promise<QueueTicketData> {
    return ctx.services.queue.status(ctx.token);
  }

  @Mutation(() => QueueTicket, {
    description: "Gives your place or active slot up; the ticket is EXPIRED afterwards.",
  })
  leaveQueue(@Ctx() ctx: GraphQLContext): Promise<QueueTicketData> {
    return ctx.services.queue.leave(ctx.token);
  }

  @Subscription(() => QueueTicket, {
    description:
      "Your ticket at once, then on every change of position or status, until EXPIRED (then the stream completes).",
    subscribe: ({ args, context }: SubscribeResolverData<unknown, QueueUpdatesArgs, GraphQLContext>) =>
      context.services.queueUpdates.subscribe(args.token ?? context.token),
  })
  queueUpdates(@Root() ticket: QueueTicketData, @Args() _args: QueueUpdatesArgs): QueueTicketData {
    return ticket;
  }
}
