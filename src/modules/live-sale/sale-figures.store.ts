// The queue side of saleStats and the soldout flag, in Redis. The figures are read by one Lua
// script, so they are one consistent snapshot (waiting and active never double-count a ticket
// admitted in between) and cost one round trip. All keys share the concert's hash tag.
import type { Redis } from "../../platform/redis/redis.js";
import { queueKeys, RATE_WINDOW_MS } from "../queue/queue.model.js";

export interface QueueFigures {
  prequeued: number;
  waiting: number;
  active: number;
  admittedLastMinute: number;
  abandonedLastMinute: number;
  soldOut: boolean;
}

/**
 * figures — KEYS waiting, active, admits, abandons, soldout, prequeued; ARGV now, windowMs.
 * admits and abandons hold 'at:count' (a tick's batch) or 'at:L:userId' (one leave) members.
 * → {prequeued, waiting, active, admitted, abandoned, soldOut}
 */
const FIGURES = `
local now = tonumber(ARGV[1])
local from = '(' .. (now - tonumber(ARGV[2]))
local function total(key)
  local sum = 0
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', key, from, '+inf')) do
    local n = string.match(m, '^%d+:T?:?(%d+)$')
    if n then sum = sum + tonumber(n) else sum = sum + 1 end
  end
  return sum
end
return {redis.call('ZCARD', KEYS[6]), redis.call('ZCARD', KEYS[1]),
  redis.call('ZCOUNT', KEYS[2], '(' .. now, '+inf'), total(KEYS[3]), total(KEYS[4]),
  redis.call('EXISTS', KEYS[5])}
`;

type Script = (...args: (string | number)[]) => Promise<unknown>;

export class SaleFiguresStore {
  private readonly figuresScript: Script;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand("saleFigures", { numberOfKeys: 6, lua: FIGURES });
    this.figuresScript = (...args) => (redis as unknown as { saleFigures: Script }).saleFigures(...args);
  }

  async figures(concertId: string, nowMs: number): Promise<QueueFigures> {
    const k = queueKeys(this.prefix, concertId);
    const r = (await this.figuresScript(
      k.waiting,
      k.active,
      k.admits,
      k.abandons,
      k.soldOut,
      k.prequeue,
      nowMs,
      RATE_WINDOW_MS,
    )) as number[];
    return {
      prequeued: Number(r[0]),
      waiting: Number(r[1]),
      active: Number(r[2]),
      admittedLastMinute: Number(r[3]),
      abandonedLastMinute: Number(r[4]),
      soldOut: Number(r[5]) === 1,
    };
  }

  /** Sets or clears the flag the enter script refuses on. */
  async setSoldOut(concertId: string, soldOut: boolean): Promise<void> {
    const key = queueKeys(this.prefix, concertId).soldOut;
    if (soldOut) await this.redis.set(key, "1");
    else await this.redis.del(key);
  }
}
