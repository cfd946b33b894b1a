// Shared pieces of the sale-day bench: statistics, bounded concurrency, a GraphQL-over-HTTP
// caller that times each request, server-side memory readings, machine facts, and bulk setup
// rows (users with known access keys, extra concert dates) written straight into the bench's
// own database so that setup does not eat the time budget.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import { cpus, loadavg, totalmem } from "node:os";
import { performance } from "node:perf_hooks";
import mariadb from "mariadb";
import WebSocket from "ws";
import { parsePrometheus } from "../tests/helpers/prometheus.js";

/** BENCH_SCALE=0.1 for a quick run; counts scale, the default is the numbers. */
export const SCALE = Math.min(1, Math.max(0.01, Number(process.env["BENCH_SCALE"] ?? "1") || 1));
export const scaled = (n: number, min = 1) => Math.max(min, Math.round(n * SCALE));

export interface Summary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** A flat record of counters (every field a number), as read from /proc or /metrics. */
export type Counts<T> = { [K in keyof T]: number };

function mapCounts<T extends Counts<T>>(x: T, f: (key: keyof T, value: number) => number): T {
  return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, f(k as keyof T, v as number)])) as T;
}

/** What each counter grew by from `before` to `now`. */
export function countsSince<T extends Counts<T>>(before: T, now: T): T {
  return mapCounts(now, (key, value) => value - before[key]);
}

/** Field-by-field sum of records of one shape (the same counters of several servers). */
export function sumCounts<T extends Counts<T>>(all: readonly T[]): T {
  const [first, ...rest] = all;
  if (first === undefined) throw new Error("sumCounts: no records to sum");
  return rest.reduce((sum, x) => mapCounts(sum, (key, value) => value + x[key]), first);
}

export function summarize(samples: number[]): Summary {
  if (samples.length === 0) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };
  const s = Float64Array.from(samples).sort();
  const at = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  const round = (x: number) => Math.round(x * 10) / 10;
  let sum = 0;
  for (const x of s) sum += x;
  return {
    count: s.length,
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    p99: round(at(0.99)),
    max: round(s[s.length - 1]!),
    mean: round(sum / s.length),
  };
}

/** Runs fn(0..n-1) with at most `concurrency` in flight; stops starting new ones after `deadline`. */
export async function pool(
  n: number,
  concurrency: number,
  fn: (i: number) => Promise<void>,
  deadline = Number.POSITIVE_INFINITY,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, concurrency) }, async () => {
      for (let i = next++; i < n && Date.now() < deadline; i = next++) await fn(i);
    }),
  );
}

const abortHooks = new Set<() => void>();
/** `hook` runs (synchronously) if the bench's watchdog stops the process; call the result to drop it. */
export function onAbort(hook: () => void): () => void {
  abortHooks.add(hook);
  return () => abortHooks.delete(hook);
}
/** For the watchdog, right before it exits: every hook, each on its own. */
export function runAbortHooks(): void {
  for (const hook of abortHooks) hook();
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface GqlResult<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
  ms: number;
  /** The first error's code, "HTTP_<status>" or "NETWORK" when the call failed outright. */
  code: string | null;
}

/**
 * Keep-alive sockets without a cap, and no client-side connect timeout: a burst of thousands of
 * requests then measures the server (fetch's 10 s connect timeout would turn a full accept
 * backlog into client errors). `maxFreeSockets` is uncapped too: Node's default keeps only 256
 * idle sockets per server and closes the rest, so every burst of 2,000 after the first opened
 * about 1,500 new connections, overflowed the accept backlog and waited for the 1 s SYN
 * retransmit (`nstat` TcpExtListenOverflows) — the "bimodal" trivial burst of 1 December.
 */
const agent = new http.Agent({
  keepAlive: true,
  keepAliveMsecs: 1000,
  maxSockets: Infinity,
  maxFreeSockets: Infinity,
});

/**
 * A keep-alive socket the server closes (its keep-alive timeout) just as a request is written
 * fails with ECONNRESET before the server read anything; Node's documented answer is to retry
 * such a request once when `req.reusedSocket` is set. Any other failure is reported.
 */
async function post(url: string, body: string, token?: string): Promise<{ status: number; text: string }> {
  try {
    return await postOnce(url, body, token);
  } catch (error) {
    if ((error as { retryable?: boolean }).retryable) return postOnce(url, body, token);
    throw error;
  }
}

function postOnce(url: string, body: string, token?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}/graphql`,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on("error", reject);
      },
    );
    req.setTimeout(120_000, () => req.destroy(new Error("timeout after 120 s")));
    req.on("error", (error: NodeJS.ErrnoException) =>
      reject(
        req.reusedSocket && error.code === "ECONNRESET" ? Object.assign(error, { retryable: true }) : error,
      ),
    );
    req.end(body);
  });
}

/** POST /graphql with a timing; never throws (a failure is a result with a code). */
export async function gql<T>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GqlResult<T>> {
  const t0 = performance.now();
  try {
    const res = await post(url, JSON.stringify({ query, variables }), token);
    const body = JSON.parse(res.text) as { data?: T | null; errors?: GqlResult<T>["errors"] };
    const ms = performance.now() - t0;
    const code = body.errors?.length
      ? (body.errors[0]!.extensions?.code ?? "UNKNOWN")
      : res.status === 200
        ? null
        : `HTTP_${res.status}`;
    return { ...body, ms, code };
  } catch (error) {
    return { ms: performance.now() - t0, code: "NETWORK", errors: [{ message: String(error) }] };
  }
}

/**
 * Leaves about `perServer` idle keep-alive sockets open to each server: each step raises the
 * concurrency by `step`, so only `step` new connections per server knock at once (the accept
 * backlog stays small) and the earlier ones are reused.
 */
export async function warmSockets(urls: string[], perServer: number, step = 200): Promise<void> {
  for (let c = Math.min(step, perServer); c <= perServer; c += step) {
    await Promise.all(urls.flatMap((url) => Array.from({ length: c }, () => gql(url, "{ serverTime }"))));
  }
}

export function countBy(codes: (string | null)[], ok = "OK"): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of codes) out[c ?? ok] = (out[c ?? ok] ?? 0) + 1;
  return out;
}

/**
 * The machine's count of incoming connections dropped because a listen backlog was full
 * (`TcpExt ListenOverflows` in /proc/net/netstat, as `nstat` shows it). Each such drop costs its
 * client a 1 s SYN retransmit, so a burst that saw any measured the backlog, not the server.
 */
export function listenOverflows(): number {
  const lines = readFileSync("/proc/net/netstat", "utf8").split("\n");
  const at = lines.findIndex((l) => l.startsWith("TcpExt:"));
  const column = at < 0 ? -1 : lines[at]!.split(" ").indexOf("ListenOverflows");
  if (column < 0) throw new Error("no TcpExt ListenOverflows in /proc/net/netstat");
  return Number(lines[at + 1]!.split(" ")[column]);
}

/** Resident set size of a process in bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) * 1024 : 0;
}

/**
 * Runs a full garbage collection in a server started with `--inspect=127.0.0.1:0` (through the
 * inspector protocol, on loopback), so that memory readings compare live objects, not garbage
 * left by earlier load. Returns false when the server has no inspector.
 */
export async function collectGarbage(output: string): Promise<boolean> {
  const url = /Debugger listening on (ws:\/\/\S+)/.exec(output)?.[1];
  if (!url) return false;
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  try {
    for (let id = 1; id <= 2; id++) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("inspector did not answer")), 30_000);
        ws.on("message", (raw: Buffer) => {
          if ((JSON.parse(raw.toString()) as { id?: number }).id === id) {
            clearTimeout(timer);
            resolve();
          }
        });
        ws.send(JSON.stringify({ id, method: "HeapProfiler.collectGarbage" }));
      });
    }
  } finally {
    ws.close();
  }
  return true;
}

/** One numeric series from a server's /metrics (first match of `name` with optional labels). */
export async function scrape(url: string): Promise<Map<string, number>> {
  return parsePrometheus(await (await fetch(`${url}/metrics`)).text());
}

export function machine() {
  const cpu = cpus();
  return {
    nproc: cpu.length,
    cpuModel: cpu[0]?.model ?? "unknown",
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

export const load = () => loadavg().map((l) => Math.round(l * 100) / 100);

export interface SeededUser {
  userId: string;
  accessKey: string;
}

/** Inserts `n` users (with empty wallets) whose access keys we know, 1,000 rows per statement. */
export async function seedUsers(databaseUrl: string, n: number): Promise<SeededUser[]> {
  const users = Array.from({ length: n }, () => ({
    userId: randomUUID(),
    accessKey: randomBytes(32).toString("base64url"),
  }));
  await withDb(databaseUrl, async (conn) => {
    for (let i = 0; i < n; i += 1000) {
      const batch = users.slice(i, i + 1000);
      await conn.batch(
        "INSERT INTO users (id, name, access_key_hash) VALUES (?, ?, ?)",
        batch.map((u) => [u.userId, "bench", createHash("sha256").update(u.accessKey).digest("hex")]),
      );
      await conn.batch(
        "INSERT INTO wallets (user_id, balance, updated_at) VALUES (?, 0, NOW(3))",
        batch.map((u) => [u.userId]),
      );
    }
  });
  return users;
}

/**
 * Adds `count` future dates (50 seats each) to a concert, after its last date and at least 60
 * days out (a second call for one concert adds new days); returns their ids in date order.
 */
export async function addDates(databaseUrl: string, concertId: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  await withDb(databaseUrl, async (conn) => {
    const [last] = await conn.query<{ last: string | null }[]>(
      "SELECT DATE_FORMAT(MAX(date), '%Y-%m-%d') AS last FROM concert_dates WHERE concert_id = ?",
      [concertId],
    );
    const first = Math.max(
      Date.now() + 60 * 86_400_000,
      last?.last ? Date.parse(`${last.last}T00:00:00Z`) + 86_400_000 : 0,
    );
    for (let d = 0; d < count; d++) {
      const id = randomUUID();
      const day = new Date(first + d * 86_400_000).toISOString().slice(0, 10);
      await conn.query("INSERT INTO concert_dates (id, concert_id, date, starts_at) VALUES (?, ?, ?, ?)", [
        id,
        concertId,
        day,
        `${day} 10:00:00`,
      ]);
      await conn.batch(
        "INSERT INTO seats (id, concert_date_id, number, price) VALUES (?, ?, ?, ?)",
        Array.from({ length: 50 }, (_, i) => [
          randomUUID(),
          id,
          i + 1,
          i < 10 ? 165_000 : i < 30 ? 132_000 : 99_000,
        ]),
      );
      ids.push(id);
    }
  });
  return ids;
}

export async function withDb<T>(
  databaseUrl: string,
  fn: (conn: mariadb.Connection) => Promise<T>,
): Promise<T> {
  const u = new URL(databaseUrl);
  const conn = await mariadb.createConnection({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || "root"),
    password: decodeURIComponent(u.password),
    database: u.pathname.slice(1),
    bigIntAsNumber: true,
    decimalAsNumber: true,
  });
  try {
    return await fn(conn);
  } finally {
    await conn.end();
  }
}

/** User + system CPU time a process has used, in ms (/proc/<pid>/stat, clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
