// Two checkouts side by side in one run, for a before/after of a change on a shared machine:
// each runs as its own server process on its own database, and the phases alternate between
// them (A B, then B A, …), so both see the same load from everything else. Measures the trivial
// query `{ serverTime }`, `issueQueueToken` (each call a different user) and `availableSeats`
// of one date (50 ACTIVE users' tokens in turn) through the whole
// stack with autocannon, 100 connections, a fixed number of requests per phase, and prints the
// rate and the server process's CPU time per request (from /proc: on a machine shared with other
// work the rate swings with their load, the CPU a request costs much less).
//   node --import @swc-node/register/esm-register bench/compare-checkouts.ts <before-dir> [after-dir] [requests] [rounds]
// <before-dir> is another checkout with node_modules and src/generated in place, e.g.
//   git archive <commit> | tar -x -C /tmp/before; ln -s "$PWD/node_modules" /tmp/before/; cp -r src/generated /tmp/before/src/
import { fileURLToPath } from "node:url";
import { startServerProcess, type ServerProcess } from "../tests/helpers/server-processes.js";
import { createTestEnv, type TestEnv } from "../tests/helpers/test-env.js";
import { cannon } from "./baselines.js";
import { cpuMs, gql, load, seedUsers, type SeededUser } from "./lib.js";
import { SEATS } from "./seats.js";

const before = process.argv[2];
if (!before)
  throw new Error("usage: bench/compare-checkouts.ts <before-dir> [after-dir] [requests] [rounds]");
const after = process.argv[3] ?? fileURLToPath(new URL("..", import.meta.url));
const requests = Math.min(50_000, Number(process.argv[4] ?? 4000));
const rounds = Math.min(5, Number(process.argv[5] ?? 2));
const ISSUE = `mutation ($u: ID!, $k: String!, $c: ID!) { issueQueueToken(userId: $u, accessKey: $k, concertId: $c) { token status position } }`;

interface Side {
  name: string;
  env: TestEnv;
  server: ServerProcess;
  users: SeededUser[];
  concertId: string;
  /** 50 ACTIVE tokens and a date of the concert, for the availableSeats phase. */
  shoppers: string[];
  dateId: string;
  rates: Record<string, number[]>;
  cpuUs: Record<string, number[]>;
}

const sides: Side[] = [];
try {
  for (const [name, cwd] of [
    ["before", before],
    ["after", after],
  ] as const) {
    const env = createTestEnv({
      RATE_LIMIT_ENABLED: "false",
      LOG_LEVEL: "error",
      QUEUE_MAX_ACTIVE: "1000000",
    });
    const server = await startServerProcess(env.env, { cwd });
    const concertId = (await gql<{ concerts: { id: string }[] }>(server.url, "{ concerts { id } }")).data!
      .concerts[0]!.id;
    const users = await seedUsers(env.databaseUrl, 20_000);
    const shoppers: string[] = [];
    for (const u of await seedUsers(env.databaseUrl, 50)) {
      const r = await gql<{ issueQueueToken: { token: string } }>(server.url, ISSUE, {
        u: u.userId,
        k: u.accessKey,
        c: concertId,
      });
      shoppers.push(r.data!.issueQueueToken.token);
    }
    const dates = await gql<{ availableDates: { id: string }[] }>(
      server.url,
      "query ($c: ID!) { availableDates(concertId: $c) { id } }",
      { c: concertId },
      shoppers[0],
    );
    sides.push({
      name: `${name} (${cwd})`,
      env,
      server,
      users,
      concertId,
      shoppers,
      dateId: dates.data!.availableDates[0]!.id,
      rates: { trivial: [], issue: [], seats: [] },
      cpuUs: { trivial: [], issue: [], seats: [] },
    });
  }
  console.log(`load average at start: ${load().join(" ")}`);
  let next = 0;
  for (let round = 0; round < rounds; round++) {
    for (const kind of ["trivial", "issue", "seats"] as const) {
      const order = round % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        const seats = JSON.stringify({ query: SEATS, variables: { d: side.dateId } });
        const body =
          kind === "trivial"
            ? () => JSON.stringify({ query: "{ serverTime }" })
            : kind === "seats"
              ? () => seats
              : () => {
                  const u = side.users[next++ % side.users.length]!;
                  return JSON.stringify({
                    query: ISSUE,
                    variables: { u: u.userId, k: u.accessKey, c: side.concertId },
                  });
                };
        const headers =
          kind === "seats"
            ? (i: number) => ({ authorization: `Bearer ${side.shoppers[i % side.shoppers.length]!}` })
            : undefined;
        const load = { url: side.server.url, body, ...(headers ? { headers } : {}) };
        await cannon({ ...load, connections: 50, duration: 1 });
        const pid = side.server.child.pid!;
        const cpuBefore = cpuMs(pid);
        const r = await cannon({ ...load, connections: 100, amount: requests });
        const us = Math.round(((cpuMs(pid) - cpuBefore) * 1000) / r.requests);
        side.rates[kind]!.push(r.rps);
        side.cpuUs[kind]!.push(us);
        console.log(
          `round ${round + 1} ${kind.padEnd(7)} ${side.name}: ${r.rps} req/s, server CPU ${us} µs/request, p99 ${r.latencyMs.p99} ms, errors ${JSON.stringify(r.errors)}`,
        );
      }
    }
  }
  const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
  for (const side of sides) {
    const t = mean(side.rates["trivial"]!);
    const i = mean(side.rates["issue"]!);
    const tc = mean(side.cpuUs["trivial"]!);
    const ic = mean(side.cpuUs["issue"]!);
    const a = mean(side.rates["seats"]!);
    const ac = mean(side.cpuUs["seats"]!);
    console.log(
      `${side.name}: trivial ${t} req/s (${tc} µs CPU each), issueQueueToken ${i} req/s (${ic} µs CPU each), rate ratio ${(i / t).toFixed(2)}, CPU ratio ${(tc / ic).toFixed(2)}; availableSeats ${a} req/s (${ac} µs CPU each), rate ratio ${(a / t).toFixed(2)}, CPU ratio ${(tc / ac).toFixed(2)}`,
    );
  }
  console.log(`load average at end: ${load().join(" ")}`);
} finally {
  for (const side of sides) {
    await side.server.stop();
    await side.env.cleanup();
  }
}
