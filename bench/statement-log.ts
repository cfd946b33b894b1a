// The soak's statements as MariaDB timed them (`BENCH_SOAK_SQL_LOG=1`): the server's slow query
// log runs with long_query_time = 0, so it writes every statement with its time and the rows it
// examined. A session copies long_query_time when it connects, so the log is switched on before
// the soak's servers open their pools, and read for the soak's database and minutes only. Grouped by shape (literals replaced by ?) and by minute,
// it shows a statement whose cost grows with the sale, which the servers' own timers cannot
// tell apart from MySQL being slow in general. It found the sale-figures statement of /metrics
// (bench/README.md, "Soaks of 4 December"). Off by default: writing a log line per statement
// costs MariaDB time of its own. The server's settings are put back at the end, also when the soak
// fails, and by the bench's watchdog (`restoreSync`, through the mariadb client).
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { createReadStream } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { summarize, withDb } from "./lib.js";

export interface StatementMinute {
  minute: number;
  calls: number;
  meanMs: number;
  p99Ms: number;
  /** Mean rows examined per call. */
  rowsExamined: number;
}

export interface StatementShape {
  shape: string;
  calls: number;
  totalSeconds: number;
  perMinute: StatementMinute[];
}

const SETTINGS = ["slow_query_log", "slow_query_log_file", "long_query_time"] as const;

/** A statement's shape: string and number literals as ?, lists of them as (?..), spaces folded. */
export function shapeOf(statement: string): string {
  return statement
    .replace(/'(?:[^'\\]|\\.)*'/g, "?")
    .replace(/\b\d+(?:\.\d+)?\b/g, "?")
    .replace(/\(\s*\?(?:\s*,\s*\?)*\s*\)/g, "(?..)")
    .replace(/\s+/g, " ")
    .trim();
}

const ADMIN = new URL(process.env["TEST_DATABASE_URL"] ?? "mysql://root@127.0.0.1:3306/");

export class StatementLog {
  private readonly path = join(tmpdir(), `bench-statements-${process.pid}.log`);
  private saved?: Record<string, unknown>;
  private soakStartedAt = 0;

  async start(): Promise<void> {
    await withDb(ADMIN.toString(), async (c) => {
      const [row] = (await c.query(`SELECT ${SETTINGS.map((s) => `@@GLOBAL.${s} AS ${s}`).join(", ")}`)) as [
        Record<string, unknown>,
      ];
      this.saved = row;
      await c.query("SET GLOBAL slow_query_log_file = ?", [this.path]);
      await c.query("SET GLOBAL long_query_time = 0");
      await c.query("SET GLOBAL slow_query_log = 1");
    });
  }

  /** Minute 1 of the soak starts now. */
  markSoakStart(): void {
    this.soakStartedAt = Math.floor(Date.now() / 1000);
  }

  private restoreStatements(): string[] {
    if (!this.saved) return [];
    const saved = this.saved;
    return [
      "SET GLOBAL slow_query_log = 0",
      `SET GLOBAL slow_query_log_file = '${String(saved["slow_query_log_file"]).replace(/'/g, "''")}'`,
      `SET GLOBAL long_query_time = ${Number(saved["long_query_time"])}`,
      `SET GLOBAL slow_query_log = ${Number(saved["slow_query_log"])}`,
    ];
  }

  /** Puts the server's settings back (again: harmless). */
  async off(): Promise<void> {
    await withDb(ADMIN.toString(), async (c) => {
      for (const statement of this.restoreStatements()) await c.query(statement);
    });
  }

  /** The same for a process about to exit (the watchdog): the mariadb client, synchronously. */
  restoreSync(): void {
    const statements = this.restoreStatements();
    if (!statements.length) return;
    const args = [
      "-h",
      ADMIN.hostname,
      "-P",
      ADMIN.port || "3306",
      "-u",
      decodeURIComponent(ADMIN.username) || "root",
    ];
    try {
      execFileSync("mariadb", [...args, "-e", statements.join("; ")], { stdio: "inherit", timeout: 10_000 });
    } catch (error) {
      console.error(
        `bench: could not switch MariaDB's slow query log back (${String(error)}); run: ${statements.join("; ")}`,
      );
    }
  }

  /** Deletes the log (after a failed soak; `read` deletes it too). */
  async remove(): Promise<void> {
    await rm(this.path, { force: true });
  }

  /** The soak database's `top` shapes by total time, by soak minute; the log is deleted after. */
  async read(schema: string, minutes: number, top = 8): Promise<StatementShape[]> {
    try {
      return await this.shapes(schema, minutes, top);
    } finally {
      await rm(this.path, { force: true });
    }
  }

  private async shapes(schema: string, minutes: number, top: number): Promise<StatementShape[]> {
    // shape → minute → [ms, rows examined][]
    const byShape = new Map<string, Map<number, [number, number][]>>();
    let entry: { ms: number; rows: number; at?: number; text: string; ours: boolean } | null = null;
    let ours = false;
    const finish = () => {
      if (!entry?.ours || entry.at === undefined || !entry.text) return;
      const minute = Math.floor((entry.at - this.soakStartedAt) / 60) + 1;
      if (minute < 1 || minute > minutes) return;
      const shape = shapeOf(entry.text);
      const minutesOf = byShape.get(shape) ?? new Map<number, [number, number][]>();
      byShape.set(shape, minutesOf);
      const calls = minutesOf.get(minute) ?? [];
      minutesOf.set(minute, calls);
      calls.push([entry.ms, entry.rows]);
    };
    const lines = createInterface({ input: createReadStream(this.path, { encoding: "utf8" }) });
    lines.on("line", (line) => {
      if (line.startsWith("# Thread_id:")) ours = line.includes(`Schema: ${schema} `);
      else if (line.startsWith("# Query_time:")) {
        finish();
        const m = /Query_time: ([\d.]+).*Rows_examined: (\d+)/.exec(line);
        entry = { ms: Number(m?.[1] ?? 0) * 1000, rows: Number(m?.[2] ?? 0), text: "", ours };
      } else if (line.startsWith("SET timestamp=") && entry) entry.at = Number(line.slice(14, -1));
      else if (!line.startsWith("#") && entry && entry.at !== undefined) entry.text += ` ${line}`;
    });
    await once(lines, "close");
    finish();
    const shapes: StatementShape[] = [...byShape].map(([shape, perMinute]) => {
      const all = [...perMinute.values()].flat();
      return {
        shape,
        calls: all.length,
        totalSeconds: Math.round(all.reduce((s, [ms]) => s + ms, 0)) / 1000,
        perMinute: [...perMinute]
          .sort(([a], [b]) => a - b)
          .map(([minute, calls]) => {
            const s = summarize(calls.map(([ms]) => ms));
            return {
              minute,
              calls: calls.length,
              meanMs: Math.round((calls.reduce((t, [ms]) => t + ms, 0) / calls.length) * 100) / 100,
              p99Ms: s.p99,
              rowsExamined: Math.round(calls.reduce((t, [, rows]) => t + rows, 0) / calls.length),
            };
          }),
      };
    });
    return shapes.sort((a, b) => b.totalSeconds - a.totalSeconds).slice(0, top);
  }
}

/** A markdown table: each shape's calls and total, and per minute its mean ms and rows examined. */
export function renderStatements(shapes: StatementShape[] | undefined, minutes: number): string[] {
  if (!shapes) return [];
  const cols = Array.from({ length: minutes }, (_, i) => i + 1);
  return [
    "MariaDB's statements by shape (the slow query log at long_query_time = 0, `BENCH_SOAK_SQL_LOG=1`; the soak's database only; the largest total times), per minute the mean time in ms and the mean rows examined:",
    "",
    `| Statement | Calls | Total s | ${cols.map((m) => `Min ${m}`).join(" | ")} |`,
    `| --- | --- | --- | ${cols.map(() => "---").join(" | ")} |`,
    ...shapes.map((s) => {
      const cells = cols.map((m) => {
        const x = s.perMinute.find((p) => p.minute === m);
        return x ? `${x.meanMs} / ${x.rowsExamined}` : "—";
      });
      const shape = s.shape.length > 90 ? `${s.shape.slice(0, 90)}…` : s.shape;
      return `| \`${shape.replace(/\|/g, "\\|")}\` | ${s.calls} | ${s.totalSeconds} | ${cells.join(" | ")} |`;
    }),
    "",
  ];
}
