import { Query, Resolver } from "type-graphql";
import type { Clock } from "../clock.js";
import { DateTimeScalar } from "./scalars.js";

@Resolver()
export class SystemResolver {
  constructor(private readonly clock: Clock) {}

  /** The server's clock, so that clients can show honest countdowns whatever their own clock says. */
  @Query(() => DateTimeScalar, { description: "The server's current time." })
  serverTime(): Date {
    return this.clock.now();
  }
}
