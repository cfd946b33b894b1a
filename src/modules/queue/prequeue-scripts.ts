// The pre-queue's Lua scripts (the other queue scripts are in queue-scripts.ts). Every key is
// passed in KEYS and shares the concert's hash tag {concertId}; none is built inside a script.
//
// Before a scheduled opening, entrants are PREQUEUED: their ticket hash says so, and the
// prequeue ZSET holds member drawKey..userId with score 0, so its lexicographic order is the
// draw order (drawKey = SHA-256 hex of seedHex:userId, computed in Node at entry; the seed is
// secret until the draw and never stored in Redis). The draw moves the whole set into waiting
// in one script, so it happens exactly once however many instances try, and never half-way.
import { MARK_LOSS } from "./queue-scripts.js";

/**
 * The waiting-set score of a drawn ticket: -2^53 + the draw key's first 52 bits. Every such
 * score is an exact integer below -2^52, so all drawn tickets rank ahead of every entry number
 * (INCR, >= 1) — also of entrants that came after the opening but before the draw ran — and in
 * draw-key order. The same function places a drawn ticket that Redis lost back at its drawn
 * place (restorePrequeued). Two keys sharing their first 52 bits (for 100,000 entrants about
 * one draw in a million) are kept in draw order by the draw, which gives the later one the
 * next integer.
 */
const DRAW_SCORE = `
local function drawScore(member)
  return tonumber(string.sub(member, 1, 13), 16) - 9007199254740992
end
`;

/** Members per ZADD call: unpack() is bounded by Lua's C stack (LUAI_MAXCSTACK, 8000 slots). */
const BATCH = 1000;

/**
 * draw — KEYS prequeue, waiting, seen, meta; ARGV now.
 * Once per concert (meta.drawnAt is the guard, written in the same script): every PREQUEUED
 * ticket becomes WAITING in ascending draw key, with its idleness counted from now (seen).
 * The ticket hashes are not touched (their PREQUEUED reads as WAITING once drawnAt is set).
 * → {1, entrants, drawnAt} when this call drew, {0, entrants, drawnAt} when it was done already.
 */
export const DRAW = `${DRAW_SCORE}
local done = redis.call('HGET', KEYS[4], 'drawnAt')
if done then return {0, tonumber(redis.call('HGET', KEYS[4], 'drawn') or '0'), tonumber(done)} end
local now = ARGV[1]
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
local prev = nil
local w, s = {}, {}
local function flush()
  if #w > 0 then
    redis.call('ZADD', KEYS[2], unpack(w))
    redis.call('ZADD', KEYS[3], unpack(s))
    w, s = {}, {}
  end
end
for _, m in ipairs(members) do
  local score = drawScore(m)
  if prev and score <= prev then score = prev + 1 end
  prev = score
  local u = string.sub(m, 65)
  w[#w + 1] = string.format('%.17g', score)
  w[#w + 1] = u
  s[#s + 1] = now
  s[#s + 1] = u
  if #w >= ${BATCH * 2} then flush() end
end
flush()
redis.call('DEL', KEYS[1])
redis.call('HSETNX', KEYS[4], 'epoch', now)
redis.call('HSET', KEYS[4], 'drawnAt', now, 'drawn', #members)
return {1, #members, tonumber(now)}
`;

/**
 * restorePrequeued — KEYS prequeue, waiting, seen, ticket, meta; ARGV userId, ticketId,
 * drawKey, issuedAtMs, now, graceMs, ticketTtlMs, drawnAtMs ('' when MySQL has no draw).
 * Puts a PREQUEUED ticket that Redis lost back, under the same conditions as restore (nothing
 * stored for the user, token older than the data set's epoch). Before the draw it re-enters the
 * prequeue (its draw key is a function of seed and user, so its chance is unchanged); after the
 * draw (meta.drawnAt, or MySQL's drawn_at when meta went with the data) it goes into waiting at
 * its drawn score, i.e. at the place the draw gave or would have given it.
 * → {1, rank (-1 before the draw), rate} restored, or {0}
 */
export const RESTORE_PREQUEUED = `${DRAW_SCORE}${MARK_LOSS}
local now = tonumber(ARGV[5])
local issued = tonumber(ARGV[4])
if redis.call('HGET', KEYS[4], 'ticketId') then return {0} end
local epoch = redis.call('HGET', KEYS[5], 'epoch')
if epoch and issued >= tonumber(epoch) then return {0} end
markLoss(KEYS[5], now, tonumber(ARGV[6]))
local drawn = redis.call('HGET', KEYS[5], 'drawnAt')
if not drawn and ARGV[8] ~= '' then
  drawn = ARGV[8]
  redis.call('HSET', KEYS[5], 'drawnAt', drawn)
end
local rank = -1
if drawn then
  redis.call('ZADD', KEYS[2], 'NX', string.format('%.17g', drawScore(ARGV[3])), ARGV[1])
  redis.call('ZADD', KEYS[3], now, ARGV[1])
  rank = redis.call('ZRANK', KEYS[2], ARGV[1])
else
  redis.call('ZADD', KEYS[1], 0, ARGV[3] .. ARGV[1])
end
redis.call('DEL', KEYS[4])
redis.call('HSET', KEYS[4], 'ticketId', ARGV[2], 'seq', 0, 'status', 'PREQUEUED', 'issuedAt', issued, 'activeUntil', '', 'drawKey', ARGV[3], 'restoredAt', now)
redis.call('PEXPIRE', KEYS[4], ARGV[7])
return {1, rank, redis.call('HGET', KEYS[5], 'rate') or ''}
`;
