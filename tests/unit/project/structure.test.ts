// The source tree's shape: no import cycle in src/ (madge, type-only imports included: a
// feature that imports `app.ts` for a type is a cycle too), and no source file past 300 lines
// (docs: ARCHITECTURE conventions; a longer file is asking to be split). Generated code
// (src/generated, Prisma's client) is not ours and is left out. `npm run check:structure`.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const SRC = join(ROOT, "src");
const GENERATED = /^generated\//;
const MAX_LINES = 300;

interface MadgeResult {
  circular(): string[][];
  obj(): Record<string, string[]>;
}
const madge = createRequire(import.meta.url)("madge") as (
  path: string,
  config: Record<string, unknown>,
) => Promise<MadgeResult>;

const graphOf = (dir: string) =>
  madge(dir, {
    fileExtensions: ["ts"],
    tsConfig: join(ROOT, "tsconfig.json"),
    excludeRegExp: [GENERATED],
    detectiveOptions: { ts: { skipTypeImports: false } },
  });

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => relative(SRC, join(e.parentPath, e.name)))
    .filter((f) => !GENERATED.test(f));
}

describe("source structure", () => {
  it("has no import cycle in src/", { timeout: 60_000 }, async () => {
    const graph = await graphOf(SRC);
    // Not vacuous: the graph is the whole tree, with the composition root's edges.
    const modules = graph.obj();
    expect(Object.keys(modules).length).toBeGreaterThan(100);
    expect(modules["app.ts"]).toContain("platform/module.ts");
    expect(graph.circular()).toEqual([]);
  });

  it("finds a cycle where there is one (the check can fail)", { timeout: 60_000 }, async () => {
    const graph = await graphOf(join(ROOT, "tests/unit/project/fixtures/cycle"));
    expect(graph.circular()).toEqual([["a.ts", "b.ts"]]);
  });

  it("keeps bench/ off tests/e2e/ (shared fixtures live in tests/helpers/)", () => {
    const files = readdirSync(join(ROOT, "bench")).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(5);
    const hits = files.filter((f) =>
      /from "\.\.\/tests\/e2e\//.test(readFileSync(join(ROOT, "bench", f), "utf8")),
    );
    expect(hits).toEqual([]);
  });

  it(`has no source file over ${MAX_LINES} lines`, () => {
    const files = sourceFiles(SRC);
    expect(files.length).toBeGreaterThan(100);
    const long = files
      .map((file) => ({ file, lines: readFileSync(join(SRC, file), "utf8").split("\n").length - 1 }))
      .filter((f) => f.lines > MAX_LINES)
      .map((f) => `src/${f.file}: ${f.lines} lines`);
    expect(long).toEqual([]);
  });
});
