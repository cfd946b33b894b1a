// The servers' own output, kept after a run: each server's stdout + stderr goes whole to
// bench/logs/ (git-ignored; it can be large), and the results get only the error-level lines
// (pino JSON with level >= 50), grouped by message and error with a count and their request ids.
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ServerProcess } from "../tests/helpers/server-processes.js";

const LOGS = fileURLToPath(new URL("logs/", import.meta.url));
/** Request ids kept per group: enough to find the lines in the full log. */
const REQUEST_IDS_KEPT = 10;

export interface ServerErrorGroup {
  /** Server index (1-based, as in the log file's name). */
  server: number;
  message: string;
  /** The logged error: its type, code or errno, and message (no stack: that is in the log file). */
  error: string;
  count: number;
  requestIds: string[];
}

export interface ServerLogs {
  files: string[];
  /** Lines per server that were not JSON (e.g. a crash's stack on stderr), counted, not kept. */
  otherLines: number[];
  errors: ServerErrorGroup[];
}

interface PinoLine {
  level?: number;
  msg?: string;
  requestId?: string;
  err?: { type?: string; code?: string | number; errno?: number; message?: string };
}

/**
 * The part of an error message that is the same for every occurrence: the mariadb driver's
 * messages carry the connection number and the statement's parameters.
 */
const sameKind = (message: string) =>
  message
    .replace(/\(conn:\d+,/g, "(conn:…,")
    .replace(/ - parameters:[\s\S]*$/, "")
    .replace(/\s+/g, " ")
    .slice(0, 300);

/** Groups the error-level lines of one server's output. */
export function errorLines(output: string, server: number): { groups: ServerErrorGroup[]; other: number } {
  const groups = new Map<string, ServerErrorGroup>();
  let other = 0;
  for (const line of output.split("\n")) {
    if (!line.trim()) continue;
    let entry: PinoLine;
    try {
      entry = JSON.parse(line) as PinoLine;
    } catch {
      other++;
      continue;
    }
    if (typeof entry.level !== "number" || entry.level < 50) continue;
    const e = entry.err;
    const error = e
      ? [e.type, e.code ?? e.errno, e.message && sameKind(e.message)]
          .filter((x) => x !== undefined && x !== "")
          .join(": ")
      : "";
    const message = entry.msg ?? "";
    const key = `${message}\u0000${error}`;
    const group = groups.get(key) ?? { server, message, error, count: 0, requestIds: [] };
    groups.set(key, group);
    group.count++;
    if (entry.requestId && group.requestIds.length < REQUEST_IDS_KEPT) group.requestIds.push(entry.requestId);
  }
  return { groups: [...groups.values()].sort((a, b) => b.count - a.count), other };
}

/** Writes bench/logs/<stamp>-<label>-server-<i>.log for each server and sums up their errors. */
export function keepServerLogs(servers: ServerProcess[], stamp: string, label: string): ServerLogs {
  mkdirSync(LOGS, { recursive: true });
  const result: ServerLogs = { files: [], otherLines: [], errors: [] };
  servers.forEach((s, i) => {
    const file = `bench/logs/${stamp}-${label}-server-${i + 1}.log`;
    const output = s.output();
    writeFileSync(`${LOGS}${stamp}-${label}-server-${i + 1}.log`, output);
    const { groups, other } = errorLines(output, i + 1);
    result.files.push(file);
    result.otherLines.push(other);
    result.errors.push(...groups);
  });
  return result;
}

/** The results' section: one row per group, or "none". */
export function renderServerLogs(logs: ServerLogs): string[] {
  const head = `Server logs: ${logs.files.join(", ")} (lines that are not JSON: ${logs.otherLines.join(", ")}).`;
  if (logs.errors.length === 0) return [head, "", "Server error lines (level ≥ 50): none."];
  return [
    head,
    "",
    "| Server | Count | Message | Error | Request ids (first 10) |",
    "| --- | --- | --- | --- | --- |",
    ...logs.errors.map(
      (g) =>
        `| ${g.server} | ${g.count} | ${cell(g.message)} | ${cell(g.error)} | ${g.requestIds.join(" ") || "—"} |`,
    ),
  ];
}

const cell = (s: string) => (s ? s.replace(/\|/g, "\\|").replace(/\s+/g, " ").slice(0, 300) : "—");
