// The only code that touches the queue's Redis keys (with prequeue.store.ts). Multi-key changes
// are Lua scripts (queue-scripts.ts) registered with ioredis defineCommand; reads for many
// tickets go out in one pipeline. Types, keys and reply parsers: queue.model.ts.
import type { Redis } from "../../platform/redis/redis.js";
import { drawScore } from "./prequeue-scripts.js";
import { ADMIT, END, ENTER, EXTEND, RESTORE, VIEW } from "./queue-scripts.js";
import { soldOut } from "./queue.errors.js";
import {
  numberOrNull,
  queueKeys,
  RATE_WINDOW_MS,
  rankOrNull,
  toStoredTicket,
  toTickResult,
  toViews,
  type AdmissionControl,
  type PrequeueEntry,
  type QueueSettings,
  type ReplicaWait,
  type RestorableQueueStore,
  type ScriptReply,
  type StoredTicket,
  type TickResult,
  type TicketRef,
  type TicketView,
} from "./queue.model.js";
import { ReplicatedWrites, type Script } from "./replicated-writes.js";

interface ScriptHost {
  queueEnter: Script;
  queueView: Script;
  queueViews: Script;
  queueAdmit: Script;
  queueEnd: Script;
  queueExtend: Script;
  queueRestore: Script;
}
type Pipeline = ScriptHost & { exec(): Promise<[Error | null, unknown][]> };

/** Tickets per view script call: one script per slice, each keeping Redis busy a few ms at most. */
const VIEW_BATCH = 200;
/** The view script's keys before the tickets' own: waiting, seen, meta, active, prequeue. */
const VIEW_SHARED_KEYS = 5;

/** Minimum fraction of a tick between two admission runs of one concert (timer jitter slack). */
const TICK_GAP_FRACTION = 0.9;

export class RedisQueueStore implements RestorableQueueStore {
  private readonly scripts: ScriptHost;
  private readonly writes: ReplicatedWrites<keyof ScriptHost>;
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
    replicaWait: ReplicaWait = { replicas: 0, timeoutMs: 0 },
  ) {
    redis.defineCommand("queueEnter", { numberOfKeys: 9, lua: ENTER });
    // One script, two commands: one ticket with its 6 keys declared, so that ioredis's
    // auto-pipelining routes it on a cluster by its first key; several in an explicit pipeline,
    // whose first argument says how many keys (5 + one per ticket).
    redis.defineCommand("queueView", { numberOfKeys: VIEW_SHARED_KEYS + 1, lua: VIEW });
    redis.defineCommand("queueViews", { lua: VIEW });
    redis.defineCommand("queueAdmit", { numberOfKeys: 8, lua: ADMIT });
    redis.defineCommand("queueEnd", { numberOfKeys: 7, lua: END });
    redis.defineCommand("queueExtend", { numberOfKeys: 2, lua: EXTEND });
    redis.defineCommand("queueRestore", { numberOfKeys: 5, lua: RESTORE });
    this.scripts = redis as unknown as ScriptHost;
    this.writes = new ReplicatedWrites(redis, replicaWait, true);
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
    const r = (await this.writes.run(
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
    )) as ScriptReply;
    if (r[0] === "SOLD_OUT") throw soldOut();
    const ticket = toStoredTicket(r);
    this.remember(concertId, ticket.seq);
    return ticket;
  }

  async views(refs: readonly TicketRef[], nowMs: number, touch: boolean): Promise<TicketView[]> {
    if (refs.length === 0) return [];
    // One ticket (every guarded call, every poll): the script alone, without a pipeline's
    // bookkeeping. Many (a refresh of an instance's subscribers): VIEW_BATCH tickets per script
    // call, all calls of one concert in one pipeline (on a cluster it stays within one slot).
    if (refs.length === 1) return toViews(await this.scripts.queueView(...this.viewArgs(refs, nowMs, touch)));
    const byConcert = new Map<string, TicketRef[]>();
    for (const ref of refs) {
      const same = byConcert.get(ref.concertId);
      if (same) same.push(ref);
      else byConcert.set(ref.concertId, [ref]);
    }
    const found = new Map<TicketRef, TicketView>();
    await Promise.all(
      [...byConcert.values()].map(async (group) => {
        const pipeline = this.redis.pipeline() as unknown as Pipeline;
        const batches: TicketRef[][] = [];
        for (let i = 0; i < group.length; i += VIEW_BATCH) batches.push(group.slice(i, i + VIEW_BATCH));
        for (const batch of batches)
          void pipeline.queueViews(VIEW_SHARED_KEYS + batch.length, ...this.viewArgs(batch, nowMs, touch));
        const results = await pipeline.exec();
        results.forEach(([error, value], b) => {
          if (error) throw error;
          toViews(value).forEach((view, j) => found.set(batches[b]![j]!, view));
        });
      }),
    );
    return refs.map((ref) => found.get(ref)!);
  }

  /** The view script's keys (the shared ones, then one per ticket) and arguments, for tickets of ONE concert. */
  private viewArgs(refs: readonly TicketRef[], nowMs: number, touch: boolean): (string | number)[] {
    const k = queueKeys(this.prefix, refs[0]!.concertId);
    const keys = [k.waiting, k.seen, k.meta, k.active, k.prequeue];
    const args: (string | number)[] = [nowMs, this.settings.idleMs, touch ? 1 : 0];
    for (const ref of refs) {
      if (ref.seq !== undefined) this.remember(ref.concertId, ref.seq);
      keys.push(k.ticket(ref.userId));
      args.push(ref.userId, ref.ticketId, ref.issuedAt === undefined ? "" : ref.issuedAt * 1000);
    }
    return [...keys, ...args];
  }

  /**
   * Held by the restore script: it re-checks that nothing is stored for the user and that the
   * token predates the data set, so two instances restoring the same token insert it once, and
   * a ticket that ended while the data was intact is never resurrected.
   */
  async restore(ref: Required<TicketRef>, nowMs: number): Promise<TicketView | null> {
    const k = queueKeys(this.prefix, ref.concertId);
    const issuedAtMs = ref.issuedAt * 1000;
    const r = (await this.writes.run(
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
    )) as ScriptReply;
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
    const r = (await this.writes.run(
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
    )) as ScriptReply;
    return toTickResult(r);
  }

  async end(ref: TicketRef, reason: "LEFT" | "PAID", nowMs?: number): Promise<boolean> {
    const k = queueKeys(this.prefix, ref.concertId);
    const r = await this.writes.run(
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
    const r = await this.writes.run(
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
