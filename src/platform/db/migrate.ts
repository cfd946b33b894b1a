// Applies prisma/migrations with Prisma's own bookkeeping, so that `prisma migrate deploy`
// (where its native engine can be had) accepts a database this runner migrated, and vice
// versa: the same `_prisma_migrations` table, the same sha256 checksums, and the same
// `GET_LOCK('prisma_migrate')` advisory lock, which also serialises several instances that
// start at once against one empty database.
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as mariadb from "mariadb";
import { databaseNameOf, poolConfigFromUrl } from "./connection-options.js";

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../../prisma/migrations", import.meta.url));
const LOCK_NAME = "prisma_migrate";
const LOCK_TIMEOUT_SECONDS = 60;

const CREATE_BOOKKEEPING = `CREATE TABLE IF NOT EXISTS \`_prisma_migrations\` (
    \`id\`                    VARCHAR(36) PRIMARY KEY NOT NULL,
    \`checksum\`              VARCHAR(64) NOT NULL,
    \`finished_at\`           DATETIME(3),
    \`migration_name\`        VARCHAR(255) NOT NULL,
    \`logs\`                  TEXT,
    \`rolled_back_at\`        DATETIME(3),
    \`started_at\`            DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
    \`applied_steps_count\`   INTEGER UNSIGNED NOT NULL DEFAULT 0
) DEFAULT CHARACTER SET utf8mb4`;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

export interface MigrateResult {
  applied: string[];
}

type Conn = mariadb.Connection;

/**
 * Creates the database when missing, then applies every pending migration under the lock.
 * `afterMigrate` runs while the lock is still held (the demo seed uses it, so that two
 * instances never seed twice).
 */
export async function migrate(
  databaseUrl: string,
  options: { dir?: string; afterMigrate?: () => Promise<void> } = {},
): Promise<MigrateResult> {
  await ensureDatabase(databaseUrl);
  const conn = await mariadb.createConnection(poolConfigFromUrl(databaseUrl, { multipleStatements: true }));
  try {
    const lockRows: { locked: number | null }[] = await conn.query("SELECT GET_LOCK(?, ?) AS locked", [
      LOCK_NAME,
      LOCK_TIMEOUT_SECONDS,
    ]);
    if (Number(lockRows[0]?.locked) !== 1) {
      throw new Error(`Could not take the migration lock within ${LOCK_TIMEOUT_SECONDS}s`);
    }
    try {
      const applied = await applyPending(conn, await readMigrations(options.dir));
      if (options.afterMigrate) await options.afterMigrate();
      return { applied };
    } finally {
      await conn.query("SELECT RELEASE_LOCK(?)", [LOCK_NAME]);
    }
  } finally {
    await conn.end();
  }
}

async function applyPending(conn: Conn, migrations: MigrationFile[]): Promise<string[]> {
  await conn.query(CREATE_BOOKKEEPING);
  const rows: {
    migration_name: string;
    checksum: string;
    finished_at: Date | null;
    rolled_back_at: Date | null;
  }[] = await conn.query(
    "SELECT migration_name, checksum, finished_at, rolled_back_at FROM `_prisma_migrations`",
  );
  const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
  if (failed) {
    throw new Error(
      `Migration ${failed.migration_name} failed earlier and needs a person: fix the database, ` +
        `then mark it with \`prisma migrate resolve\` (Prisma's P3009).`,
    );
  }
  const done = new Map(rows.filter((r) => r.finished_at !== null).map((r) => [r.migration_name, r]));
  const applied: string[] = [];
  for (const m of migrations) {
    const previous = done.get(m.name);
    if (previous) {
      if (previous.checksum !== m.checksum) {
        throw new Error(
          `Migration ${m.name} was changed after it was applied (checksum mismatch); ` +
            `add a new migration instead of editing an applied one.`,
        );
      }
      continue;
    }
    const id = randomUUID();
    await conn.query(
      "INSERT INTO `_prisma_migrations` (id, checksum, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, CURRENT_TIMESTAMP(3), 0)",
      [id, m.checksum, m.name],
    );
    try {
      await conn.query(m.sql);
    } catch (error) {
      await conn.query("UPDATE `_prisma_migrations` SET logs = ? WHERE id = ?", [String(error), id]);
      throw error;
    }
    await conn.query(
      "UPDATE `_prisma_migrations` SET finished_at = CURRENT_TIMESTAMP(3), applied_steps_count = 1 WHERE id = ?",
      [id],
    );
    applied.push(m.name);
  }
  return applied;
}

async function ensureDatabase(databaseUrl: string): Promise<void> {
  await onServer(
    databaseUrl,
    (name) => `CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  await onServer(databaseUrl, (name) => `DROP DATABASE IF EXISTS \`${name}\``);
}

/** Runs one statement about the URL's database on its server, connected without a database. */
async function onServer(databaseUrl: string, statement: (name: string) => string): Promise<void> {
  const name = databaseNameOf(databaseUrl);
  const { database: _omit, ...serverOnly } = poolConfigFromUrl(databaseUrl);
  const conn = await mariadb.createConnection(serverOnly);
  try {
    await conn.query(statement(name));
  } finally {
    await conn.end();
  }
}
