import { Args, Ctx, Mutation, Query, Resolver, Root, Subscription } from "type-graphql";
import type { GraphQLContext } from "../../platform/graphql/context.js";
import type { QueueService, QueueTicketData } from "./queue.service.js";
import { IssueQueueTokenArgs, QueueTicket, QueueUpdatesArgs } from "./queue.types.js";
import type { QueueUpdates } from "./queue-updates.js";

/**
 * type-graphql hands a `subscribe` function no resolver instance, so the live updates of the
 * app built last in this process serve subscriptions (one app per process; tests start one per
 * file).
 */
let currentUpdates: QueueUpdates | null = null;

@Resolver()
export class QueueResolver {
  constructor(
    private readonly queue: QueueService,
    updates: QueueUpdates,
  ) {
    currentUpdates = updates;
  }

  @Mutation(() => QueueTicket, {
    description:
      "Enters the concert's waiting queue, or returns your live ticket (same token and place) while WAITING or ACTIVE.",
  })
  issueQueueToken(@Args() { userId, accessKey, concertId }: IssueQueueTokenArgs): Promise<QueueTicketData> {
    return this.queue.issue(userId, accessKey, concertId);
  }

  @Query(() => QueueTicket, {
    description: "Your ticket now (the polling fallback of queueUpdates); keeps your place.",
  })
  queueStatus(@Ctx() ctx: GraphQLContext): Promise<QueueTicketData> {
    return this.queue.status(ctx.token);
  }

  @Mutation(() => QueueTicket, {
    description: "Gives your place or active slot up; the ticket is EXPIRED afterwards.",
  })
  leaveQueue(@Ctx() ctx: GraphQLContext): Promise<QueueTicketData> {
    return this.queue.leave(ctx.token);
  }

  @Subscription(() => QueueTicket, {
    description:
      "Your ticket at once, then on every change of position or status, until EXPIRED (then the stream completes).",
    subscribe: ({ args, context }) => {
      const { token } = args as QueueUpdatesArgs;
      return currentUpdates!.subscribe(token ?? (context as GraphQLContext).token);
    },
  })
  queueUpdates(@Root() ticket: QueueTicketData, @Args() _args: QueueUpdatesArgs): QueueTicketData {
    return ticket;
  }
}
