// The only code that touches the queue's Redis keys. Multi-key changes are Lua scripts
// (queue-scripts.ts) registered with ioredis defineCommand; reads for many tickets go out in
// one pipeline.
import type { Redis } from "../../platform/redis/redis.js";
import { drawScore } from "./prequeue-scripts.js";
import { ADMIT, END, ENTER, EXTEND, RESTORE, VIEW } from "./queue-scripts.js";
import { soldOut } from "./queue.errors.js";

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

type Reply = (string | number | null)[];
type Script = (...args: (string | number)[]) => Promise<unknown>;
type Pipeline = ScriptHost & {
  wait(replicas: number, timeoutMs: number): unknown;
  exec(): Promise<[Error | null, unknown][]>;
};
interface ScriptHost {
  queueEnter: Script;
  queueView: Script;
  queueAdmit: Script;
  queueEnd: Script;
  queueExtend: Script;
  queueRestore: Script;
}

/** How often a ticket write refused by a moving slot is sent again (100, 200, ... ms apart). */
const MOVED_RETRIES = 10;
/** Minimum fraction of a tick between two admission runs of one concert (timer jitter slack). */
const TICK_GAP_FRACTION = 0.9;
/** The observed admission rate looks back this far. */
export const RATE_WINDOW_MS = 60_000;

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

export class RedisQueueStore implements RestorableQueueStore {
  private readonly scripts: ScriptHost;
  private readonly registered = new Set<string>();
  /**
   * The highest entry number this process has seen per concert (entries and signed tokens).
   * Redis's counter never goes below it unless Redis lost the data, which is how an entry
   * detects the loss (enter script).
   */
  private readonly knownSeq = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly settings: QueueSettings,
    private readonly replicaWait: ReplicaWait = { replicas: 0, timeoutMs: 0 },
  ) {
    redis.defineCommand("queueEnter", { numberOfKeys: 9, lua: ENTER });
    redis.defineCommand("queueView", { numberOfKeys: 6, lua: VIEW });
    redis.defineCommand("queueAdmit", { numberOfKeys: 8, lua: ADMIT });
    redis.defineCommand("queueEnd", { numberOfKeys: 7, lua: END });
    redis.defineCommand("queueExtend", { numberOfKeys: 2, lua: EXTEND });
    redis.defineCommand("queueRestore", { numberOfKeys: 5, lua: RESTORE });
    this.scripts = redis as unknown as ScriptHost;
  }

  /**
   * Runs a script that changes tickets; with a replica wait, in one pipeline with WAIT (keyless,
   * so on a cluster it goes with the script to the shard that owns the concert's slot). ioredis
   * re-sends a pipeline on MOVED only when every command of it was moved, which the keyless
   * WAIT never is: a script refused with MOVED (it did not run) is sent again here, once the
   * client has the new slot map (a failover).
   */
  private async write(script: keyof ScriptHost, ...args: (string | number)[]): Promise<unknown> {
    const { replicas, timeoutMs } = this.replicaWait;
    if (replicas === 0) return this.scripts[script](...args);
    for (let attempt = 1; ; attempt++) {
      const pipeline = this.redis.pipeline() as unknown as Pipeline;
      void pipeline[script](...args);
      void pipeline.wait(replicas, timeoutMs);
      const [[error, value]] = (await pipeline.exec()) as [[Error | null, unknown]];
      if (!error) return value;
      if (attempt >= MOVED_RETRIES || !/^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN) /.test(error.message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }

  async enter(
    concertId: string,
    userId: string,
    newTicketId: string,
    nowMs: number,
    prequeue?: PrequeueEntry,
    control: AdmissionControl = this.defaults(),
  ): Promise<StoredTicket> {
    const k = queueKeys(this.prefix, concertId);
    const s = this.settings;
    const r = (await this.write(
      "queueEnter",
      k.seq,
      k.waiting,
      k.active,
      k.seen,
      k.ticket(userId),
      k.meta,
      k.prequeue,
      k.entrants,
      k.soldOut,
      userId,
      newTicketId,
      nowMs,
      control.maxActive,
      s.activeMs,
      s.idleMs,
      s.maxAgeMs,
      s.maxAgeMs + 60_000,
      this.knownSeq.get(concertId) ?? 0,
      s.idleMs,
      prequeue ? drawScore(prequeue.drawKey) : "",
      prequeue?.opensAtMs ?? "",
      control.paused ? 1 : 0,
    )) as Reply;
    if (r[0] === "SOLD_OUT") throw soldOut();
    this.remember(concertId, Number(r[2]));
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

  async views(refs: readonly TicketRef[], nowMs: number, touch: boolean): Promise<TicketView[]> {
    if (refs.length === 0) return [];
    // One ticket (every guarded call, every poll): the script alone, without a pipeline's
    // bookkeeping. Many (a refresh of an instance's subscribers): one pipeline, one round trip.
    if (refs.length === 1)
      return [toView(await this.scripts.queueView(...this.viewArgs(refs[0]!, nowMs, touch)))];
    // One pipeline per concert: on a cluster a pipeline must stay within one slot.
    const byConcert = new Map<string, number[]>();
    refs.forEach((ref, i) => byConcert.set(ref.concertId, [...(byConcert.get(ref.concertId) ?? []), i]));
    const views: TicketView[] = new Array<TicketView>(refs.length);
    await Promise.all(
      [...byConcert.values()].map(async (indexes) => {
        const pipeline = this.redis.pipeline() as unknown as Pipeline;
        for (const i of indexes) void pipeline.queueView(...this.viewArgs(refs[i]!, nowMs, touch));
        const results = await pipeline.exec();
        results.forEach(([error, value], j) => {
          if (error) throw error;
          views[indexes[j]!] = toView(value);
        });
      }),
    );
    return views;
  }

  private viewArgs(ref: TicketRef, nowMs: number, touch: boolean): (string | number)[] {
    const k = queueKeys(this.prefix, ref.concertId);
    if (ref.seq !== undefined) this.remember(ref.concertId, ref.seq);
    return [
      k.ticket(ref.userId),
      k.waiting,
      k.seen,
      k.meta,
      k.active,
      k.prequeue,
      ref.userId,
      ref.ticketId,
      nowMs,
      this.settings.idleMs,
      touch ? 1 : 0,
      ref.issuedAt === undefined ? "" : ref.issuedAt * 1000,
    ];
  }

  /**
   * Held by the restore script: it re-checks that nothing is stored for the user and that the
   * token predates the data set, so two instances restoring the same token insert it once, and
   * a ticket that ended while the data was intact is never resurrected.
   */
  async restore(ref: Required<TicketRef>, nowMs: number): Promise<TicketView | null> {
    const k = queueKeys(this.prefix, ref.concertId);
    const issuedAtMs = ref.issuedAt * 1000;
    const r = (await this.write(
      "queueRestore",
      k.seq,
      k.waiting,
      k.seen,
      k.ticket(ref.userId),
      k.meta,
      ref.userId,
      ref.ticketId,
      ref.seq,
      issuedAtMs,
      nowMs,
      this.settings.idleMs,
      Math.max(60_000, issuedAtMs + this.settings.maxAgeMs + 60_000 - nowMs),
      this.knownSeq.get(ref.concertId) ?? 0,
    )) as Reply;
    if (Number(r[0]) !== 1) return null;
    // The concert list went with the data: the ticker must find this concert again.
    await this.redis.sadd(`${this.prefix}queue:concerts`, ref.concertId);
    this.registered.add(ref.concertId);
    return {
      status: "WAITING",
      activeUntilMs: null,
      rank: rankOrNull(r[1]),
      observedRate: numberOrNull(r[2]),
    };
  }

  private remember(concertId: string, seq: number): void {
    if (seq > (this.knownSeq.get(concertId) ?? 0)) this.knownSeq.set(concertId, seq);
  }

  private defaults(): AdmissionControl {
    return { paused: false, maxActive: this.settings.maxActive, admitPerTick: this.settings.admitPerTick };
  }

  async admit(
    concertId: string,
    nowMs: number,
    control: AdmissionControl = this.defaults(),
  ): Promise<TickResult> {
    const k = queueKeys(this.prefix, concertId);
    const s = this.settings;
    const r = (await this.write(
      "queueAdmit",
      k.waiting,
      k.active,
      k.seen,
      k.admits,
      k.meta,
      k.prequeue,
      k.abandons,
      k.soldOut,
      nowMs,
      control.maxActive,
      control.admitPerTick,
      s.idleMs,
      s.activeMs,
      Math.floor(s.tickMs * TICK_GAP_FRACTION),
      RATE_WINDOW_MS,
      s.tickMs,
      control.paused ? 1 : 0,
    )) as number[];
    return {
      ran: r[0] === 1,
      admitted: Number(r[1]),
      expired: Number(r[2]),
      dropped: Number(r[3]),
      active: Number(r[4]),
      waiting: Number(r[5]),
      soldOut: Number(r[6]) === 1,
    };
  }

  async end(ref: TicketRef, reason: "LEFT" | "PAID", nowMs?: number): Promise<boolean> {
    const k = queueKeys(this.prefix, ref.concertId);
    const r = await this.write(
      "queueEnd",
      k.ticket(ref.userId),
      k.waiting,
      k.active,
      k.seen,
      k.prequeue,
      k.entrants,
      k.abandons,
      ref.userId,
      ref.ticketId,
      reason,
      nowMs ?? "",
    );
    return Number(r) === 1;
  }

  async extend(ref: TicketRef, untilMs: number, nowMs: number): Promise<boolean> {
    const k = queueKeys(this.prefix, ref.concertId);
    const r = await this.write(
      "queueExtend",
      k.ticket(ref.userId),
      k.active,
      ref.userId,
      ref.ticketId,
      untilMs,
      nowMs,
    );
    return Number(r) === 1;
  }

  async registerConcert(concertId: string): Promise<void> {
    // The set only grows, so one SADD per concert per process is enough (saves a round trip
    // on every entry).
    if (this.registered.has(concertId)) return;
    await this.redis.sadd(`${this.prefix}queue:concerts`, concertId);
    this.registered.add(concertId);
  }

  async concerts(): Promise<string[]> {
    const key = `${this.prefix}queue:concerts`;
    const stored = await this.redis.smembers(key);
    // A set this process registered into but that is now missing members was lost with Redis's
    // data: register them again, or the ticker would never admit from those queues.
    const missing = [...this.registered].filter((c) => !stored.includes(c));
    if (missing.length === 0) return stored;
    await this.redis.sadd(key, ...missing);
    return [...stored, ...missing];
  }

  /** Live sizes for /metrics: ACTIVE counts only tickets whose time has not run out at `nowMs`. */
  async sizes(concertId: string, nowMs: number): Promise<{ waiting: number; active: number }> {
    const k = queueKeys(this.prefix, concertId);
    const [waiting, active] = await Promise.all([
      this.redis.zcard(k.waiting),
      this.redis.zcount(k.active, `(${nowMs}`, "+inf"),
    ]);
    return { waiting, active };
  }
}

function numberOrNull(v: string | number | null | undefined): number | null {
  if (v === null || v === undefined || v === "") return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function rankOrNull(v: string | number | null | undefined): number | null {
  const n = numberOrNull(v);
  return n === null || n < 0 ? null : n;
}

/** The view script's reply: status, activeUntil, rank, observed rate, lost flag. */
function toView(value: unknown): TicketView {
  const r = value as Reply;
  return {
    status: r[0] as TicketStatus,
    activeUntilMs: numberOrNull(r[1]),
    rank: rankOrNull(r[2]),
    observedRate: numberOrNull(r[3]),
    ...(Number(r[4]) === 1 ? { lost: true } : {}),
  };
}
