// The checkout row of issue 17 on its own, for measuring payment changes without the whole
// bench: two server processes on a fresh database (as `npm run bench` does), the trivial-query
// rate with 50 connections, then BUYERS buyers charge, reserve a seat of their own and pay
// (100 in flight), then the money audit. Prints one JSON line, with the CPU time the two
// server processes spent per buyer (charge + reserve + pay), which other load on the machine
// disturbs far less than a rate does.
//   node --import @swc-node/register/esm-register scripts/checkout-rate.ts [buyers=500]
import { readFileSync } from "node:fs";
import { trivialQuery } from "../bench/baselines.js";
import { addDates, gql, load, seedUsers } from "../bench/lib.js";
import { admit, checkout } from "../bench/seats.js";
import { startCluster } from "../tests/helpers/server-processes.js";

const BUYERS = Number(process.argv[2] ?? 500);

/** CPU milliseconds (user + system) a process has used so far, from /proc (Linux, 100 ticks/s). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
const cluster = await startCluster(2, {
  RATE_LIMIT_ENABLED: "false",
  LOG_LEVEL: "warn",
  DATABASE_POOL_SIZE: process.env["POOL"] ?? "20",
  QUEUE_MAX_ACTIVE: "100000",
  QUEUE_ADMIT_PER_TICK: "1000",
  QUEUE_TICK_MS: "1000",
  QUEUE_ACTIVE_SECONDS: "1800",
});
try {
  const url = cluster.servers[0]!.url;
  // First, so that the keep-alive sockets of the admission below are fresh for the checkout.
  const trivial = await trivialQuery(url, 5, 50);
  const concerts = await gql<{ concerts: { id: string }[] }>(url, "{ concerts { id } }");
  const concertId = concerts.data!.concerts[0]!.id;
  const users = await seedUsers(cluster.env.databaseUrl, BUYERS);
  const dates = await addDates(cluster.env.databaseUrl, concertId, Math.ceil(BUYERS / 50));
  const shoppers = await admit(cluster.servers, concertId, users);
  const loadBefore = load();
  const pids = cluster.servers.map((s) => s.child.pid!);
  const cpuBefore = pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
  const result = await checkout(cluster.env.databaseUrl, shoppers, dates, 100);
  // The checkout phase includes the buyers' charges (bench/seats.ts charges first, then times).
  const cpuPerBuyer = (pids.reduce((sum, pid) => sum + cpuMs(pid), 0) - cpuBefore) / BUYERS;
  console.log(
    JSON.stringify({
      buyers: BUYERS,
      trivialRps: trivial.rps,
      checkoutsPerSecond: result.checkoutsPerSecond,
      ratio: Math.round((result.checkoutsPerSecond / trivial.rps) * 1000) / 1000,
      serverCpuMsPerBuyer: Math.round(cpuPerBuyer * 100) / 100,
      payMs: result.payMs,
      checkoutMs: result.checkoutMs,
      errors: result.errors,
      audit: result.audit,
      load: loadBefore,
    }),
  );
} finally {
  await cluster.stop();
}
