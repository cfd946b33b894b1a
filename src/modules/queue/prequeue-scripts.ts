// The pre-queue's Lua scripts (the other queue scripts are in queue-scripts.ts). Every key is
// passed in KEYS and shares the concert's hash tag {concertId}; none is built inside a script.
//
// Before a scheduled opening, entrants are PREQUEUED: the prequeue ZSET holds userId → draw score (drawScore below, computed in Node from the draw key, which is
// SHA-256 hex of seedHex:userId; the seed is secret until the draw and never stored in Redis),
// and the entrants ZSET holds userId → the opening it waits for. The draw renames the two into
// the waiting line and its heartbeats inside one script: no loop over the entrants, so 100,000
// are drawn in well under a second, exactly once however many instances try, never half-way.
import { markLossLua } from "./queue-scripts.js";

const MARK_LOSS = markLossLua();

const TOP_62_BITS = (1n << 62n) - 1n;

/**
 * The waiting-set score of a drawn ticket, a double in (-2, 0]: every drawn ticket ranks ahead
 * of every entry number (INCR, >= 1), also of entrants who came after the opening but before
 * the draw ran, and in ascending draw key. The key's first 62 bits k are written as the bit
 * pattern of a positive double (bit patterns of non-negative doubles sort like their values),
 * of 2^62 - 1 - k, negated. Two keys that share their first 62 bits (about N²/2^63: 1e-9 for
 * 100,000 entrants) tie, and Redis orders a tie by userId. A pure function of the key, so a
 * drawn ticket that Redis lost is put back at its drawn place (restorePrequeued).
 */
export function drawScore(drawKey: string): number {
  const k = BigInt(`0x${drawKey.slice(0, 16)}`) >> 2n;
  const bits = Buffer.alloc(8);
  bits.writeBigUInt64BE(TOP_62_BITS - k);
  // (The all-ones prefix gives -0; written as 0, as Redis would store it anyway.)
  return -bits.readDoubleBE(0) || 0;
}

/** Members per ZADD call: unpack() is bounded by Lua's C stack (LUAI_MAXCSTACK, 8000 slots). */
const BATCH = 1000;

/** Copies every member of ZSET `from` with its score into ZSET `to`, in batches. */
const COPY_INTO = `
local function copyInto(from, to)
  local all = redis.call('ZRANGE', from, 0, -1, 'WITHSCORES')
  for i = 1, #all, ${BATCH * 2} do
    local batch = {}
    for j = i, math.min(i + ${BATCH * 2} - 1, #all), 2 do
      batch[#batch + 1] = all[j + 1]
      batch[#batch + 1] = all[j]
    end
    redis.call('ZADD', to, unpack(batch))
  end
end
`;

/**
 * draw — KEYS prequeue, entrants, waiting, seen, meta; ARGV now, maxLagMs.
 * Once per concert (meta.drawnAt is the guard, written in the same script): every PREQUEUED
 * ticket becomes WAITING at its draw score, its idleness counted from the opening. Without a
 * loop over the entrants: the few tickets that entered between the opening and this tick are
 * copied into prequeue (at their entry numbers), which then becomes the waiting line (RENAME);
 * likewise entrants (userId → the opening it waited for) becomes seen. Only when those openings
 * are not the one just passed (the opening was moved after some entered, or this draw runs
 * more than maxLagMs late) is every entrant's heartbeat set to now one by one. The ticket
 * hashes are not touched (a ticket's status follows from the sets it is in).
 * → {1, entrants, drawnAt} when this call drew, {0, entrants, drawnAt} when done already.
 */
export const DRAW = `${COPY_INTO}
local done = redis.call('HGET', KEYS[5], 'drawnAt')
if done then return {0, tonumber(redis.call('HGET', KEYS[5], 'drawn') or '0'), tonumber(done)} end
local now = tonumber(ARGV[1])
local n = redis.call('ZCARD', KEYS[1])
if n > 0 then
  copyInto(KEYS[3], KEYS[1])
  redis.call('RENAME', KEYS[1], KEYS[3])
  local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
  if tonumber(last[2]) <= now and tonumber(first[2]) >= now - tonumber(ARGV[2]) then
    copyInto(KEYS[4], KEYS[2])
    redis.call('RENAME', KEYS[2], KEYS[4])
  else
    local users = redis.call('ZRANGE', KEYS[2], 0, -1)
    for i = 1, #users, ${BATCH} do
      local batch = {}
      for j = i, math.min(i + ${BATCH} - 1, #users) do
        batch[#batch + 1] = now
        batch[#batch + 1] = users[j]
      end
      redis.call('ZADD', KEYS[4], unpack(batch))
    end
  end
end
redis.call('UNLINK', KEYS[1], KEYS[2])
redis.call('HSETNX', KEYS[5], 'epoch', now)
redis.call('HSET', KEYS[5], 'drawnAt', now, 'drawn', n)
return {1, n, now}
`;

/**
 * restorePrequeued — KEYS prequeue, entrants, waiting, seen, ticket, meta; ARGV userId,
 * ticketId, drawScore, issuedAtMs, now, graceMs, ticketTtlMs, drawnAtMs ('' when MySQL has no
 * draw), opensAtMs.
 * Puts a PREQUEUED ticket that Redis lost back, under the same conditions as restore (nothing
 * stored for the user, token older than the data set's epoch). Before the draw it re-enters the
 * pre-queue (its score is a function of seed and user, so its chance is unchanged); after the
 * draw (meta.drawnAt, or MySQL's drawn_at when meta went with the data) it goes into waiting at
 * its draw score, i.e. at the place the draw gave or would have given it.
 * → {1, rank (-1 before the draw), rate} restored, or {0}
 */
export const RESTORE_PREQUEUED = `${MARK_LOSS}
local now = tonumber(ARGV[5])
local issued = tonumber(ARGV[4])
if redis.call('HGET', KEYS[5], 'ticketId') then return {0} end
local epoch = redis.call('HGET', KEYS[6], 'epoch')
if epoch and issued >= tonumber(epoch) then return {0} end
markLoss(KEYS[6], now, tonumber(ARGV[6]))
local drawn = redis.call('HGET', KEYS[6], 'drawnAt')
if not drawn and ARGV[8] ~= '' then
  drawn = ARGV[8]
  redis.call('HSET', KEYS[6], 'drawnAt', drawn)
end
local rank = -1
if drawn then
  redis.call('ZADD', KEYS[3], 'NX', ARGV[3], ARGV[1])
  redis.call('ZADD', KEYS[4], now, ARGV[1])
  rank = redis.call('ZRANK', KEYS[3], ARGV[1])
else
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
  redis.call('ZADD', KEYS[2], ARGV[9], ARGV[1])
end
redis.call('DEL', KEYS[5])
redis.call('HSET', KEYS[5], 'ticketId', ARGV[2], 'seq', 0, 'issuedAt', issued, 'restoredAt', now)
redis.call('PEXPIRE', KEYS[5], ARGV[7])
return {1, rank, redis.call('HGET', KEYS[6], 'rate') or ''}
`;
