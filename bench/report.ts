// The results file: every figure, and each target as a ratio to the baseline measured in the
// same run on the same machine.
import type { LoadResult } from "./baselines.js";
import type { FlashCrowdResult } from "./flash-crowd.js";
import type { machine } from "./lib.js";
import type { CheckoutResult, SeatRaceResult, SteadyResult } from "./seats.js";

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  scale: number;
  counts: Record<string, number>;
  machine: ReturnType<typeof machine>;
  loadAverage: Record<string, number[]>;
  baselines: {
    trivialQuery: LoadResult;
    trivialQueryAfterEntry: LoadResult;
    rawConditionalUpdate: LoadResult;
    rawRedisIncr: LoadResult;
  };
  flashCrowd: FlashCrowdResult;
  seatRace: SeatRaceResult;
  steady: SteadyResult;
  checkout: CheckoutResult;
}

export interface TargetRow {
  target: string;
  measured: string;
  baseline: string;
  ratio: string;
  met: boolean;
}

const r2 = (x: number) => (Math.round(x * 100) / 100).toString();

export function targets(r: BenchReport): TargetRow[] {
  const t = r.baselines.trivialQuery;
  const ta = r.baselines.trivialQueryAfterEntry;
  const ceiling = (t.rps + ta.rps) / 2;
  const u = r.baselines.rawConditionalUpdate;
  const f = r.flashCrowd;
  const within = f.pushes.withinOneSecond;
  return [
    {
      target: "issueQueueToken rate ≥ 0.5 × trivial-query rate (one instance)",
      measured: `${f.entry.rps} req/s`,
      baseline: `{ serverTime }: ${t.rps} req/s before, ${ta.rps} after (mean ${r2(ceiling)})`,
      ratio: r2(f.entry.rps / ceiling),
      met: f.entry.rps / ceiling >= 0.5,
    },
    {
      target: `seat burst (${r.seatRace.requests} at once) fully answered, p99 < 2 s`,
      measured: `p99 ${r.seatRace.latencyMs.p99} ms, unanswered ${r.seatRace.unanswered}`,
      baseline: `raw UPDATE p99 ${u.latencyMs.p99} ms; trivial p99 ${t.latencyMs.p99} ms`,
      ratio: `${r2(r.seatRace.latencyMs.p99 / 2000)} of target; ${r2(r.seatRace.latencyMs.p99 / t.latencyMs.p99)} × trivial p99`,
      met: r.seatRace.latencyMs.p99 < 2000 && r.seatRace.unanswered === 0,
    },
    {
      target: `steady reserve/cancel (${r.steady.clients} clients) p99 < 50 ms`,
      measured: `p99 ${r.steady.allOpsMs.p99} ms at ${r.steady.opsPerSecond} ops/s`,
      baseline: `raw UPDATE ${u.rps}/s p99 ${u.latencyMs.p99} ms; trivial p99 ${t.latencyMs.p99} ms`,
      ratio: `${r2(r.steady.allOpsMs.p99 / 50)} of target; ${r2(r.steady.opsPerSecond / u.rps)} × raw UPDATE rate`,
      met: r.steady.allOpsMs.p99 < 50,
    },
    {
      target: `99% of pushes within 1 s of their tick (${f.subscribers.opened} subscribers)`,
      measured: `${r2(within * 100)}% (p50 ${f.pushes.latencyMs.p50} ms, p99 ${f.pushes.latencyMs.p99} ms)`,
      baseline: `raw Redis INCR p99 ${r.baselines.rawRedisIncr.latencyMs.p99} ms`,
      ratio: r2(within / 0.99),
      met: within >= 0.99,
    },
    {
      target: "lost or out-of-order pushes = 0",
      measured: `lost ${f.pushes.lost}, out of order ${f.pushes.outOfOrder} (coalesced ${f.pushes.coalesced})`,
      baseline: "—",
      ratio: "—",
      met: f.pushes.lost === 0 && f.pushes.outOfOrder === 0,
    },
    {
      target: "memory per idle subscription < 20 KB",
      measured: `${f.memory.heapPerSubKB} KB heap, ${f.memory.rssPerSubKB} KB RSS`,
      baseline: `idle server: ${f.memory.rssBeforeMiB} MiB RSS, ${f.memory.heapBeforeMiB} MiB heap`,
      ratio: `${r2(Math.max(f.memory.heapPerSubKB, f.memory.rssPerSubKB) / 20)} of target`,
      met: Math.max(f.memory.heapPerSubKB, f.memory.rssPerSubKB) < 20,
    },
    {
      target: "seat race: exactly 50 holds, none twice",
      measured: `${r.seatRace.held} held, ${r.seatRace.distinctSeatsInDb} seats live in SQL, twice ${r.seatRace.seatsHeldTwice}`,
      baseline: "—",
      ratio: "—",
      met: r.seatRace.held === 50 && r.seatRace.liveRowsInDb === 50 && r.seatRace.seatsHeldTwice === 0,
    },
    {
      target: "checkout audit: balances = ledgers, one payment per sold seat, none sold twice",
      measured: `${r.checkout.audit.walletsNotMatchingLedger} mismatched wallets, ${r.checkout.audit.payments} payments / ${r.checkout.audit.confirmedReservations} sold, ${r.checkout.audit.seatsSoldTwice} sold twice`,
      baseline: "—",
      ratio: "—",
      met:
        r.checkout.audit.walletsNotMatchingLedger === 0 &&
        r.checkout.audit.payments === r.checkout.audit.confirmedReservations &&
        r.checkout.audit.paymentsOnUnconfirmed === 0 &&
        r.checkout.audit.seatsSoldTwice === 0 &&
        r.checkout.audit.paymentsAmount === r.checkout.audit.expectedAmount,
    },
  ];
}

const lat = (s: { p50: number; p95: number; p99: number; max: number }) =>
  `${s.p50} / ${s.p95} / ${s.p99} / ${s.max}`;
const errs = (e: Record<string, number>) => (Object.keys(e).length ? JSON.stringify(e) : "none");

function loadRow(name: string, l: LoadResult): string {
  return `| ${name} | ${l.requests} | ${l.rps} | ${lat(l.latencyMs)} | ${errs(l.errors)} |`;
}

export function renderReport(r: BenchReport): string {
  const m = r.machine;
  const f = r.flashCrowd;
  const lines = [
    `# Bench results ${r.startedAt}`,
    "",
    `Machine: ${m.nproc} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}. ` +
      `Scale ${r.scale}; ${r.durationSeconds} s end to end. The load generator runs on the same cores as the servers.`,
    "",
    `Load average (1/5/15 min): ${Object.entries(r.loadAverage)
      .map(([k, v]) => `${k} ${v.join(" ")}`)
      .join("; ")}.`,
    "",
    "## Targets",
    "",
    "| Target | Measured | Baseline (same run) | Ratio | Met |",
    "| --- | --- | --- | --- | --- |",
    ...targets(r).map(
      (t) => `| ${t.target} | ${t.measured} | ${t.baseline} | ${t.ratio} | ${t.met ? "yes" : "**no**"} |`,
    ),
    "",
    "## Throughput and latency",
    "",
    "| Load | Requests | Per second | p50 / p95 / p99 / max ms | Errors |",
    "| --- | --- | --- | --- | --- |",
    loadRow("baseline: `{ serverTime }` before the entry burst (100 connections)", r.baselines.trivialQuery),
    loadRow("baseline: `{ serverTime }` after the entry burst", r.baselines.trivialQueryAfterEntry),
    loadRow("baseline: raw conditional UPDATE (40 loops, 20 connections)", r.baselines.rawConditionalUpdate),
    loadRow("baseline: raw Redis INCR (100 in flight)", r.baselines.rawRedisIncr),
    loadRow("flash crowd: issueQueueToken (100 connections, one instance)", f.entry),
    `| seat race: reserveSeat at once, two instances | ${r.seatRace.requests} | ${Math.round((r.seatRace.requests / r.seatRace.wallMs) * 1000)} | ${lat(r.seatRace.latencyMs)} | ${r.seatRace.unanswered} unanswered |`,
    `| steady: reserveSeat + cancelReservation, ${r.steady.clients} clients | ${r.steady.reserveMs.count + r.steady.cancelMs.count} | ${r.steady.opsPerSecond} | ${lat(r.steady.allOpsMs)} | ${errs(r.steady.errors)} |`,
    `| checkout: reserveSeat + payReservation per buyer | ${r.checkout.buyers} | ${r.checkout.checkoutsPerSecond} | ${lat(r.checkout.checkoutMs)} | ${errs(r.checkout.errors)} |`,
    "",
    "## Flash crowd",
    "",
    `- Entry: ${f.entry.requests} calls in ${f.entry.seconds} s; ${f.entry.active} ACTIVE at once, ${f.entry.waiting} WAITING with ${f.entry.distinctPositions} distinct positions (gap-free 1..n: ${f.entry.positionsGapFree}).`,
    `- Subscribers: ${f.subscribers.opened} opened in ${f.subscribers.openSeconds} s (${f.subscribers.failed} failed); subscriber errors ${f.pushes.subscriberErrors}.`,
    `- Memory: RSS ${f.memory.rssBeforeMiB} → ${f.memory.rssAfterMiB} MiB, heap ${f.memory.heapBeforeMiB} → ${f.memory.heapAfterMiB} MiB: ${f.memory.rssPerSubKB} KB RSS and ${f.memory.heapPerSubKB} KB heap per idle subscription (${f.memory.afterFullGc ? "each reading right after a full GC" : "no forced GC: noisy"}).`,
    `- Admission: ${f.admission.admitted} admitted in ${f.admission.ticks} ticks over ${f.admission.seconds} s (${f.admission.admittedPerSecond}/s; each admitted user left at once, ${f.admission.leaves} leaves, ${f.admission.leaveErrors} failed).`,
    `- Pushes: ${f.pushes.received} position/ACTIVE pushes; tick → arrival p50 ${f.pushes.latencyMs.p50} ms, p95 ${f.pushes.latencyMs.p95} ms, p99 ${f.pushes.latencyMs.p99} ms, max ${f.pushes.latencyMs.max} ms; ${r2(f.pushes.withinOneSecond * 100)}% within 1 s (server histogram: ${f.pushes.serverHistogramWithin1s === null ? "n/a" : `${r2(f.pushes.serverHistogramWithin1s * 100)}%`}).`,
    `- Lost ${f.pushes.lost}, out of order ${f.pushes.outOfOrder}, coalesced steps ${f.pushes.coalesced}, unexplained ${f.pushes.unexplained}, never admitted ${f.pushes.neverActive}.`,
    "",
    "## Seat race, steady phase, checkout (two instances, one database)",
    "",
    `- Seat race: ${r.seatRace.requests} requests in ${r.seatRace.wallMs} ms; outcomes ${JSON.stringify(r.seatRace.outcomes)}; ${r.seatRace.liveRowsInDb} live rows on ${r.seatRace.distinctSeatsInDb} seats in SQL; seats held twice ${r.seatRace.seatsHeldTwice}; users holding two ${r.seatRace.usersHoldingTwo}.`,
    `- Steady: reserveSeat ${lat(r.steady.reserveMs)} ms, cancelReservation ${lat(r.steady.cancelMs)} ms (p50/p95/p99/max); ${r.steady.cyclesPerSecond} cycles/s.`,
    `- Checkout: ${r.checkout.paid}/${r.checkout.buyers} paid in ${r.checkout.seconds} s; payReservation ${lat(r.checkout.payMs)} ms.`,
    `- Audit: ${JSON.stringify(r.checkout.audit)}.`,
    "",
  ];
  return lines.join("\n");
}
