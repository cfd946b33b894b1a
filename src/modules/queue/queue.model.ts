// The queue's vocabulary: what a ticket is, the store's contract, its Redis key names and the
// parsers of the scripts' replies. The Redis side is queue.store.ts (and prequeue.store.ts);
// the scripts are queue-scripts.ts and prequeue-scripts.ts.

/** PREQUEUED: entered before the sale opens, waiting for the draw (prequeue-scripts.ts). */
export type TicketStatus = "PREQUEUED" | "WAITING" | "ACTIVE" | "EXPIRED";

/** A ticket as stored, with its live place in line. */
export interface StoredTicket {
  ticketId: string;
  seq: number;
  issuedAtMs: number;
  status: TicketStatus;
  activeUntilMs: number | null;
  /** 0-based rank among WAITING tickets; null unless WAITING. */
  rank: number | null;
  /** true when this call created the ticket (false: the user's live ticket was returned). */
  fresh: boolean;
  observedRate: number | null;
  /** The concert's scheduled opening (ms), when it has one; attached by RecoveringQueueStore. */
  saleOpensAtMs?: number | null;
}

/** What the queue knows of a ticket, as seen by one token. */
export interface TicketView {
  status: TicketStatus;
  activeUntilMs: number | null;
  rank: number | null;
  /** Observed admissions per second over the recent window; null when none were observed. */
  observedRate: number | null;
  /**
   * EXPIRED because Redis lost the ticket (nothing stored for the user, and the token is older
   * than the concert's data set): a candidate for restore (queue-recovery.ts).
   */
  lost?: boolean;
  /** The concert's scheduled opening (ms), when it has one; attached by RecoveringQueueStore. */
  saleOpensAtMs?: number | null;
}

/** Identifies the ticket a token names. */
export interface TicketRef {
  concertId: string;
  userId: string;
  ticketId: string;
  /** From the signed token: its entry number, and when it was signed (seconds). */
  seq?: number;
  issuedAt?: number;
}

/**
 * WAIT after every script that changes a ticket: the reply comes once `replicas` replicas have
 * the write (or after timeoutMs), so a failover to a replica keeps every place that was
 * answered (docs/scaling.md, "Failover"). 0: no WAIT (a single node without replicas).
 */
export interface ReplicaWait {
  replicas: number;
  timeoutMs: number;
}

/** How a PREQUEUED ticket enters: the user's draw key and the opening it waits for. */
export interface PrequeueEntry {
  drawKey: string;
  opensAtMs: number;
}

export interface QueueSettings {
  maxActive: number;
  admitPerTick: number;
  tickMs: number;
  activeMs: number;
  idleMs: number;
  maxAgeMs: number;
}

/** A concert's effective admission controls (sale_controls over the QUEUE_* defaults). */
export interface AdmissionControl {
  paused: boolean;
  maxActive: number;
  admitPerTick: number;
}

export interface TickResult {
  /** false when another instance already ticked this concert within this tick. */
  ran: boolean;
  admitted: number;
  expired: number;
  dropped: number;
  active: number;
  waiting: number;
  /** The concert's soldout flag as the script saw it. */
  soldOut: boolean;
}

export interface QueueStore {
  /**
   * With `prequeue` (before a scheduled opening) the new ticket is PREQUEUED under that draw
   * key, unless the concert's draw already ran (then it is an ordinary entry). Throws SOLD_OUT
   * (no new ticket) while the concert's soldout flag is set. `control` defaults to the QUEUE_*
   * settings, unpaused.
   */
  enter(
    concertId: string,
    userId: string,
    newTicketId: string,
    nowMs: number,
    prequeue?: PrequeueEntry,
    control?: AdmissionControl,
  ): Promise<StoredTicket>;
  /** One round trip for all refs, however many (a pipeline); touch refreshes WAITING heartbeats. */
  views(refs: readonly TicketRef[], nowMs: number, touch: boolean): Promise<TicketView[]>;
  admit(concertId: string, nowMs: number, control?: AdmissionControl): Promise<TickResult>;
  /** With `nowMs`, a LEFT end is logged as an abandon (saleStats). */
  end(ref: TicketRef, reason: "LEFT" | "PAID", nowMs?: number): Promise<boolean>;
  extend(ref: TicketRef, untilMs: number, nowMs: number): Promise<boolean>;
  /** Concerts that have had a queue, for the ticker. */
  registerConcert(concertId: string): Promise<void>;
  concerts(): Promise<string[]>;
}

/** A store that can put a ticket Redis lost back at its token's entry number. */
export interface RestorableQueueStore extends QueueStore {
  /** The restored ticket's view, or null when the script refused (already stored, not lost). */
  restore(ref: Required<TicketRef>, nowMs: number): Promise<TicketView | null>;
}

/** The observed admission rate looks back this far. */
export const RATE_WINDOW_MS = 60_000;

/** Every key of a concert's queue shares one hash tag, so each script runs on one cluster slot. */
export function queueKeys(prefix: string, concertId: string) {
  const base = `${prefix}queue:{${concertId}}:`;
  return {
    seq: `${base}seq`,
    waiting: `${base}waiting`,
    active: `${base}active`,
    seen: `${base}seen`,
    admits: `${base}admits`,
    abandons: `${base}abandons`,
    soldOut: `${base}soldout`,
    meta: `${base}meta`,
    prequeue: `${base}prequeue`,
    entrants: `${base}entrants`,
    ticket: (userId: string) => `${base}u:${userId}`,
  };
}

/** A script's reply: an array of strings, integers and nils. */
export type ScriptReply = (string | number | null)[];

export function numberOrNull(v: string | number | null | undefined): number | null {
  if (v === null || v === undefined || v === "") return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

export function rankOrNull(v: string | number | null | undefined): number | null {
  const n = numberOrNull(v);
  return n === null || n < 0 ? null : n;
}

/** The view script's reply: status, activeUntil, rank, observed rate, lost flag. */
export function toView(value: unknown): TicketView {
  const r = value as ScriptReply;
  return {
    status: r[0] as TicketStatus,
    activeUntilMs: numberOrNull(r[1]),
    rank: rankOrNull(r[2]),
    observedRate: numberOrNull(r[3]),
    ...(Number(r[4]) === 1 ? { lost: true } : {}),
  };
}

/** What the view script returns per ticket: status, activeUntil, rank, rate, lost. */
const VIEW_FIELDS = 5;

/** The view script's flat reply for several tickets, in the order they were asked for. */
export function toViews(value: unknown): TicketView[] {
  const flat = value as ScriptReply;
  const views: TicketView[] = [];
  for (let i = 0; i < flat.length; i += VIEW_FIELDS) views.push(toView(flat.slice(i, i + VIEW_FIELDS)));
  return views;
}

/** The enter script's reply: status, ticketId, seq, issuedAt, activeUntil, rank, fresh, rate. */
export function toStoredTicket(r: ScriptReply): StoredTicket {
  return {
    status: r[0] as TicketStatus,
    ticketId: String(r[1]),
    seq: Number(r[2]),
    issuedAtMs: Number(r[3]),
    activeUntilMs: numberOrNull(r[4]),
    rank: rankOrNull(r[5]),
    fresh: Number(r[6]) === 1,
    observedRate: numberOrNull(r[7]),
  };
}

/** The admit script's reply: ran, admitted, expired, dropped, active, waiting, soldout. */
export function toTickResult(r: ScriptReply): TickResult {
  return {
    ran: Number(r[0]) === 1,
    admitted: Number(r[1]),
    expired: Number(r[2]),
    dropped: Number(r[3]),
    active: Number(r[4]),
    waiting: Number(r[5]),
    soldOut: Number(r[6]) === 1,
  };
}
