// A quick look at the seat reads and the seat race on two real server processes, next to the
// trivial query measured the same way in the same run (issue 17's seat rows):
//   reads:  availableSeats / seatMap / availableDates rate, 50 connections (autocannon), one instance
//   race:   N simultaneous reserveSeat for the 50 seats of one date over both instances, and N
//           simultaneous { serverTime } the same way (p99 of each)
//   steady: 50 clients reserving and cancelling their own seat, and 50 clients looping { serverTime }
// Run: node --import @swc-node/register/esm-register bench/quick-seats.ts [racers=2000] [seconds=5] [reads]
// Nothing is asserted (tests assert correctness); it prints one JSON line per measure.
import autocannon from "autocannon";
import { startCluster } from "../tests/helpers/server-processes.js";
import { cpuMs, gql, load, pool, seedUsers, summarize, warmSockets } from "./lib.js";
import { admit, seatRace, steady } from "./seats.js";

const RACERS = Number(process.argv[2] ?? 2000);
const SECONDS = Number(process.argv[3] ?? 5);
/** "reads" stops after the read rates. */
const ONLY = process.argv[4];

async function rate(url: string, query: string, variables: object, token?: string) {
  const result = await autocannon({
    url: `${url}/graphql`,
    connections: 50,
    duration: SECONDS,
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { rps: Math.round(result.requests.average), p99: result.latency.p99, non2xx: result.non2xx };
}

/**
 * Server CPU per request for a fixed number of requests (50 connections): robust on a shared
 * machine, where the rate depends on what else runs. rate ratio ≈ inverse CPU ratio when the
 * server is CPU-bound.
 */
async function cpuPerRequest(pid: number, url: string, query: string, variables: object, token?: string) {
  const amount = 4000;
  const before = cpuMs(pid);
  const result = await autocannon({
    url: `${url}/graphql`,
    connections: 50,
    amount,
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { cpuUsPerRequest: Math.round(((cpuMs(pid) - before) * 1000) / amount), non2xx: result.non2xx };
}

/** 50 loops of one query each for SECONDS: the p99 of the steady phase's way of measuring. */
async function loops(urls: string[], query: string): Promise<number> {
  const latencies: number[] = [];
  const end = Date.now() + SECONDS * 1000;
  await pool(50, 50, async (i) => {
    while (Date.now() < end) latencies.push((await gql(urls[i % urls.length]!, query)).ms);
  });
  return summarize(latencies).p99;
}

const print = (what: string, value: unknown) => console.log(JSON.stringify({ what, ...(value as object) }));

const cluster = await startCluster(2, {
  RATE_LIMIT_ENABLED: "false",
  LOG_LEVEL: "warn",
  DATABASE_POOL_SIZE: "20",
  QUEUE_MAX_ACTIVE: "100000",
  QUEUE_ADMIT_PER_TICK: "1000",
  QUEUE_TICK_MS: "1000",
  QUEUE_ACTIVE_SECONDS: "1800",
});
try {
  const [a, b] = cluster.servers;
  const concertId = (await gql<{ concerts: { id: string }[] }>(a!.url, "{ concerts { id } }")).data!
    .concerts[0]!.id;
  const users = await seedUsers(cluster.env.databaseUrl, RACERS + 50);
  const shoppers = await admit(cluster.servers, concertId, users);
  const token = shoppers[0]!.token;
  const dates = (
    await gql<{ availableDates: { id: string }[] }>(
      a!.url,
      "query ($c: ID!) { availableDates(concertId: $c) { id } }",
      { c: concertId },
      token,
    )
  ).data!.availableDates.map((d) => d.id);
  print("load", { before: load() });

  const seatsQ = "query ($d: ID!) { availableSeats(concertDateId: $d) { number price } }";
  const mapQ = "query ($d: ID!) { seatMap(concertDateId: $d) { number price status } }";
  const datesQ = "query ($c: ID!) { availableDates(concertId: $c) { id availableSeatCount } }";
  await rate(a!.url, "{ serverTime }", {});
  const trivial = await rate(a!.url, "{ serverTime }", {});
  const seats = await rate(a!.url, seatsQ, { d: dates.at(-1) }, token);
  const map = await rate(a!.url, mapQ, { d: dates.at(-1) }, token);
  const byDate = await rate(a!.url, datesQ, { c: concertId }, token);
  const trivialAfter = await rate(a!.url, "{ serverTime }", {});
  const base = (trivial.rps + trivialAfter.rps) / 2;
  const pid = a!.child.pid!;
  const cpu = {
    trivial: await cpuPerRequest(pid, a!.url, "{ serverTime }", {}),
    availableSeats: await cpuPerRequest(pid, a!.url, seatsQ, { d: dates.at(-1) }, token),
    seatMap: await cpuPerRequest(pid, a!.url, mapQ, { d: dates.at(-1) }, token),
    availableDates: await cpuPerRequest(pid, a!.url, datesQ, { c: concertId }, token),
  };
  print("cpu", {
    ...cpu,
    ratios: Object.fromEntries(
      Object.entries(cpu).map(([k, v]) => [k, +(cpu.trivial.cpuUsPerRequest / v.cpuUsPerRequest).toFixed(2)]),
    ),
  });
  print("reads", {
    trivial,
    trivialAfter,
    availableSeats: { ...seats, ratio: +(seats.rps / base).toFixed(2) },
    seatMap: { ...map, ratio: +(map.rps / base).toFixed(2) },
    availableDates: { ...byDate, ratio: +(byDate.rps / base).toFixed(2) },
  });

  if (ONLY !== "reads") {
    const racers = shoppers.slice(0, RACERS);
    await warmSockets([a!.url, b!.url], Math.ceil(racers.length / 2));
    const started = performance.now();
    const burst = await Promise.all(racers.map((s) => gql(s.url, "{ serverTime }")));
    const trivialBurst = {
      wallMs: Math.round(performance.now() - started),
      ...summarize(burst.map((r) => r.ms)),
    };
    const race = await seatRace(cluster.env.databaseUrl, racers, dates[0]!);
    print("race", {
      trivialBurstP99: trivialBurst.p99,
      raceP99: race.latencyMs.p99,
      ratio: +(race.latencyMs.p99 / trivialBurst.p99).toFixed(2),
      held: race.held,
      liveRowsInDb: race.liveRowsInDb,
      seatsHeldTwice: race.seatsHeldTwice,
      outcomes: race.outcomes,
    });

    const trivialLoopP99 = await loops([a!.url, b!.url], "{ serverTime }");
    const st = await steady(racers.slice(0, 50), dates[1]!, SECONDS);
    print("steady", {
      trivialP99: trivialLoopP99,
      allOpsP99: st.allOpsMs.p99,
      reserveP99: st.reserveMs.p99,
      cancelP99: st.cancelMs.p99,
      opsPerSecond: st.opsPerSecond,
      ratio: +(st.allOpsMs.p99 / trivialLoopP99).toFixed(2),
    });
  }
  print("load", { after: load() });
} finally {
  await cluster.stop();
}
