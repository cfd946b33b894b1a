// The Operator API's catalogue: thin, each field authenticates the operator and calls one
// CatalogueService method. Served only on /admin/graphql (src/admin-resolvers.ts).
import { Arg, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import type { GraphQLContext } from "../../platform/graphql/context.js";
import { DateScalar, DateTimeScalar } from "../../platform/graphql/scalars.js";
import { Concert, ConcertDate } from "../concert/concert.types.js";
import type { OperatorAuth } from "../operator/operator-auth.js";
import type { ConcertView, CreatedConcertDate } from "./catalogue.model.js";
import type { CatalogueService } from "./catalogue.service.js";
import { CreateConcertInput, SeatPriceInput } from "./catalogue.types.js";

@Resolver()
export class CatalogueResolver {
  constructor(
    private readonly catalogue: CatalogueService,
    private readonly auth: OperatorAuth,
  ) {}

  @Query(() => [Concert], { description: "Every concert, including those not on sale yet." })
  async concerts(@Ctx() ctx: GraphQLContext): Promise<ConcertView[]> {
    await this.auth.operator(ctx);
    return this.catalogue.concerts();
  }

  @Mutation(() => Concert, { description: "Creates a concert, on sale now or scheduled (saleOpensAt)." })
  async createConcert(
    @Arg("input", () => CreateConcertInput) input: CreateConcertInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ConcertView> {
    return this.catalogue.createConcert(await this.auth.operator(ctx), input);
  }

  @Mutation(() => ConcertDate, {
    description:
      "Adds a date (today or later in TZ_BUSINESS, once per concert) with its 50 seats; the price ranges cover 1..50 exactly once.",
  })
  async addConcertDate(
    @Arg("concertId", () => ID) concertId: string,
    @Arg("date", () => DateScalar) date: Date,
    @Arg("prices", () => [SeatPriceInput]) prices: SeatPriceInput[],
    @Ctx() ctx: GraphQLContext,
  ): Promise<CreatedConcertDate> {
    return this.catalogue.addConcertDate(await this.auth.operator(ctx), concertId, date, prices);
  }

  @Mutation(() => Concert, {
    description:
      "Sets or moves the opening of a sale that has not opened yet; the time must be in the future.",
  })
  async scheduleSale(
    @Arg("concertId", () => ID) concertId: string,
    @Arg("opensAt", () => DateTimeScalar) opensAt: Date,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ConcertView> {
    return this.catalogue.scheduleSale(await this.auth.operator(ctx), concertId, opensAt);
  }
}
