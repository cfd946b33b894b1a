// The migrations and schema.prisma must describe the same database: tables, columns, types,
// nullability and indexes. Drift between them fails here.
import { createHash } from "node:crypto";
import { mkdtemp, cp, writeFile, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import * as mariadb from "mariadb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { poolConfigFromUrl } from "../../../src/platform/db/connection-options.js";
import { MIGRATIONS_DIR, migrate, readMigrations } from "../../../src/platform/db/migrate.js";
import { createTestEnv, type TestEnv } from "../../helpers/test-env.js";

const require = createRequire(import.meta.url);
const { get_dmmf } = require("@prisma/prisma-schema-wasm") as { get_dmmf: (params: string) => string };

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "object" | "enum";
  type: string;
  isRequired: boolean;
  nativeType?: [string, string[]] | null;
}
interface DmmfModel {
  name: string;
  dbName?: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: "id" | "unique" | "normal" | "fulltext";
  fields: { name: string }[];
}

async function prismaModel() {
  const schema = await readFile(new URL("../../../prisma/schema.prisma", import.meta.url), "utf8");
  const dmmf = JSON.parse(get_dmmf(JSON.stringify({ prismaSchema: schema }))) as {
    datamodel: {
      models: DmmfModel[];
      enums: { name: string; values: { name: string }[] }[];
      indexes: DmmfIndex[];
    };
  };
  return dmmf.datamodel;
}

/** The column type the MySQL connector of Prisma gives a field. */
function expectedColumnType(field: DmmfField, enums: Map<string, string[]>): string {
  if (field.kind === "enum")
    return `enum(${enums
      .get(field.type)!
      .map((v) => `'${v}'`)
      .join(",")})`;
  const [native, args] = field.nativeType ?? [undefined, []];
  switch (field.type) {
    case "String":
      if (native === "Char") return `char(${args[0]})`;
      if (native === "VarChar") return `varchar(${args[0]})`;
      if (native === "Text") return "text";
      return "varchar(191)";
    case "Int":
      return "int";
    case "BigInt":
      return "bigint";
    case "Boolean":
      return "tinyint(1)";
    case "DateTime":
      if (native === "Date") return "date";
      return `datetime(${native === "DateTime" ? args[0] : 3})`;
    default:
      throw new Error(`add a mapping for ${field.type}`);
  }
}

/** Normalises MariaDB's and MySQL's spellings of a column type. */
function normaliseColumnType(t: string): string {
  return t
    .replace(/^int\(\d+\)/, "int")
    .replace(/^bigint\(\d+\)/, "bigint")
    .replace(/^tinyint\(1\)/, "tinyint(1)")
    .replace(/ /g, "");
}

describe("migrations", () => {
  let env: TestEnv;
  let conn: mariadb.Connection;

  beforeAll(async () => {
    env = createTestEnv();
    await migrate(env.databaseUrl);
    conn = await mariadb.createConnection(poolConfigFromUrl(env.databaseUrl));
  });
  afterAll(async () => {
    await conn?.end();
    await env?.cleanup();
  });

  it("agree with schema.prisma on tables, columns, types and nullability", async () => {
    const model = await prismaModel();
    const enums = new Map(model.enums.map((e) => [e.name, e.values.map((v) => v.name)]));
    const expected = new Map<string, Map<string, { type: string; nullable: boolean }>>();
    for (const m of model.models) {
      const cols = new Map<string, { type: string; nullable: boolean }>();
      for (const f of m.fields.filter((f) => f.kind !== "object")) {
        cols.set(f.dbName ?? f.name, { type: expectedColumnType(f, enums), nullable: !f.isRequired });
      }
      expected.set(m.dbName ?? m.name, cols);
    }
    const rows: { TABLE_NAME: string; COLUMN_NAME: string; COLUMN_TYPE: string; IS_NULLABLE: string }[] =
      await conn.query(
        "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> '_prisma_migrations'",
      );
    const actual = new Map<string, Map<string, { type: string; nullable: boolean }>>();
    for (const r of rows) {
      if (!actual.has(r.TABLE_NAME)) actual.set(r.TABLE_NAME, new Map());
      actual.get(r.TABLE_NAME)!.set(r.COLUMN_NAME, {
        type: normaliseColumnType(r.COLUMN_TYPE),
        nullable: r.IS_NULLABLE === "YES",
      });
    }
    const asObject = (m: typeof expected) =>
      Object.fromEntries([...m].map(([t, cols]) => [t, Object.fromEntries(cols)]));
    expect(asObject(actual)).toEqual(asObject(expected));
  });

  it("agree with schema.prisma on primary keys, unique and plain indexes", async () => {
    const model = await prismaModel();
    const columnOf = new Map(
      model.models.map((m) => [m.name, new Map(m.fields.map((f) => [f.name, f.dbName ?? f.name]))]),
    );
    const tableOf = new Map(model.models.map((m) => [m.name, m.dbName ?? m.name]));
    const expected = model.indexes
      .map((i) => {
        const cols = i.fields.map((f) => columnOf.get(i.model)!.get(f.name)!).join(",");
        const kind = i.type === "normal" ? "index" : "unique";
        return `${tableOf.get(i.model)} ${kind} (${cols})`;
      })
      .sort();

    const rows: {
      TABLE_NAME: string;
      INDEX_NAME: string;
      NON_UNIQUE: number | bigint;
      COLUMN_NAME: string;
    }[] = await conn.query(
      "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME <> '_prisma_migrations' ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
    );
    const grouped = new Map<string, { table: string; unique: boolean; cols: string[] }>();
    for (const r of rows) {
      const key = `${r.TABLE_NAME}.${r.INDEX_NAME}`;
      if (!grouped.has(key))
        grouped.set(key, { table: r.TABLE_NAME, unique: Number(r.NON_UNIQUE) === 0, cols: [] });
      grouped.get(key)!.cols.push(r.COLUMN_NAME);
    }
    const actual = [...grouped]
      // MySQL creates an index for a foreign key that no other index covers; Prisma does too.
      .filter(([key]) => !key.endsWith("_fkey"))
      .map(([, i]) => `${i.table} ${i.unique ? "unique" : "index"} (${i.cols.join(",")})`)
      .sort();
    expect(actual).toEqual(expected);
  });

  it("keep Prisma's bookkeeping with sha256 checksums, so `prisma migrate deploy` accepts the database", async () => {
    const files = await readMigrations();
    const rows: {
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      applied_steps_count: number;
    }[] = await conn.query(
      "SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name",
    );
    expect(rows.map((r) => r.migration_name)).toEqual(files.map((f) => f.name));
    for (const [i, f] of files.entries()) {
      expect(rows[i]!.checksum).toBe(createHash("sha256").update(f.sql).digest("hex"));
      expect(rows[i]!.finished_at).not.toBeNull();
      expect(Number(rows[i]!.applied_steps_count)).toBe(1);
    }
  });

  it("apply nothing the second time", async () => {
    expect((await migrate(env.databaseUrl)).applied).toEqual([]);
  });

  it("apply each migration once when several instances migrate one empty database at once", async () => {
    const fresh = createTestEnv();
    try {
      const results = await Promise.all(Array.from({ length: 4 }, () => migrate(fresh.databaseUrl)));
      const applied = results.flatMap((r) => r.applied);
      expect(applied.sort()).toEqual((await readMigrations()).map((m) => m.name).sort());
    } finally {
      await fresh.cleanup();
    }
  });

  it("refuse a migration that was edited after it was applied", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "migrations-"));
    await cp(MIGRATIONS_DIR, dir, { recursive: true });
    const [first] = await readMigrations(dir);
    await writeFile(path.join(dir, first!.name, "migration.sql"), `${first!.sql}\n-- edited\n`);
    await expect(migrate(env.databaseUrl, { dir })).rejects.toThrow(/checksum mismatch/);
  });
});
