// Every multi-key state change of a concert's queue is one of these Lua scripts, so Redis runs
// it atomically: no instance ever sees (or leaves) a half-made change. The rule for Redis
// Cluster: every key a script touches is declared in KEYS (none is built inside a script), and
// all of them share the concert's hash tag ({concertId}), so each script runs on the one shard
// that owns the concert (tests/unit/platform/redis-script-keys.test.ts enforces it for every
// script in src). Time always comes in as ARGV (the injected Clock), never from Redis, so
// tests can move it.
//
// Keys (see queueKeys): seq (INCR counter), waiting (ZSET userId → seq), active (ZSET userId →
// activeUntil ms), seen (ZSET userId → last heartbeat ms, WAITING only), admits (ZSET log of
// admissions for the observed rate), meta (HASH lastTickAt, since, rate, and for recovery after
// Redis lost its data: epoch, lossAt, restoredUntil — see docs/security.md; drawnAt and drawn
// once the pre-queue was drawn), prequeue (ZSET userId → draw score) and entrants (ZSET userId →
// the opening it waits for): the PREQUEUED tickets awaiting the draw (prequeue-scripts.ts), and
// one HASH per user's current ticket (ticketId, seq, issuedAt; endedBy once left or paid). A
// ticket's status is where its user is: in `prequeue` (PREQUEUED, until the draw moves it into
// waiting and seen), in `active` with a future score (ACTIVE until that score), in `waiting`
// with a fresh heartbeat in `seen` (WAITING), else EXPIRED. So the admission tick moves users
// between the concert's sets and never needs a user's own key. Operator controls (docs/queue.md,
// "Pause, policy, sold out"): abandons (ZSET log of tickets that ended without a payment, for
// saleStats), soldout (a flag set when no seat of a future date is free or held); pause and
// policy come in as ARGV from sale_controls (MySQL), read by every tick.

/**
 * Shared view logic: the current ticket's effective status at `now` from the sets (a late sweep
 * never shows) → status, activeUntil ('' unless ACTIVE), 0-based rank (-1 unless WAITING).
 */
const EFFECTIVE_STATUS = `
local function effective(waiting, active, seen, userId, now, idleMs, prequeue)
  if redis.call('ZSCORE', prequeue, userId) then return 'PREQUEUED', '', -1 end
  local au = redis.call('ZSCORE', active, userId)
  if au then
    if tonumber(au) > now then return 'ACTIVE', au, -1 end
    return 'EXPIRED', '', -1
  end
  local seenScore = redis.call('ZSCORE', seen, userId)
  if seenScore and now - tonumber(seenScore) <= idleMs then
    local rank = redis.call('ZRANK', waiting, userId)
    if rank then return 'WAITING', '', rank end
  end
  return 'EXPIRED', '', -1
end
`;

/**
 * Records that this concert's data was lost (once per data set: meta goes with the data) and
 * pauses admission for graceMs so that live clients re-register before anyone is admitted.
 */
const MARK_LOSS = `
local function markLoss(meta, now, graceMs)
  redis.call('HSETNX', meta, 'epoch', now)
  if not redis.call('HGET', meta, 'lossAt') then
    redis.call('HSET', meta, 'lossAt', now, 'restoredUntil', now + graceMs)
  end
end
local function inGrace(meta, now)
  local ru = redis.call('HGET', meta, 'restoredUntil')
  return ru and now < tonumber(ru)
end
`;

/** The loss-marking functions, for the pre-queue's restore script (prequeue-scripts.ts). */
export const markLossLua = (): string => MARK_LOSS;

/**
 * enter — KEYS seq, waiting, active, seen, ticket, meta, prequeue, entrants, soldout; ARGV
 * userId, newTicketId, now, maxActive, activeMs, idleMs, maxAgeMs, ticketTtlMs, knownSeq, graceMs,
 * drawScore, opensAtMs, paused (1|0). While paused (sale controls) nobody is ACTIVE at once;
 * while the soldout flag is set no new ticket is made → {'SOLD_OUT'}.
 * knownSeq is the highest entry number this instance has seen for the concert: the counter
 * never goes down, so a counter below it means Redis lost the concert's data — the counter is
 * raised (new entrants go behind every restorable ticket) and admission pauses (markLoss).
 * Returns the user's live ticket unchanged (idempotent re-issue, counts as a heartbeat) or a new
 * one. drawScore ('' once the sale is open) asks for a PREQUEUED ticket: in prequeue at that
 * score and in entrants at opensAtMs (its heartbeat-to-be), seq 0, no heartbeat before the
 * draw; refused once the draw ran (meta.drawnAt), then the entry is an ordinary one.
 * Ordinary: seq from INCR (gap-free entry order), ACTIVE at once when nobody waits or is
 * prequeued and a slot is free, else WAITING scored by seq.
 * → {status, ticketId, seq, issuedAt, activeUntil, rank, fresh, rate}
 */
export const ENTER = `${EFFECTIVE_STATUS}${MARK_LOSS}
local userId = ARGV[1]
local now = tonumber(ARGV[3])
local known = tonumber(ARGV[9])
if known > 0 and tonumber(redis.call('GET', KEYS[1]) or '0') < known then
  redis.call('SET', KEYS[1], known)
  markLoss(KEYS[6], now, tonumber(ARGV[10]))
end
local t = redis.call('HMGET', KEYS[5], 'ticketId', 'seq', 'issuedAt')
if t[1] then
  local status, activeUntil, rank = effective(KEYS[2], KEYS[3], KEYS[4], userId, now, tonumber(ARGV[6]), KEYS[7])
  if status ~= 'EXPIRED' and now - tonumber(t[3]) < tonumber(ARGV[7]) then
    if status == 'WAITING' then redis.call('ZADD', KEYS[4], 'XX', now, userId) end
    return {status, t[1], t[2], t[3], activeUntil, rank, 0, redis.call('HGET', KEYS[6], 'rate') or ''}
  end
  redis.call('ZREM', KEYS[2], userId)
  redis.call('ZREM', KEYS[3], userId)
  redis.call('ZREM', KEYS[4], userId)
  redis.call('ZREM', KEYS[7], userId)
  redis.call('ZREM', KEYS[8], userId)
end
-- sale controls: sold out, no new ticket (a live one was returned above)
if redis.call('EXISTS', KEYS[9]) == 1 then return {'SOLD_OUT'} end
redis.call('HSETNX', KEYS[6], 'epoch', now)
if ARGV[11] ~= '' and not redis.call('HGET', KEYS[6], 'drawnAt') then
  redis.call('ZADD', KEYS[7], ARGV[11], userId)
  redis.call('ZADD', KEYS[8], ARGV[12], userId)
  redis.call('DEL', KEYS[5])
  redis.call('HSET', KEYS[5], 'ticketId', ARGV[2], 'seq', 0, 'issuedAt', now)
  redis.call('PEXPIRE', KEYS[5], ARGV[8])
  return {'PREQUEUED', ARGV[2], '0', tostring(now), '', -1, 1, redis.call('HGET', KEYS[6], 'rate') or ''}
end
local seq = redis.call('INCR', KEYS[1])
local status = 'WAITING'
local activeUntil = ''
local rank = -1
if redis.call('ZCARD', KEYS[2]) == 0 and redis.call('ZCARD', KEYS[7]) == 0
    and redis.call('ZCOUNT', KEYS[3], '(' .. now, '+inf') < tonumber(ARGV[4])
    and not inGrace(KEYS[6], now) and ARGV[13] ~= '1' then
  status = 'ACTIVE'
  activeUntil = now + tonumber(ARGV[5])
  redis.call('ZADD', KEYS[3], activeUntil, userId)
else
  redis.call('ZADD', KEYS[2], seq, userId)
  redis.call('ZADD', KEYS[4], now, userId)
  rank = redis.call('ZRANK', KEYS[2], userId)
end
redis.call('DEL', KEYS[5])
redis.call('HSET', KEYS[5], 'ticketId', ARGV[2], 'seq', seq, 'issuedAt', now)
redis.call('PEXPIRE', KEYS[5], ARGV[8])
return {status, ARGV[2], tostring(seq), tostring(now), tostring(activeUntil), rank, 1, redis.call('HGET', KEYS[6], 'rate') or ''}
`;

/**
 * view — KEYS waiting, seen, meta, active, prequeue, then one ticket key per ticket; ARGV now,
 * idleMs, touch (1|0), then per ticket: userId, ticketId, issuedAtMs (the token's, or '').
 * Each ticket as its token `ticketId` sees it (a replaced ticket is EXPIRED), up to a few
 * hundred per call: one script for a slice of subscribers costs Redis far less than one each.
 * With touch=1 a WAITING ticket's heartbeat is refreshed (a poll or an open subscription keeps
 * the place); a PREQUEUED one has no heartbeat before the draw (it cannot be dropped for idleness).
 * lost=1 when no ticket is stored for the user and the token predates this data set (no epoch,
 * or an epoch after the token was signed): Redis lost it. An ended ticket keeps its hash
 * (its ticketId) longer than its token is valid, so it never reads as lost.
 * → per ticket, flat: status, activeUntil, rank, rate, lost
 */
export const VIEW = `${EFFECTIVE_STATUS}
local now = tonumber(ARGV[1])
local idleMs = tonumber(ARGV[2])
local rate = redis.call('HGET', KEYS[3], 'rate') or ''
local epoch, epochRead = nil, false
local out = {}
for i = 1, #KEYS - 5 do
  local userId, ticketId, issuedAt = ARGV[3 * i + 1], ARGV[3 * i + 2], ARGV[3 * i + 3]
  local t = redis.call('HMGET', KEYS[5 + i], 'ticketId')
  if t[1] ~= ticketId then
    local lost = 0
    if not t[1] and issuedAt ~= '' then
      if not epochRead then epoch, epochRead = redis.call('HGET', KEYS[3], 'epoch'), true end
      if not epoch or tonumber(issuedAt) < tonumber(epoch) then lost = 1 end
    end
    for _, v in ipairs({'EXPIRED', '', -1, '', lost}) do out[#out + 1] = v end
  else
    local status, activeUntil, rank = effective(KEYS[1], KEYS[4], KEYS[2], userId, now, idleMs, KEYS[5])
    if status == 'WAITING' and ARGV[3] == '1' then redis.call('ZADD', KEYS[2], 'XX', now, userId) end
    for _, v in ipairs({status, activeUntil, rank, rate, 0}) do out[#out + 1] = v end
  end
end
return out
`;

/**
 * admit — KEYS waiting, active, seen, admits, meta, prequeue, abandons, soldout; ARGV now,
 * maxActive, perTick, idleMs, activeMs, minGapMs, windowMs, tickMs, paused (1|0).
 * One admission tick of one concert. The lastTickAt gate is the per-concert tick lock: however
 * many instances tick, at most one run per minGapMs does work, so the rate stays
 * perTick per tick. Expires ACTIVE tickets past their time, drops WAITING tickets idle longer
 * than idleMs, then admits min(perTick, maxActive - active) in seq order — the cap is checked
 * inside this one atomic script, so active never exceeds maxActive. Nobody is admitted while
 * meta.restoredUntil (set when a loss of Redis data was detected) is in the future, nor while
 * a prequeue waits for its draw (an entrant after the opening never goes before the drawn).
 * Sale controls: nobody is admitted while paused; maxActive and perTick are the concert's
 * effective policy (sale_controls or defaults); expired and dropped tickets are logged in abandons.
 * → {ran (0|1), admitted, expired, dropped, active, waiting, soldOut (0|1)}
 */
export const ADMIT = `${MARK_LOSS}
local now = tonumber(ARGV[1])
local last = redis.call('HGET', KEYS[5], 'lastTickAt')
if last and now - tonumber(last) < tonumber(ARGV[6]) then
  return {0, 0, 0, 0, redis.call('ZCARD', KEYS[2]), redis.call('ZCARD', KEYS[1]), redis.call('EXISTS', KEYS[8])}
end
redis.call('HSET', KEYS[5], 'lastTickAt', now)
redis.call('HSETNX', KEYS[5], 'since', now)
local expired = redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local idleBefore = now - tonumber(ARGV[4])
local idle = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', '(' .. idleBefore)
for _, u in ipairs(idle) do redis.call('ZREM', KEYS[1], u) end
if #idle > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. idleBefore) end
local n = math.min(tonumber(ARGV[3]), tonumber(ARGV[2]) - redis.call('ZCARD', KEYS[2]))
if inGrace(KEYS[5], now) or redis.call('EXISTS', KEYS[6]) == 1 or ARGV[9] == '1' then n = 0 end
local admitted = 0
if n > 0 then
  local activeUntil = now + tonumber(ARGV[5])
  local head = redis.call('ZPOPMIN', KEYS[1], n)
  for i = 1, #head, 2 do
    redis.call('ZREM', KEYS[3], head[i])
    redis.call('ZADD', KEYS[2], activeUntil, head[i])
    admitted = admitted + 1
  end
end
local windowMs = tonumber(ARGV[7])
if admitted > 0 then
  redis.call('ZADD', KEYS[4], now, now .. ':' .. admitted)
end
-- sale controls: the abandon log (saleStats): members 'now:T:count', like admits
if expired + #idle > 0 then
  redis.call('ZADD', KEYS[7], now, now .. ':T:' .. (expired + #idle))
end
redis.call('ZREMRANGEBYSCORE', KEYS[7], '-inf', '(' .. (now - windowMs))
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. (now - windowMs))
local sum = 0
for _, m in ipairs(redis.call('ZRANGE', KEYS[4], 0, -1)) do
  sum = sum + tonumber(string.match(m, ':(%d+)$'))
end
if sum > 0 then
  local span = math.min(windowMs, now - tonumber(redis.call('HGET', KEYS[5], 'since')) + tonumber(ARGV[8]))
  redis.call('HSET', KEYS[5], 'rate', tostring(sum * 1000 / span))
else
  redis.call('HDEL', KEYS[5], 'rate')
end
return {1, admitted, expired, #idle, redis.call('ZCARD', KEYS[2]), redis.call('ZCARD', KEYS[1]), redis.call('EXISTS', KEYS[8])}
`;

/**
 * end — KEYS ticket, waiting, active, seen, prequeue, entrants, abandons; ARGV userId, ticketId,
 * reason, now ('' or ms). A LEFT end with a time is logged in abandons (saleStats).
 * Ends the ticket (leaveQueue or a payment): EXPIRED, out of every set, so its slot is free for
 * the next tick. A replaced or already ended ticket is left alone. → 1 when something changed.
 */
export const END = `
if redis.call('HGET', KEYS[1], 'ticketId') ~= ARGV[2] then return 0 end
local was = redis.call('ZREM', KEYS[2], ARGV[1]) + redis.call('ZREM', KEYS[3], ARGV[1])
  + redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZREM', KEYS[6], ARGV[1])
if was == 0 then return 0 end
redis.call('HSET', KEYS[1], 'endedBy', ARGV[3])
-- sale controls: a LEFT end is logged in abandons (saleStats)
if ARGV[3] == 'LEFT' and ARGV[4] ~= '' then
  redis.call('ZADD', KEYS[7], tonumber(ARGV[4]), ARGV[4] .. ':L:' .. ARGV[1])
end
return 1
`;

/**
 * extend — KEYS ticket, active; ARGV userId, ticketId, untilMs, now.
 * Moves a live ACTIVE ticket's end to at least untilMs (never earlier). → 1 when still ACTIVE.
 */
export const EXTEND = `
if redis.call('HGET', KEYS[1], 'ticketId') ~= ARGV[2] then return 0 end
local au = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not au or tonumber(au) <= tonumber(ARGV[4]) then return 0 end
redis.call('ZADD', KEYS[2], 'XX', 'GT', ARGV[3], ARGV[1])
return 1
`;

/**
 * restore — KEYS seq, waiting, seen, ticket, meta; ARGV userId, ticketId, seq, issuedAtMs, now,
 * graceMs, ticketTtlMs, knownSeq.
 * Puts a ticket Redis lost back as WAITING at its token's entry number. The same conditions as
 * the view's "lost" are re-checked here, atomically: no ticket stored for the user (a restore on
 * another instance, or a new entry, wins) and the token older than the data set's epoch (or no
 * epoch at all). The counter is raised to at least seq (and knownSeq) so that new entrants go
 * behind; markLoss starts the admission pause on the first restore after a loss.
 * → {1, rank, rate} restored, or {0}
 */
export const RESTORE = `${MARK_LOSS}
local now = tonumber(ARGV[5])
local issued = tonumber(ARGV[4])
if redis.call('HGET', KEYS[4], 'ticketId') then return {0} end
local epoch = redis.call('HGET', KEYS[5], 'epoch')
if epoch and issued >= tonumber(epoch) then return {0} end
markLoss(KEYS[5], now, tonumber(ARGV[6]))
local seq = tonumber(ARGV[3])
local floor = math.max(seq, tonumber(ARGV[8]))
if tonumber(redis.call('GET', KEYS[1]) or '0') < floor then redis.call('SET', KEYS[1], floor) end
redis.call('ZADD', KEYS[2], 'NX', seq, ARGV[1])
redis.call('ZADD', KEYS[3], now, ARGV[1])
redis.call('DEL', KEYS[4])
redis.call('HSET', KEYS[4], 'ticketId', ARGV[2], 'seq', seq, 'issuedAt', issued, 'restoredAt', now)
redis.call('PEXPIRE', KEYS[4], ARGV[7])
return {1, redis.call('ZRANK', KEYS[2], ARGV[1]), redis.call('HGET', KEYS[5], 'rate') or ''}
`;
