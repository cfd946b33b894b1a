// The pre-queue's Redis side: the draw and the restore of a PREQUEUED ticket that Redis lost
// (prequeue-scripts.ts). Entering the pre-queue is the enter script with a draw key
// (queue.store.ts); reading a PREQUEUED ticket is the ordinary view script.
import type { Redis } from "../../platform/redis/redis.js";
import { DRAW, drawScore, RESTORE_PREQUEUED } from "./prequeue-scripts.js";
import {
  queueKeys,
  type PrequeueEntry,
  type QueueSettings,
  type ReplicaWait,
  type TicketRef,
  type TicketView,
} from "./queue.model.js";
import { ReplicatedWrites, type Script } from "./replicated-writes.js";

export interface DrawOutcome {
  /** true for the one call that drew; false when the concert had been drawn already. */
  drew: boolean;
  /** Tickets the draw ordered. */
  entrants: number;
  /** When the draw ran (ms, the drawing caller's clock). */
  drawnAtMs: number;
}

export interface PrequeueStore {
  /** Draws the concert's pre-queue into its waiting line, once; later calls report that draw. */
  draw(concertId: string, nowMs: number): Promise<DrawOutcome>;
  /**
   * Puts a lost PREQUEUED ticket back: into the pre-queue before the draw, at its drawn place
   * after it (`drawnAtMs` from MySQL, for when Redis lost the draw's record too). Null when the
   * script refused (something is stored for the user, or the token is not older than the data).
   */
  restorePrequeued(
    ref: Required<TicketRef>,
    entry: PrequeueEntry,
    drawnAtMs: number | null,
    nowMs: number,
  ): Promise<TicketView | null>;
  /** PREQUEUED tickets waiting for the draw now. */
  prequeued(concertId: string): Promise<number>;
}

type Scripts = { queueDraw: Script; queueRestorePrequeued: Script };

export class RedisPrequeueStore implements PrequeueStore {
  private readonly writes: ReplicatedWrites<keyof Scripts>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly settings: Pick<QueueSettings, "idleMs" | "maxAgeMs">,
    replicaWait: ReplicaWait = { replicas: 0, timeoutMs: 0 },
  ) {
    redis.defineCommand("queueDraw", { numberOfKeys: 5, lua: DRAW });
    redis.defineCommand("queueRestorePrequeued", { numberOfKeys: 6, lua: RESTORE_PREQUEUED });
    this.writes = new ReplicatedWrites(redis, replicaWait, false);
  }

  /**
   * Like the queue store's ticket writes: with a replica wait, the script and a WAIT in one
   * pipeline, so the draw is on a replica before its reveal is written to MySQL (a failover
   * cannot undo a draw that was announced). A write refused by a moving slot is not re-sent
   * here: the draw job tries again next tick, a restore on the token's next read.
   */
  private write(script: keyof Scripts, ...args: (string | number)[]): Promise<unknown> {
    return this.writes.run(script, ...args);
  }

  async draw(concertId: string, nowMs: number): Promise<DrawOutcome> {
    const k = queueKeys(this.prefix, concertId);
    const r = (await this.write(
      "queueDraw",
      k.prequeue,
      k.entrants,
      k.waiting,
      k.seen,
      k.meta,
      nowMs,
      Math.floor(this.settings.idleMs / 2),
    )) as number[];
    return { drew: Number(r[0]) === 1, entrants: Number(r[1]), drawnAtMs: Number(r[2]) };
  }

  async restorePrequeued(
    ref: Required<TicketRef>,
    entry: PrequeueEntry,
    drawnAtMs: number | null,
    nowMs: number,
  ): Promise<TicketView | null> {
    const k = queueKeys(this.prefix, ref.concertId);
    const issuedAtMs = ref.issuedAt * 1000;
    const r = (await this.write(
      "queueRestorePrequeued",
      k.prequeue,
      k.entrants,
      k.waiting,
      k.seen,
      k.ticket(ref.userId),
      k.meta,
      ref.userId,
      ref.ticketId,
      drawScore(entry.drawKey),
      issuedAtMs,
      nowMs,
      this.settings.idleMs,
      Math.max(60_000, issuedAtMs + this.settings.maxAgeMs + 60_000 - nowMs),
      drawnAtMs ?? "",
      entry.opensAtMs,
    )) as (string | number)[];
    if (Number(r[0]) !== 1) return null;
    // The concert list went with the data: the ticker must find this concert again.
    await this.redis.sadd(`${this.prefix}queue:concerts`, ref.concertId);
    const rank = Number(r[1]);
    const rate = r[2] === "" || r[2] === undefined ? null : Number(r[2]);
    return rank < 0
      ? { status: "PREQUEUED", activeUntilMs: null, rank: null, observedRate: rate }
      : { status: "WAITING", activeUntilMs: null, rank, observedRate: rate };
  }

  async prequeued(concertId: string): Promise<number> {
    return this.redis.zcard(queueKeys(this.prefix, concertId).prequeue);
  }
}
