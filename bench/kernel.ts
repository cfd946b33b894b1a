// The kernel's TCP counters (this network namespace: all of the bench's loopback traffic), read
// from /proc each minute of the soak. On loopback nothing is lost on the wire, so a
// retransmission or a timeout means a receiver that did not take its data in time, and every
// retransmission timeout costs at least the minimum RTO (200 ms): enough to be a p99 jump.
import { readFileSync } from "node:fs";
import { countsSince } from "./lib.js";

export interface TcpCounters {
  /** Segments sent again (Tcp RetransSegs). */
  retransmitted: number;
  /** Retransmission timeouts (TcpExt TCPTimeouts). */
  timeouts: number;
  /** Tail loss probes (TcpExt TCPLossProbes): a reply not acknowledged within about 2 RTTs. */
  lossProbes: number;
  /** Zero windows advertised (TcpExt TCPToZeroWindowAdv): a reader whose buffer was full. */
  zeroWindows: number;
  /** Connections a full listen queue dropped (TcpExt ListenOverflows + ListenDrops). */
  listenDrops: number;
}

function table(file: string, prefix: string): Map<string, number> {
  const lines = readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.startsWith(`${prefix}:`));
  const [names, values] = [lines[0]?.split(/\s+/) ?? [], lines[1]?.split(/\s+/) ?? []];
  return new Map(names.slice(1).map((n, i) => [n, Number(values[i + 1] ?? NaN)]));
}

export function tcpCounters(): TcpCounters {
  const tcp = table("/proc/net/snmp", "Tcp");
  const ext = table("/proc/net/netstat", "TcpExt");
  const of = (m: Map<string, number>, k: string) => m.get(k) ?? 0;
  return {
    retransmitted: of(tcp, "RetransSegs"),
    timeouts: of(ext, "TCPTimeouts"),
    lossProbes: of(ext, "TCPLossProbes"),
    zeroWindows: of(ext, "TCPToZeroWindowAdv"),
    listenDrops: of(ext, "ListenOverflows") + of(ext, "ListenDrops"),
  };
}

/** The machine's CPU time in clock ticks, all cores (/proc/stat's first line). */
export interface CpuTimes {
  busy: number;
  idle: number;
  iowait: number;
  /** Time the hypervisor gave this VM's virtual CPUs to someone else while they had work. */
  steal: number;
}

export function cpuTimes(): CpuTimes {
  const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "")
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  return { busy: user + nice + system + irq + softirq, idle, iowait, steal };
}

/** Shares of all CPU time between two readings, in percent (busy + idle + iowait + steal = 100). */
export function cpuShares(before: CpuTimes, now: CpuTimes): CpuTimes {
  const d = countsSince(before, now);
  const total = d.busy + d.idle + d.iowait + d.steal || 1;
  const pct = (n: number) => Math.round((n / total) * 1000) / 10;
  return { busy: pct(d.busy), idle: pct(d.idle), iowait: pct(d.iowait), steal: pct(d.steal) };
}
