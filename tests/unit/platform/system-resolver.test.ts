import { describe, expect, it } from "vitest";
import { FakeClock } from "../../../src/platform/clock.js";
import { SystemResolver } from "../../../src/platform/graphql/system.resolver.js";

describe("serverTime", () => {
  it("answers the injected clock's time, not the machine's", () => {
    const clock = new FakeClock("2031-05-04T03:02:01.000Z");
    const resolver = new SystemResolver(clock);
    expect(resolver.serverTime().toISOString()).toBe("2031-05-04T03:02:01.000Z");
    clock.advance(1500);
    expect(resolver.serverTime().toISOString()).toBe("2031-05-04T03:02:02.500Z");
  });
});
