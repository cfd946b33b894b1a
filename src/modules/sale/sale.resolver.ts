import { Args, Query, Resolver } from "type-graphql";
import type { SaleDrawData, SaleDrawService } from "./sale-draw.service.js";
import { SaleDraw, SaleDrawArgs } from "./sale.types.js";

@Resolver()
export class SaleResolver {
  constructor(private readonly service: Pick<SaleDrawService, "saleDraw">) {}

  @Query(() => SaleDraw, {
    nullable: true,
    description:
      "The concert's pre-queue draw: commitment at once, seed, drawnAt and entrants after the draw. Null for a concert that was never scheduled; NOT_FOUND for an unknown concert. No token needed.",
  })
  saleDraw(@Args() { concertId }: SaleDrawArgs): Promise<SaleDrawData | null> {
    return this.service.saleDraw(concertId);
  }
}
