// Two APIs, two schemas: the public schema has no operator operation or type, the served
// Operator API is exactly admin-schema.graphql, and `npm run schema:check` fails on a stale file.
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createPubSub } from "@graphql-yoga/subscription";
import { buildSchema, type GraphQLSchema } from "graphql";
import { describe, expect, it } from "vitest";
import { adminResolverClasses } from "../../../src/admin-resolvers.js";
import { buildAppSchema, printAppSchema } from "../../../src/platform/graphql/build-schema.js";
import { resolverClasses } from "../../../src/resolvers.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const committed = (file: string) => readFileSync(join(ROOT, file), "utf8");
const rootFields = (schema: GraphQLSchema) =>
  [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((t) =>
    Object.keys(t?.getFields() ?? {}),
  );

describe("the public and the operator schema", () => {
  const admin = buildSchema(committed("admin-schema.graphql"));
  const pub = buildSchema(committed("schema.graphql"));

  it("keep every operator operation and operator-only type out of the public schema", () => {
    const adminOnly = rootFields(admin).filter((f) => f !== "concerts");
    expect(adminOnly).toEqual(
      expect.arrayContaining(["createConcert", "addConcertDate", "scheduleSale", "operatorActions"]),
    );
    for (const field of adminOnly) expect(rootFields(pub)).not.toContain(field);
    for (const type of ["OperatorAction", "CreateConcertInput", "SeatPriceInput"]) {
      expect(pub.getType(type), type).toBeUndefined();
      expect(admin.getType(type), type).toBeDefined();
    }
  });

  it("are what the code builds (the same SDL schema:check compares)", async () => {
    const build = async (resolvers: typeof resolverClasses) =>
      printAppSchema(await buildAppSchema({ resolvers, pubSub: createPubSub() }));
    expect(await build(adminResolverClasses)).toBe(committed("admin-schema.graphql"));
    expect(await build(resolverClasses)).toBe(committed("schema.graphql"));
  });
});

describe("npm run schema:check", () => {
  const check = (dir: string) =>
    new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        process.execPath,
        ["--import", "@swc-node/register/esm-register", "scripts/emit-schema.ts", "--check", `--dir=${dir}`],
        { cwd: ROOT },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
      );
    });

  it("passes on the committed files and fails naming admin-schema.graphql when it is stale", async () => {
    const dir = mkdtempSync(join(tmpdir(), "schema-check-"));
    try {
      for (const file of ["schema.graphql", "admin-schema.graphql"])
        copyFileSync(join(ROOT, file), join(dir, file));
      expect((await check(dir)).code).toBe(0);
      writeFileSync(
        join(dir, "admin-schema.graphql"),
        committed("admin-schema.graphql").replace("scheduleSale", "x"),
      );
      const stale = await check(dir);
      expect(stale.code).toBe(1);
      expect(stale.output).toMatch(/admin-schema\.graphql is stale/);
      expect(stale.output).toMatch(/schema\.graphql is up to date/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
