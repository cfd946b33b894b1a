// The kernel's TCP counters (this network namespace: all of the bench's loopback traffic), read
// from /proc each minute of the soak. On loopback nothing is lost on the wire, so a
// retransmission or a timeout means a receiver that did not take its data in time, and every
// retransmission timeout costs at least the minimum RTO (200 ms): enough to be a p99 jump.
import { readFileSync } from "node:fs";

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

export function tcpSince(before: TcpCounters, now: TcpCounters): TcpCounters {
  return {
    retransmitted: now.retransmitted - before.retransmitted,
    timeouts: now.timeouts - before.timeouts,
    lossProbes: now.lossProbes - before.lossProbes,
    zeroWindows: now.zeroWindows - before.zeroWindows,
    listenDrops: now.listenDrops - before.listenDrops,
  };
}
