// One list of resolvers (src/resolvers.ts) for the served schema and for schema.graphql: the
// modules supply instances, and a disagreement stops the start instead of serving a schema
// that differs from the committed one.
import { describe, expect, it } from "vitest";
import { resolverContainer } from "../../../src/app.js";
import { emittedSchemas, resolverClasses } from "../../../src/resolvers.js";

class Listed {}
class AlsoListed {}
class Unlisted {}

describe("resolverContainer", () => {
  it("hands type-graphql each listed class's instance", () => {
    const a = new Listed();
    const b = new AlsoListed();
    const container = resolverContainer([a, b], [Listed, AlsoListed]);
    expect(container.get(Listed)).toBe(a);
    expect(container.get(AlsoListed)).toBe(b);
  });

  it("refuses a module resolver that the list lacks", () => {
    expect(() => resolverContainer([new Listed(), new Unlisted()], [Listed])).toThrow(
      /not listed \[Unlisted\], listed but not built \[\]/,
    );
  });

  it("refuses a listed class that no module builds", () => {
    expect(() => resolverContainer([new Listed()], [Listed, AlsoListed])).toThrow(
      /not listed \[\], listed but not built \[AlsoListed\]/,
    );
  });
});

describe("emitted schemas", () => {
  it("emit schema.graphql from the very list the app serves", () => {
    expect(emittedSchemas).toContainEqual({ file: "schema.graphql", resolvers: resolverClasses });
    expect(new Set(emittedSchemas.map((s) => s.file)).size).toBe(emittedSchemas.length);
  });
});
