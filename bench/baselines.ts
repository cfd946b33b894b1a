// HTTP load through autocannon, and the three baselines measured in the same run: the trivial
// GraphQL query (framework ceiling), a raw conditional UPDATE on MariaDB, a raw Redis INCR.
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import { Redis } from "ioredis";
import mariadb from "mariadb";
import { gql, listenOverflows, summarize, type Summary } from "./lib.js";

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  latencyMs: Summary;
  /** GraphQL errors by code plus transport failures (non-2xx, timeouts, socket errors). */
  errors: Record<string, number>;
}

interface CannonOptions {
  url: string;
  connections: number;
  /** Seconds, when bounded by time. */
  duration?: number;
  /** Requests, when bounded by count (each gets body(i) for i = 0..amount-1). */
  amount?: number;
  body: (i: number) => string;
  /** Extra headers per request (e.g. a bearer token per connection). */
  headers?: (i: number) => Record<string, string>;
  onData?: (i: number, data: unknown) => void;
}

/**
 * POSTs GraphQL bodies with autocannon; latencies come from every response. The rate is the
 * responses over the time from the start to the LAST RESPONSE, not to autocannon's callback:
 * autocannon notices the end (of `amount`, or of `duration`) only on its next one-second sample
 * tick, so its callback comes up to a second after the last response: a burst of 19,000
 * entries that took 2.0–2.99 s was timed as 3 s.
 */
export async function cannon(o: CannonOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let counter = 0;
  const started = performance.now();
  let lastResponse = started;
  let instance: autocannon.Instance | undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: `${o.url}/graphql`,
        connections: o.connections,
        ...(o.amount !== undefined ? { amount: o.amount } : { duration: o.duration ?? 10 }),
        timeout: 30,
        method: "POST",
        headers: { "content-type": "application/json" },
        requests: [
          {
            setupRequest: (req, context) => {
              const i = counter++;
              (context as { i: number }).i = i;
              const k = o.amount !== undefined ? i % o.amount : i;
              return o.headers
                ? { ...req, body: o.body(k), headers: { ...req.headers, ...o.headers(k) } }
                : { ...req, body: o.body(k) };
            },
            onResponse: (status, body, context) => {
              const i = (context as { i: number }).i;
              if (o.amount !== undefined && i >= o.amount) return;
              if (status !== 200) {
                errors[`HTTP_${status}`] = (errors[`HTTP_${status}`] ?? 0) + 1;
                return;
              }
              const parsed = JSON.parse(body) as {
                data?: unknown;
                errors?: { extensions?: { code?: string } }[];
              };
              if (parsed.errors?.length) {
                const code = parsed.errors[0]!.extensions?.code ?? "UNKNOWN";
                errors[code] = (errors[code] ?? 0) + 1;
              } else {
                o.onData?.(i, parsed.data);
              }
            },
          },
        ],
      },
      (error, result) =>
        error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result),
    );
  });
  instance!.on("response", (_client, _status, _bytes, responseTime) => {
    latencies.push(responseTime);
    lastResponse = performance.now();
  });
  const result = await done;
  const seconds = (lastResponse - started) / 1000;
  if (result.timeouts) errors["TIMEOUT"] = result.timeouts;
  if (result.errors - result.timeouts > 0) errors["SOCKET"] = result.errors - result.timeouts;
  const requests = latencies.length;
  return {
    requests,
    seconds: round(seconds),
    rps: round(requests / seconds),
    latencyMs: summarize(latencies),
    errors,
  };
}

/** Runs `op` from `workers` loops for `seconds`; every loop is bounded by the deadline. */
export async function closedLoop(
  workers: number,
  seconds: number,
  op: (w: number) => Promise<void>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          await op(w);
          latencies.push(performance.now() - t0);
        } catch (error) {
          const key = (error as { code?: string }).code ?? "ERROR";
          errors[key] = (errors[key] ?? 0) + 1;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    requests: latencies.length,
    seconds: round(elapsed),
    rps: round(latencies.length / elapsed),
    latencyMs: summarize(latencies),
    errors,
  };
}

/** `{ serverTime }` on the same server: what the framework alone allows. */
export function trivialQuery(url: string, seconds: number, connections: number): Promise<LoadResult> {
  const body = JSON.stringify({ query: "{ serverTime }" });
  return cannon({ url, connections, duration: seconds, body: () => body });
}

/**
 * `{ serverTime }` from `clients` closed loops through the bench's own HTTP client (lib.gql),
 * spread over `urls` (client c on urls[c % n]): the baseline for loads driven the same way.
 */
export function trivialLoops(urls: string[], clients: number, seconds: number): Promise<LoadResult> {
  return closedLoop(clients, seconds, async (w) => {
    const r = await gql(urls[w % urls.length]!, "{ serverTime }");
    if (r.code) throw Object.assign(new Error(r.code), { code: r.code });
  });
}

export interface BurstResult {
  requests: number;
  wallMs: number;
  latencyMs: Summary;
  errors: Record<string, number>;
  /** Connections the kernel dropped at a full accept backlog meanwhile (should be 0). */
  listenOverflows: number;
}

/** `n` simultaneous `{ serverTime }` over `urls` (request i on urls[i % n]), as the seat race sends. */
export function trivialBurst(urls: string[], n: number): Promise<BurstResult> {
  return burst(urls, n, () => ["{ serverTime }", {}]);
}

/** `n` simultaneous requests over `urls` (request i on urls[i % n], its document and variables by i). */
export async function burst(
  urls: string[],
  n: number,
  request: (i: number) => [query: string, variables: Record<string, unknown>],
): Promise<BurstResult> {
  const overflowsBefore = listenOverflows();
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) => gql(urls[i % urls.length]!, ...request(i))),
  );
  const errors: Record<string, number> = {};
  for (const r of results) if (r.code) errors[r.code] = (errors[r.code] ?? 0) + 1;
  return {
    requests: n,
    wallMs: Math.round(performance.now() - started),
    latencyMs: summarize(results.map((r) => r.ms)),
    errors,
    listenOverflows: listenOverflows() - overflowsBefore,
  };
}

/** The statement shape every seat and money race relies on, with nothing around it. */
export async function rawConditionalUpdate(
  databaseUrl: string,
  userIds: string[],
  seconds: number,
  connections: number,
): Promise<LoadResult> {
  const u = new URL(databaseUrl);
  const db = mariadb.createPool({
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username || "root"),
    database: u.pathname.slice(1),
    connectionLimit: connections,
  });
  try {
    return await closedLoop(connections * 2, seconds, async (w) => {
      const id = userIds[(w * 7919 + Math.floor(Math.random() * userIds.length)) % userIds.length]!;
      const r = (await db.query(
        "UPDATE wallets SET balance = balance + 1 WHERE user_id = ? AND balance < ?",
        [id, 1_000_000_000],
      )) as { affectedRows: number };
      if (r.affectedRows !== 1) throw Object.assign(new Error("no row"), { code: "NO_ROW" });
    });
  } finally {
    await db.end();
  }
}

export async function rawRedisIncr(redisUrl: string, key: string, seconds: number, inFlight: number) {
  const redis = new Redis(redisUrl);
  try {
    return await closedLoop(inFlight, seconds, async () => {
      await redis.incr(key);
    });
  } finally {
    await redis.del(key);
    redis.disconnect();
  }
}

const round = (x: number) => Math.round(x * 10) / 10;
