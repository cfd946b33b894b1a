// An in-memory QueueStore for unit tests of the service, guard and live updates. A tick fills
// the free slots in entry order and nothing more: the admission rule (per-tick cap, max active,
// pause) is the admit script's, tested against real Redis in tests/integration/queue/.
import type {
  QueueSettings,
  QueueStore,
  StoredTicket,
  TicketRef,
  TicketStatus,
  TicketView,
  TickResult,
} from "../../../src/modules/queue/queue.model.js";

interface Row {
  ticketId: string;
  seq: number;
  status: TicketStatus;
  issuedAtMs: number;
  activeUntilMs: number | null;
  seenMs: number;
}

export class FakeQueueStore implements QueueStore {
  readonly tickets = new Map<string, Row>();
  private readonly seqs = new Map<string, number>();
  private readonly registered = new Set<string>();
  viewCalls = 0;
  viewedRefs = 0;
  observedRate: number | null = null;

  constructor(private readonly s: QueueSettings) {}

  private key = (concertId: string, userId: string) => `${concertId}/${userId}`;

  private effective(row: Row | undefined, now: number): TicketStatus {
    if (!row) return "EXPIRED";
    if (row.status === "ACTIVE") return row.activeUntilMs! > now ? "ACTIVE" : "EXPIRED";
    if (row.status === "WAITING") return now - row.seenMs <= this.s.idleMs ? "WAITING" : "EXPIRED";
    return "EXPIRED";
  }

  private rows(concertId: string) {
    return [...this.tickets].filter(([k]) => k.startsWith(`${concertId}/`));
  }

  private rank(concertId: string, row: Row): number {
    return this.rows(concertId).filter(([, r]) => r.status === "WAITING" && r.seq < row.seq).length;
  }

  async enter(concertId: string, userId: string, newTicketId: string, now: number): Promise<StoredTicket> {
    const k = this.key(concertId, userId);
    const existing = this.tickets.get(k);
    const status = this.effective(existing, now);
    if (existing && status !== "EXPIRED" && now - existing.issuedAtMs < this.s.maxAgeMs) {
      if (status === "WAITING") existing.seenMs = now;
      return this.stored(concertId, existing, status, false);
    }
    const seq = (this.seqs.get(concertId) ?? 0) + 1;
    this.seqs.set(concertId, seq);
    const rows = this.rows(concertId).map(([, r]) => r);
    const waiting = rows.filter((r) => r.status === "WAITING").length;
    const active = rows.filter((r) => r.status === "ACTIVE" && r.activeUntilMs! > now).length;
    const admitted = waiting === 0 && active < this.s.maxActive;
    const row: Row = {
      ticketId: newTicketId,
      seq,
      status: admitted ? "ACTIVE" : "WAITING",
      issuedAtMs: now,
      activeUntilMs: admitted ? now + this.s.activeMs : null,
      seenMs: now,
    };
    this.tickets.set(k, row);
    return this.stored(concertId, row, row.status, true);
  }

  private stored(concertId: string, row: Row, status: TicketStatus, fresh: boolean): StoredTicket {
    return {
      ticketId: row.ticketId,
      seq: row.seq,
      issuedAtMs: row.issuedAtMs,
      status,
      activeUntilMs: row.activeUntilMs,
      rank: status === "WAITING" ? this.rank(concertId, row) : null,
      fresh,
      observedRate: this.observedRate,
    };
  }

  async views(refs: readonly TicketRef[], now: number, touch: boolean): Promise<TicketView[]> {
    this.viewCalls += 1;
    this.viewedRefs += refs.length;
    return refs.map((ref) => {
      const row = this.tickets.get(this.key(ref.concertId, ref.userId));
      if (!row || row.ticketId !== ref.ticketId) {
        return { status: "EXPIRED", activeUntilMs: null, rank: null, observedRate: this.observedRate };
      }
      const status = this.effective(row, now);
      if (status === "WAITING" && touch) row.seenMs = now;
      return {
        status,
        activeUntilMs: row.activeUntilMs,
        rank: status === "WAITING" ? this.rank(ref.concertId, row) : null,
        observedRate: this.observedRate,
      };
    });
  }

  async admit(concertId: string, now: number): Promise<TickResult> {
    let expired = 0;
    let dropped = 0;
    for (const [, r] of this.rows(concertId)) {
      if (r.status === "ACTIVE" && r.activeUntilMs! <= now) {
        r.status = "EXPIRED";
        expired += 1;
      } else if (r.status === "WAITING" && now - r.seenMs > this.s.idleMs) {
        r.status = "EXPIRED";
        dropped += 1;
      }
    }
    const rows = this.rows(concertId).map(([, r]) => r);
    const active = rows.filter((r) => r.status === "ACTIVE").length;
    const next = rows
      .filter((r) => r.status === "WAITING")
      .sort((a, b) => a.seq - b.seq)
      .slice(0, Math.max(0, this.s.maxActive - active));
    for (const r of next) {
      r.status = "ACTIVE";
      r.activeUntilMs = now + this.s.activeMs;
    }
    return {
      ran: true,
      admitted: next.length,
      expired,
      dropped,
      active: active + next.length,
      waiting: rows.filter((r) => r.status === "WAITING").length,
      soldOut: false,
    };
  }

  async end(ref: TicketRef): Promise<boolean> {
    const row = this.tickets.get(this.key(ref.concertId, ref.userId));
    if (!row || row.ticketId !== ref.ticketId || row.status === "EXPIRED") return false;
    row.status = "EXPIRED";
    return true;
  }

  async extend(ref: TicketRef, untilMs: number, now: number): Promise<boolean> {
    const row = this.tickets.get(this.key(ref.concertId, ref.userId));
    if (!row || row.ticketId !== ref.ticketId || this.effective(row, now) !== "ACTIVE") return false;
    row.activeUntilMs = Math.max(row.activeUntilMs!, untilMs);
    return true;
  }

  async registerConcert(concertId: string): Promise<void> {
    this.registered.add(concertId);
  }

  async concerts(): Promise<string[]> {
    return [...this.registered];
  }
}
