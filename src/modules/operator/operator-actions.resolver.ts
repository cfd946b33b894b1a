// The audit log on the Operator API.
import { Arg, Ctx, ID, Int, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../../platform/graphql/context.js";
import type { OperatorActionView } from "./audit.repository.js";
import type { OperatorAuth } from "./operator-auth.js";
import type { OperatorActionsService } from "./operator-actions.service.js";
import { OperatorAction } from "./operator.types.js";

@Resolver()
export class OperatorActionsResolver {
  constructor(
    private readonly actions: OperatorActionsService,
    private readonly auth: OperatorAuth,
  ) {}

  @Query(() => [OperatorAction], { description: "The audit log, newest first (limit 1..500)." })
  async operatorActions(
    @Arg("concertId", () => ID, { nullable: true }) concertId: string | null | undefined,
    @Arg("limit", () => Int, { nullable: true, defaultValue: 50 }) limit: number | null,
    @Ctx() ctx: GraphQLContext,
  ): Promise<OperatorActionView[]> {
    await this.auth.operator(ctx);
    return this.actions.list(concertId ?? null, limit ?? 50);
  }
}
