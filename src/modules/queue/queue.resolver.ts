// type-graphql calls a subscription's `subscribe` function without the resolver instance, so
// the class is made per app by a factory that closes over that app's queue (the schema build
// only uses the classes it is given).
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
import type { QueueService, QueueTicketData } from "./queue.service.js";
import { IssueQueueTokenArgs, QueueTicket, QueueUpdatesArgs } from "./queue.types.js";
import type { QueueUpdates } from "./queue-updates.js";

type QueueUseCases = Pick<QueueService, "issue" | "status" | "leave">;

export function createQueueResolver(queue: QueueUseCases, updates: QueueUpdates): new () => object {
  @Resolver()
  class QueueResolver {
    @Mutation(() => QueueTicket, {
      description:
        "Enters the concert's waiting queue, or returns your live ticket (same token and place) while WAITING or ACTIVE.",
    })
    issueQueueToken(@Args() { userId, accessKey, concertId }: IssueQueueTokenArgs): Promise<QueueTicketData> {
      return queue.issue(userId, accessKey, concertId);
    }

    @Query(() => QueueTicket, {
      description: "Your ticket now (the polling fallback of queueUpdates); keeps your place.",
    })
    queueStatus(@Ctx() ctx: GraphQLContext): Promise<QueueTicketData> {
      return queue.status(ctx.token);
    }

    @Mutation(() => QueueTicket, {
      description: "Gives your place or active slot up; the ticket is EXPIRED afterwards.",
    })
    leaveQueue(@Ctx() ctx: GraphQLContext): Promise<QueueTicketData> {
      return queue.leave(ctx.token);
    }

    @Subscription(() => QueueTicket, {
      description:
        "Your ticket at once, then on every change of position or status, until EXPIRED (then the stream completes).",
      subscribe: ({ args, context }: SubscribeResolverData<unknown, QueueUpdatesArgs, GraphQLContext>) =>
        updates.subscribe(args.token ?? context.token),
    })
    queueUpdates(@Root() ticket: QueueTicketData, @Args() _args: QueueUpdatesArgs): QueueTicketData {
      return ticket;
    }
  }
  return QueueResolver;
}

const schemaOnly = () => Promise.reject(new Error("schema-only resolver: build the queue module instead"));

/** The class the SDL emitter lists (src/resolvers.ts); it is never served. */
export const QueueResolver = createQueueResolver(
  { issue: schemaOnly, status: schemaOnly, leave: schemaOnly },
  { subscribe: schemaOnly },
);
