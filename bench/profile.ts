// Where a server's CPU goes under one kind of load: starts ONE server process with
// `node --cpu-prof` (Node 20 refuses --cpu-prof in NODE_OPTIONS, so the spawn is done here),
// drives it with autocannon for a bounded time, stops it gracefully (the profile is written at
// exit), and prints self time by package and by function.
//   node --import @swc-node/register/esm-register bench/profile.ts trivial|issue [seconds]
//   node --import @swc-node/register/esm-register bench/profile.ts crowd [users]
//   node --import @swc-node/register/esm-register bench/profile.ts race [users]
//   node --import @swc-node/register/esm-register bench/profile.ts seats|seatmap [seconds]
//   node --import @swc-node/register/esm-register bench/profile.ts steady [seconds]
//   node --import @swc-node/register/esm-register bench/profile.ts checkout [buyers]
// (steady: 50 ACTIVE users each reserve a seat of their own and cancel it, in closed loops;
//  checkout: that many ACTIVE users charge, reserve a seat of their own and pay, 100 at a
//  time, after 200 others did the same as a warm-up, as the bench's checkout row)
// (crowd: the flash-crowd scenario on the profiled server, only its admission phase counts;
//  race: that many ACTIVE users send one reserveSeat each at once for the 50 seats of a date,
//  after the same race on another date, as in the bench)
// The .cpuprofile stays in bench/profiles/ (open it in Chrome DevTools or speedscope).
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createTestEnv, productionOverrides } from "../tests/helpers/test-env.js";
import { SERVER_NODE_ARGS, type ServerProcess } from "../tests/helpers/server-processes.js";
import { cannon } from "./baselines.js";
import { flashCrowd } from "./flash-crowd.js";
import { admit, checkout, seatRace, steady } from "./seats.js";
import { addDates, gql, seedUsers, sleep, warmSockets } from "./lib.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIR = `${ROOT}bench/profiles`;
const kind = process.argv[2] ?? "trivial";
const seconds = Math.min(60, Number(process.argv[3] ?? 8));
const crowdUsers = Math.min(10_000, Number(process.argv[3] ?? 3000));
const perTick = String(Math.max(10, Math.round(crowdUsers / 20)));
const port = 40_000 + Math.floor(Math.random() * 10_000);

rmSync(DIR, { recursive: true, force: true });
mkdirSync(DIR, { recursive: true });
const env = createTestEnv(
  productionOverrides({
    RATE_LIMIT_ENABLED: "false",
    LOG_LEVEL: "warn",
    ...(kind === "crowd"
      ? {
          QUEUE_MAX_ACTIVE: perTick,
          QUEUE_ADMIT_PER_TICK: perTick,
          QUEUE_ACTIVE_SECONDS: "600",
          QUEUE_IDLE_SECONDS: "600",
        }
      : { QUEUE_MAX_ACTIVE: "1000000" }),
  }),
);
const spawnedAt = Date.now();
let loadFrom = 0;
const child = spawn(process.execPath, ["--cpu-prof", "--cpu-prof-dir", DIR, ...SERVER_NODE_ARGS], {
  cwd: ROOT,
  env: { ...process.env, ...env.env, PORT: String(port), HOST: "127.0.0.1" },
  stdio: "inherit",
});
const exited = new Promise((resolve) => child.once("exit", resolve));
const url = `http://127.0.0.1:${port}`;
const firstConcert = async () =>
  (await gql<{ concerts: { id: string }[] }>(url, "{ concerts { id } }")).data!.concerts[0]!.id;
/** `n` new users admitted (ACTIVE) to the first concert, and the id of its date number `dateIndex`. */
async function shoppersOf(n: number, dateIndex: number) {
  const concertId = await firstConcert();
  const shoppers = await admit(
    [{ url } as unknown as ServerProcess],
    concertId,
    await seedUsers(env.databaseUrl, n),
  );
  const dates = await gql<{ availableDates: { id: string }[] }>(
    url,
    "query ($c: ID!) { availableDates(concertId: $c) { id } }",
    { c: concertId },
    shoppers[0]!.token,
  );
  return { shoppers, dateId: dates.data!.availableDates[dateIndex]!.id };
}
try {
  for (let i = 0; ; i++) {
    if (i > 400) throw new Error("server not ready in 60 s");
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await sleep(150);
  }
  if (kind === "crowd") {
    const concertId = await firstConcert();
    const users = await seedUsers(env.databaseUrl, crowdUsers);
    // No --inspect here, so output() has no debugger address and memory is read without a forced GC.
    const server = { url, child, output: () => "" } as unknown as ServerProcess;
    const r = await flashCrowd(
      server,
      process.env["TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379",
      env.redisPrefix,
      concertId,
      users,
      (line) => {
        if (line.includes("admission running")) loadFrom = Date.now() - spawnedAt;
        console.log(line);
      },
      { windowSeconds: 15, openSeconds: 120, afterEntry: async () => undefined },
    );
    console.log(JSON.stringify({ admission: r.admission, pushes: r.pushes }));
  }
  if (kind === "race") {
    const { shoppers, dateId } = await shoppersOf(crowdUsers, 0);
    await warmSockets([url], shoppers.length);
    // As in run.ts: the same race on another date first, so that the profiled one runs warm.
    const other = await shoppersOf(1, 1);
    await seatRace(env.databaseUrl, shoppers, other.dateId);
    loadFrom = Date.now() - spawnedAt;
    const r = await seatRace(env.databaseUrl, shoppers, dateId);
    console.log(JSON.stringify(r));
  }
  if (kind === "steady") {
    const { shoppers, dateId } = await shoppersOf(50, 1);
    await steady(shoppers, dateId, 2);
    loadFrom = Date.now() - spawnedAt;
    const r = await steady(shoppers, dateId, seconds);
    console.log(JSON.stringify(r));
  }
  if (kind === "checkout") {
    const buyers = (await shoppersOf(crowdUsers + 200, 0)).shoppers;
    const dates = await addDates(env.databaseUrl, await firstConcert(), Math.ceil(buyers.length / 50));
    const warm = await checkout(env.databaseUrl, buyers.slice(crowdUsers), dates.slice(crowdUsers / 50), 100);
    loadFrom = Date.now() - spawnedAt;
    const r = await checkout(
      env.databaseUrl,
      buyers.slice(0, crowdUsers),
      dates,
      100,
      warm.audit.expectedAmount,
    );
    console.log(JSON.stringify({ rate: r.checkoutsPerSecond, checkoutMs: r.checkoutMs, errors: r.errors }));
  }
  let body: (i: number) => string = () => JSON.stringify({ query: "{ serverTime }" });
  let headers: ((i: number) => Record<string, string>) | undefined;
  if (kind === "seats" || kind === "seatmap") {
    const { shoppers, dateId } = await shoppersOf(50, 0);
    const query =
      kind === "seats"
        ? "query ($d: ID!) { availableSeats(concertDateId: $d) { number price } }"
        : "query ($d: ID!) { seatMap(concertDateId: $d) { number price status } }";
    const fixed = JSON.stringify({ query, variables: { d: dateId } });
    body = () => fixed;
    headers = (i) => ({ authorization: `Bearer ${shoppers[i % shoppers.length]!.token}` });
  }
  if (kind === "issue") {
    const concertId = await firstConcert();
    // Enough users that every call of the load is a first entry (no verified key cached).
    const users = await seedUsers(env.databaseUrl, Math.min(120_000, seconds * 10_000 + 20_000));
    const q = `mutation ($u: ID!, $k: String!, $c: ID!) { issueQueueToken(userId: $u, accessKey: $k, concertId: $c) { token status position } }`;
    let next = 0; // across the warm-up and the load: each call a user not seen before
    body = () => {
      const u = users[next++ % users.length]!;
      return JSON.stringify({ query: q, variables: { u: u.userId, k: u.accessKey, c: concertId } });
    };
  }
  if (kind === "trivial" || kind === "issue" || kind === "seats" || kind === "seatmap") {
    const connections = kind === "seats" || kind === "seatmap" ? 50 : 100;
    await cannon({ url, connections: 50, duration: 2, body, ...(headers ? { headers } : {}) });
    loadFrom = Date.now() - spawnedAt;
    const r = await cannon({ url, connections, duration: seconds, body, ...(headers ? { headers } : {}) });
    console.log(
      `${kind}: ${r.rps} req/s, latency ${JSON.stringify(r.latencyMs)}, errors ${JSON.stringify(r.errors)}`,
    );
  }
} finally {
  child.kill("SIGTERM");
  await exited;
  await env.cleanup();
}

const file = readdirSync(DIR).find((f) => f.endsWith(".cpuprofile"));
if (!file) throw new Error("no profile written");
const prof = JSON.parse(readFileSync(`${DIR}/${file}`, "utf8")) as {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
};
// Only the measured load counts: startup (module loading, migrations) and warm-up are skipped.
const self = new Map<number, number>();
let clock = 0;
prof.samples.forEach((id, i) => {
  clock += (prof.timeDeltas[i] ?? 0) / 1000;
  if (clock >= loadFrom) self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
});
const byFunction = new Map<string, number>();
const byPackage = new Map<string, number>();
let total = 0;
for (const n of prof.nodes) {
  const t = self.get(n.id) ?? 0;
  total += t;
  const where = n.callFrame.url.replace(`file://${ROOT}`, "");
  const fn = `${n.callFrame.functionName || "(anonymous)"} ${where}:${n.callFrame.lineNumber + 1}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + t);
  const pkg =
    /node_modules\/((@[^/]+\/)?[^/]+)/.exec(where)?.[1] ??
    (where.startsWith("src/") ? "src (ours)" : where === "" ? n.callFrame.functionName : "node internals");
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + t);
}
const top = (m: Map<string, number>, k: number) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([name, t]) => `${((t / total) * 100).toFixed(1).padStart(5)}%  ${name}`)
    .join("\n");
console.log(
  `profile: bench/profiles/${file}\n--- self time by package\n${top(byPackage, 20)}\n--- by function\n${top(byFunction, 25)}`,
);
