// The results file: every target row of issue 17 as a ratio to the baseline measured in the
// same run, the same way and at the same concurrency; the correctness checks; every figure.
import type { BareRaceResult, BareReadsResult } from "./bare-framework.js";
import type { BurstResult, LoadResult } from "./baselines.js";
import type { FlashCrowdResult } from "./flash-crowd.js";
import type { machine } from "./lib.js";
import { FRONT } from "./pushes.js";
import { auditExact, type CheckoutResult, type SeatRaceResult, type SteadyResult } from "./seats.js";

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  scale: number;
  counts: Record<string, number>;
  machine: ReturnType<typeof machine>;
  fileLimit: { soft: number; raised: boolean };
  loadAverage: Record<string, number[]>;
  baselines: {
    /** One instance, autocannon, 100 connections, right before and after the entry burst. */
    trivial100Before: LoadResult;
    trivial100After: LoadResult;
    /**
     * One instance, autocannon, 50 connections, right before, between and after the seat reads:
     * availableSeats is judged against the mean of before and between, seatMap of between and after.
     */
    trivial50Before: LoadResult;
    trivial50Between: LoadResult;
    trivial50After: LoadResult;
    /** Two instances, N simultaneous requests, right before and after the seat race. */
    trivialBurstBefore: BurstResult;
    trivialBurstAfter: BurstResult;
    /** Two instances, closed loops through the bench's client, as the steady phase. */
    trivialSteady: LoadResult;
    /** Two instances, closed loops at the checkout's concurrency. */
    trivialCheckout: LoadResult;
    rawConditionalUpdate: LoadResult;
    rawRedisIncr: LoadResult;
  };
  seatReads: { availableSeats: LoadResult; seatMap: LoadResult };
  flashCrowd: FlashCrowdResult;
  /**
   * The same race on another date right before, so that the measured one runs on a warmed-up
   * server (compiled code, a parsed document) as the trivial burst does; its own figures are kept.
   */
  seatRaceWarmUp: SeatRaceResult;
  seatRace: SeatRaceResult;
  steady: SteadyResult;
  /**
   * Other buyers' checkouts on dates of their own right before, so that the measured ones run on
   * code that has paid before (the servers' first payments); their figures are kept.
   */
  checkoutWarmUp: CheckoutResult;
  checkout: CheckoutResult;
  /** The same answers from a bare server of the same stack (bench/bare-framework.ts). */
  bareFramework: { reads: BareReadsResult; race: BareRaceResult };
}

export interface TargetRow {
  measure: string;
  measured: string;
  baseline: string;
  ratio: string;
  target: string;
  met: boolean;
}

export interface CheckRow {
  check: string;
  detail: string;
  ok: boolean;
}

const r2 = (x: number) => (Number.isFinite(x) ? (Math.round(x * 100) / 100).toString() : "—");
const mean = (a: number, b: number) => (a + b) / 2;
const none = (e: Record<string, number>) => Object.keys(e).length === 0;
const errs = (e: Record<string, number>) => (none(e) ? "none" : JSON.stringify(e));

type SeatRead = "availableSeats" | "seatMap";

/**
 * The two trivial baselines on the sides of a seat read (measured before, between and after the
 * two reads): each read's ratio uses the mean of its own two.
 */
const sidesOf = (
  read: SeatRead,
  before: LoadResult,
  between: LoadResult,
  after: LoadResult,
): [LoadResult, LoadResult] => (read === "availableSeats" ? [before, between] : [between, after]);

export function targets(r: BenchReport): TargetRow[] {
  const b = r.baselines;
  const f = r.flashCrowd;
  const t100 = mean(b.trivial100Before.rps, b.trivial100After.rps);
  const burstP99 = mean(b.trivialBurstBefore.latencyMs.p99, b.trivialBurstAfter.latencyMs.p99);
  const entryRatio = f.entry.rps / t100;
  const seatRow = (name: SeatRead): TargetRow => {
    const l = r.seatReads[name];
    const [before, after] = sidesOf(name, b.trivial50Before, b.trivial50Between, b.trivial50After);
    const t50 = mean(before.rps, after.rps);
    return {
      measure: `\`${name}\` rate / trivial rate, 50 clients, one instance`,
      measured: `${l.rps} req/s (errors ${errs(l.errors)})`,
      baseline: `{ serverTime } 50 conns: ${before.rps} before, ${after.rps} after (mean ${r2(t50)})`,
      ratio: r2(l.rps / t50),
      target: "≥ 0.85",
      met: l.rps / t50 >= 0.85 && none(l.errors),
    };
  };
  const raceRatio = r.seatRace.latencyMs.p99 / burstP99;
  const steadyRatio = r.steady.allOpsMs.p99 / b.trivialSteady.latencyMs.p99;
  const checkoutRatio = r.checkout.checkoutsPerSecond / b.trivialCheckout.rps;
  const perSub = Math.max(f.memory.heapPerSubKB, f.memory.rssPerSubKB);
  const wanted = r.counts["wantedSubscribers"] ?? 50_000;
  const capped =
    (r.counts["subscribers"] ?? wanted) < wanted
      ? ` (capped at ${r.counts["subscribers"]} by the open-file limit ${r.fileLimit.soft})`
      : "";
  const p = f.pushes;
  return [
    {
      measure: "`issueQueueToken` rate / trivial rate, 100 in flight, one instance",
      measured: `${f.entry.rps} req/s (${f.entry.requests} calls, errors ${errs(f.entry.errors)})`,
      baseline: `{ serverTime } 100 conns: ${b.trivial100Before.rps} before, ${b.trivial100After.rps} after (mean ${r2(t100)})`,
      ratio: r2(entryRatio),
      target: "≥ 0.9",
      met: entryRatio >= 0.9 && none(f.entry.errors),
    },
    seatRow("availableSeats"),
    seatRow("seatMap"),
    {
      measure: `${r.seatRace.requests} simultaneous \`reserveSeat\` for 50 seats, two instances: p99 / trivial burst p99`,
      measured: `p99 ${r.seatRace.latencyMs.p99} ms, ${r.seatRace.held} held`,
      baseline: `${b.trivialBurstBefore.requests} simultaneous { serverTime }: p99 ${b.trivialBurstBefore.latencyMs.p99} before, ${b.trivialBurstAfter.latencyMs.p99} after (mean ${r2(burstP99)})`,
      ratio: r2(raceRatio),
      target: "≤ 1.5, exactly 50 holds",
      met: raceRatio <= 1.5 && r.seatRace.held === 50 && r.seatRace.liveRowsInDb === 50,
    },
    {
      measure: `steady reserve + cancel, ${r.steady.clients} clients, two instances: p99 / trivial p99`,
      measured: `p99 ${r.steady.allOpsMs.p99} ms at ${r.steady.opsPerSecond} ops/s`,
      baseline: `{ serverTime } ${r.steady.clients} loops: p99 ${b.trivialSteady.latencyMs.p99} ms at ${b.trivialSteady.rps} req/s`,
      ratio: r2(steadyRatio),
      target: "≤ 1.5",
      met: steadyRatio <= 1.5 && none(r.steady.errors),
    },
    {
      measure: `checkout (charge + reserve + pay) per second / trivial rate, ${r.checkout.concurrency} clients, two instances`,
      measured: `${r.checkout.checkoutsPerSecond} checkouts/s (${r.checkout.paid}/${r.checkout.buyers} paid)`,
      baseline: `{ serverTime } ${r.checkout.concurrency} loops: ${b.trivialCheckout.rps} req/s`,
      ratio: r2(checkoutRatio),
      target: "≥ 0.2, audit exact",
      met: checkoutRatio >= 0.2 && auditExact(r.checkout.audit) && r.checkout.paid === r.checkout.buyers,
    },
    {
      measure: "idle `queueUpdates` subscribers on one instance, memory each",
      measured: `${f.subscribers.opened} open${capped} (${f.subscribers.failed} failed, ${f.subscribers.notTried} not started in time); ${f.memory.heapPerSubKB} KB heap, ${f.memory.rssPerSubKB} KB RSS each`,
      baseline: `idle server ${f.memory.rssBeforeMiB} MiB RSS, ${f.memory.heapBeforeMiB} MiB heap`,
      ratio: `${r2(perSub / 15)} of 15 KB`,
      target: `${wanted.toLocaleString("en")} at ≤ 15 KB`,
      met: f.subscribers.opened >= wanted && perSub <= 15,
    },
    {
      measure: `pushes at ${f.subscribers.opened} subscribers: first ${FRONT} in line, tick → arrival p99`,
      measured: `p99 ${p.frontLatencyMs.p99} ms over ${p.front} pushes; ${p.frontMissed} changes not seen`,
      baseline: `all pushes p99 ${p.latencyMs.p99} ms; raw Redis INCR p99 ${b.rawRedisIncr.latencyMs.p99} ms`,
      ratio: `${r2(p.frontLatencyMs.p99 / 1000)} of 1 s`,
      target: "p99 < 1 s, every change",
      met: p.front > 0 && p.frontLatencyMs.p99 < 1000 && p.frontMissed === 0,
    },
    {
      measure: `pushes at ${f.subscribers.opened} subscribers: longest time a subscriber's position was out of date`,
      measured: `max ${p.maxGapMs.max} ms (per subscriber p50 ${p.maxGapMs.p50}, p99 ${p.maxGapMs.p99}); ${p.gapsOver5s} subscribers over 5 s`,
      baseline: `${f.admission.ticks} ticks in a ${f.admission.windowSeconds} s window`,
      ratio: `${r2(p.maxGapMs.max / 5000)} of 5 s`,
      target: "≤ 5 s for everyone",
      met: p.subscribers > 0 && p.maxGapMs.max <= 5000,
    },
    {
      measure: `pushes at ${f.subscribers.opened} subscribers: lost / out of order`,
      measured: `lost ${p.lost}, out of order ${p.outOfOrder} (unexplained ${p.unexplained}, repeated ${p.repeated})`,
      baseline: "—",
      ratio: "—",
      target: "0 lost, 0 out of order",
      met: p.subscribers > 0 && p.lost === 0 && p.outOfOrder === 0 && p.unexplained === 0,
    },
  ];
}

export function checks(r: BenchReport): CheckRow[] {
  const f = r.flashCrowd;
  const s = r.seatRace;
  const a = r.checkout.audit;
  return [
    {
      check: "entry: positions distinct and gap-free, no errors",
      detail: `${f.entry.active} ACTIVE, ${f.entry.waiting} WAITING, ${f.entry.distinctPositions} distinct, gap-free ${f.entry.positionsGapFree}; errors ${errs(f.entry.errors)}`,
      ok:
        f.entry.positionsGapFree &&
        none(f.entry.errors) &&
        f.entry.active + f.entry.waiting === f.entry.requests,
    },
    {
      check: "subscribers: every one opened, none failed later",
      detail: `${f.subscribers.opened}/${f.subscribers.wanted} over ${f.subscribers.processes} processes (${f.subscribers.failed} failed, ${f.subscribers.notTried} not started in the time limit); errors ${f.pushes.subscriberErrors}${f.subscribers.firstError ? `; first failure: ${f.subscribers.firstError}` : ""}`,
      ok: f.subscribers.opened === f.subscribers.wanted && f.pushes.subscriberErrors === 0,
    },
    {
      check: "admission: every leave answered",
      detail: `${f.admission.leaves} leaves, ${f.admission.leaveErrors} failed`,
      ok: f.admission.leaveErrors === 0 && f.admission.admitted > 0,
    },
    {
      check: "seat race: exactly 50 holds on 50 distinct seats, none twice, every request answered",
      detail: `held ${s.held}; SQL ${s.liveRowsInDb} live rows on ${s.distinctSeatsInDb} seats; seats twice ${s.seatsHeldTwice}, users holding two ${s.usersHoldingTwo}; unanswered ${s.unanswered}; ${JSON.stringify(s.outcomes)}`,
      ok:
        s.held === 50 &&
        s.liveRowsInDb === 50 &&
        s.distinctSeatsInDb === 50 &&
        s.seatsHeldTwice === 0 &&
        s.usersHoldingTwo === 0 &&
        s.unanswered === 0,
    },
    {
      check:
        "bursts: no connection dropped at a full accept backlog (each would wait 1 s for a SYN retransmit)",
      detail: `trivial before ${r.baselines.trivialBurstBefore.listenOverflows}, race ${s.listenOverflows}, trivial after ${r.baselines.trivialBurstAfter.listenOverflows} (TcpExt ListenOverflows)`,
      ok:
        r.baselines.trivialBurstBefore.listenOverflows === 0 &&
        s.listenOverflows === 0 &&
        r.baselines.trivialBurstAfter.listenOverflows === 0,
    },
    {
      check: "steady: no errors",
      detail: errs(r.steady.errors),
      ok: none(r.steady.errors),
    },
    {
      check: "money audit: balances = ledgers, one payment per sold seat, none sold twice, sums agree",
      detail: `${a.walletsNotMatchingLedger} wallets off, ${a.payments} payments / ${a.confirmedReservations} CONFIRMED, ${a.paymentsOnUnconfirmed} on unconfirmed, ${a.seatsSoldTwice} sold twice, paid ${a.paymentsAmount} / told ${a.expectedAmount}; checkout errors ${errs(r.checkout.errors)}`,
      ok: auditExact(a) && r.checkout.paid === r.checkout.buyers,
    },
  ];
}

const lat = (s: { p50: number; p95: number; p99: number; max: number }) =>
  `${s.p50} / ${s.p95} / ${s.p99} / ${s.max}`;

function loadRow(name: string, l: LoadResult): string {
  return `| ${name} | ${l.requests} | ${l.rps} | ${lat(l.latencyMs)} | ${errs(l.errors)} |`;
}

function burstRow(name: string, l: BurstResult): string {
  return `| ${name} | ${l.requests} | ${Math.round((l.requests / Math.max(1, l.wallMs)) * 1000)} | ${lat(l.latencyMs)} | ${errs(l.errors)} |`;
}

/**
 * What the framework alone reaches for the seat-read and race answers (a bare server of the
 * same stack, same run), next to our rows' ratios: the ceiling those rows can be judged against.
 */
export function ceilingTable(r: BenchReport): string[] {
  const b = r.baselines;
  const { reads, race } = r.bareFramework;
  const burstP99 = mean(b.trivialBurstBefore.latencyMs.p99, b.trivialBurstAfter.latencyMs.p99);
  const bareBurstP99 = mean(race.trivialBefore.latencyMs.p99, race.trivialAfter.latencyMs.p99);
  const readRow = (name: SeatRead) => {
    const ours = r.seatReads[name];
    const bare = reads[name];
    const meanOf = ([x, y]: [LoadResult, LoadResult]) => mean(x.rps, y.rps);
    const oursT = meanOf(sidesOf(name, b.trivial50Before, b.trivial50Between, b.trivial50After));
    const bareT = meanOf(sidesOf(name, reads.trivialBefore, reads.trivialBetween, reads.trivialAfter));
    const oursRatio = ours.rps / oursT;
    const bareRatio = bare.rps / bareT;
    return `| \`${name}\` rate / trivial rate, 50 clients | ${bare.rps} req/s / ${r2(bareT)} req/s (errors ${errs(bare.errors)}) | ${r2(bareRatio)} | ${r2(oursRatio)} | ${r2(oursRatio / bareRatio)} | ≥ 0.85 |`;
  };
  const oursRace = r.seatRace.latencyMs.p99 / burstP99;
  const bareRaceRatio = race.race.latencyMs.p99 / bareBurstP99;
  return [
    "| Answer | Bare framework: answer / its trivial | Bare ratio | Our ratio (targets above) | Ours / bare | Target |",
    "| --- | --- | --- | --- | --- | --- |",
    readRow("availableSeats"),
    readRow("seatMap"),
    `| ${race.race.requests} simultaneous \`reserveSeat\`, two servers: p99 / trivial burst p99 | p99 ${race.race.latencyMs.p99} ms / ${r2(bareBurstP99)} ms (${errs(race.race.errors)}) | ${r2(bareRaceRatio)} | ${r2(oursRace)} | ${r2(oursRace / bareRaceRatio)} | ≤ 1.5 |`,
  ];
}

export function targetTable(r: BenchReport): string[] {
  return [
    "| Measure | Measured | Baseline (same run, same way) | Ratio | Target | Met |",
    "| --- | --- | --- | --- | --- | --- |",
    ...targets(r).map(
      (t) =>
        `| ${t.measure} | ${t.measured} | ${t.baseline} | ${t.ratio} | ${t.target} | ${t.met ? "yes" : "**no**"} |`,
    ),
  ];
}

export function checkTable(r: BenchReport): string[] {
  return [
    "| Check | Detail | OK |",
    "| --- | --- | --- |",
    ...checks(r).map((c) => `| ${c.check} | ${c.detail} | ${c.ok ? "yes" : "**FAILED**"} |`),
  ];
}

export function renderReport(r: BenchReport): string {
  const m = r.machine;
  const f = r.flashCrowd;
  const b = r.baselines;
  const failed = checks(r).filter((c) => !c.ok);
  const lines = [
    `# Bench results ${r.startedAt}`,
    "",
    `Machine: ${m.nproc} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}. ` +
      `Scale ${r.scale}; ${r.durationSeconds} s end to end. The load generator runs on the same cores as the servers. ` +
      `Open-file limit ${r.fileLimit.soft}${r.fileLimit.raised ? " (raised by the bench)" : ""}.`,
    "",
    `Load average (1/5/15 min): ${Object.entries(r.loadAverage)
      .map(([k, v]) => `${k} ${v.join(" ")}`)
      .join("; ")}.`,
    "",
    failed.length
      ? `**${failed.length} correctness check(s) FAILED: ${failed.map((c) => c.check).join("; ")}.**`
      : "All correctness checks passed.",
    "",
    "## Targets (issue 17)",
    "",
    ...targetTable(r),
    "",
    "## The framework's own ceiling for these answers",
    "",
    "A bare server of the same stack (bench/bare-framework.ts: Apollo Server 5, express 5, graphql-js, NODE_ENV=production, nothing of ours) answers the same documents from constants, measured the same way in this run. Its ratios are what executing and serialising the answer costs the framework by itself.",
    "",
    ...ceilingTable(r),
    "",
    "## Correctness checks",
    "",
    ...checkTable(r),
    "",
    "## Throughput and latency",
    "",
    "| Load | Requests | Per second | p50 / p95 / p99 / max ms | Errors |",
    "| --- | --- | --- | --- | --- |",
    loadRow("baseline: `{ serverTime }` 100 connections, before the entry burst", b.trivial100Before),
    loadRow("baseline: `{ serverTime }` 100 connections, after the entry burst", b.trivial100After),
    loadRow("flash crowd: issueQueueToken, 100 connections, one instance", f.entry),
    loadRow("baseline: `{ serverTime }` 50 connections, before the seat reads", b.trivial50Before),
    loadRow("seat reads: availableSeats, 50 connections", r.seatReads.availableSeats),
    loadRow("baseline: `{ serverTime }` 50 connections, between the seat reads", b.trivial50Between),
    loadRow("seat reads: seatMap, 50 connections", r.seatReads.seatMap),
    loadRow("baseline: `{ serverTime }` 50 connections, after the seat reads", b.trivial50After),
    burstRow("baseline: simultaneous `{ serverTime }`, two instances, before the race", b.trivialBurstBefore),
    `| warm-up: the same race on another date, first reserveSeat of the servers | ${r.seatRaceWarmUp.requests} | ${Math.round((r.seatRaceWarmUp.requests / r.seatRaceWarmUp.wallMs) * 1000)} | ${lat(r.seatRaceWarmUp.latencyMs)} | ${r.seatRaceWarmUp.unanswered} unanswered, ${r.seatRaceWarmUp.held} held |`,
    `| seat race: simultaneous reserveSeat, two instances | ${r.seatRace.requests} | ${Math.round((r.seatRace.requests / r.seatRace.wallMs) * 1000)} | ${lat(r.seatRace.latencyMs)} | ${r.seatRace.unanswered} unanswered |`,
    burstRow("baseline: simultaneous `{ serverTime }`, two instances, after the race", b.trivialBurstAfter),
    loadRow(`baseline: \`{ serverTime }\` ${r.steady.clients} closed loops, two instances`, b.trivialSteady),
    `| steady: reserveSeat + cancelReservation, ${r.steady.clients} clients | ${r.steady.reserveMs.count + r.steady.cancelMs.count} | ${r.steady.opsPerSecond} | ${lat(r.steady.allOpsMs)} | ${errs(r.steady.errors)} |`,
    loadRow(
      `baseline: \`{ serverTime }\` ${r.checkout.concurrency} closed loops, two instances`,
      b.trivialCheckout,
    ),
    `| warm-up: checkout by other buyers on dates of their own, first payments of the servers | ${r.checkoutWarmUp.buyers} | ${r.checkoutWarmUp.checkoutsPerSecond} | ${lat(r.checkoutWarmUp.checkoutMs)} | ${errs(r.checkoutWarmUp.errors)} |`,
    `| checkout: charge + reserve + pay per buyer, ${r.checkout.concurrency} at a time | ${r.checkout.buyers} | ${r.checkout.checkoutsPerSecond} | ${lat(r.checkout.checkoutMs)} | ${errs(r.checkout.errors)} |`,
    loadRow("bare framework: `{ serverTime }` 50 connections, before", r.bareFramework.reads.trivialBefore),
    loadRow("bare framework: availableSeats' answer from constants", r.bareFramework.reads.availableSeats),
    loadRow("bare framework: `{ serverTime }` 50 connections, between", r.bareFramework.reads.trivialBetween),
    loadRow("bare framework: seatMap's answer from constants", r.bareFramework.reads.seatMap),
    loadRow("bare framework: `{ serverTime }` 50 connections, after", r.bareFramework.reads.trivialAfter),
    burstRow(
      "bare framework: simultaneous `{ serverTime }`, two servers, before",
      r.bareFramework.race.trivialBefore,
    ),
    burstRow(
      "bare framework: simultaneous reserveSeat, refusals as GraphQLErrors",
      r.bareFramework.race.race,
    ),
    burstRow(
      "bare framework: simultaneous `{ serverTime }`, two servers, after",
      r.bareFramework.race.trivialAfter,
    ),
    loadRow("baseline: raw conditional UPDATE (40 loops, 20 connections)", b.rawConditionalUpdate),
    loadRow("baseline: raw Redis INCR (100 in flight)", b.rawRedisIncr),
    "",
    "## Flash crowd and subscribers (one instance)",
    "",
    `- Entry: ${f.entry.requests} calls in ${f.entry.seconds} s; ${f.entry.active} ACTIVE at once, ${f.entry.waiting} WAITING with ${f.entry.distinctPositions} distinct positions (gap-free 1..n: ${f.entry.positionsGapFree}).`,
    `- Subscribers: ${f.subscribers.opened} of ${f.subscribers.wanted} opened in ${f.subscribers.openSeconds} s from ${f.subscribers.processes} client processes (${f.subscribers.failed} failed, ${f.subscribers.notTried} not started in the time limit); subscriber errors ${f.pushes.subscriberErrors}.`,
    `- Memory: RSS ${f.memory.rssBeforeMiB} → ${f.memory.rssAfterMiB} MiB, heap ${f.memory.heapBeforeMiB} → ${f.memory.heapAfterMiB} MiB: ${f.memory.rssPerSubKB} KB RSS and ${f.memory.heapPerSubKB} KB heap per idle subscription (${f.memory.afterFullGc ? "each reading right after a full GC" : "no forced GC: noisy"}).`,
    `- Admission window ${f.admission.windowSeconds} s (then ${f.admission.drainSeconds} s for pushes on their way): ${f.admission.admitted} admitted in ${f.admission.ticks} ticks (${f.admission.admittedPerSecond}/s; each admitted user left at once, ${f.admission.leaves} leaves, ${f.admission.leaveErrors} failed).`,
    `- Pushes: ${f.pushes.received} to ${f.pushes.subscribers} waiting subscribers; tick → arrival p50 ${f.pushes.latencyMs.p50} ms, p95 ${f.pushes.latencyMs.p95} ms, p99 ${f.pushes.latencyMs.p99} ms, max ${f.pushes.latencyMs.max} ms; ${r2(f.pushes.withinOneSecond * 100)}% within 1 s (server histogram: ${f.pushes.serverHistogramWithin1s === null ? "n/a" : `${r2(f.pushes.serverHistogramWithin1s * 100)}%`}).`,
    `- First ${FRONT} in line: ${f.pushes.front} pushes, p50 ${f.pushes.frontLatencyMs.p50} ms, p99 ${f.pushes.frontLatencyMs.p99} ms, max ${f.pushes.frontLatencyMs.max} ms; changes they did not see ${f.pushes.frontMissed}.`,
    `- Subscriber processes' own event-loop lag during the window (100 ms timer drift; a push arriving meanwhile is stamped that much late): p50 ${f.pushes.clientLoopLagMs.p50} ms, p99 ${f.pushes.clientLoopLagMs.p99} ms, max ${f.pushes.clientLoopLagMs.max} ms.`,
    `- Fresh positions: longest time out of date per subscriber p50 ${f.pushes.maxGapMs.p50} ms, p99 ${f.pushes.maxGapMs.p99} ms, max ${f.pushes.maxGapMs.max} ms; ${f.pushes.gapsOver5s} subscribers with a gap over 5 s; ticks folded into a later push further back ${f.pushes.coalesced}.`,
    `- Lost ${f.pushes.lost} (last push not the final state), out of order ${f.pushes.outOfOrder}, repeated ${f.pushes.repeated}, unexplained ${f.pushes.unexplained}, reached ACTIVE ${f.pushes.active}.`,
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
