import { createHash } from "node:crypto"

/**
 * The Lua scripts of the limiters on Redis. Each decision is one script, so it is atomic: Redis
 * runs one script at a time, and no other client's command comes between its reads and writes.
 * Time is Redis's (`TIME`, in microseconds), never a process's clock; a time read below the
 * newest one kept (Redis's clock stepped back) counts as that newest one, so time never runs
 * backwards in a limiter's state. Every key is given a time to live past which it no longer
 * matters, so an idle limiter leaves nothing behind.
 *
 * Every rate script takes `ARGV = [mode, cost, limit, interval (µs), burst, id]`, `mode` being
 * `"take"` (start `cost` if allowed) or `"peek"` (change nothing), and answers
 * `{ wait (µs), available }`: `wait` 0 means the start is recorded; otherwise nothing was written
 * and the start may be allowed `wait` microseconds from now (not earlier).
 *
 * @internal
 */
export class Script {
  readonly sha: string
  constructor(readonly source: string) {
    this.sha = createHash("sha1").update(source).digest("hex")
  }
}

const now = `
local time = redis.call("TIME")
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
`

/**
 * A log of starts, one member per unit of cost, scored by its time. Strict: a start at `s` counts
 * while `now ≤ s + interval` — Redis reads whole microseconds, so a start read as `s` happened in
 * `[s, s + 1)` and counts until the reading `s + interval + 1` — so no window of length
 * `interval` ever holds more than `limit`.
 *
 * @internal
 */
export const slidingWindow = new Script(`${now}
local log = KEYS[1]
local cost, limit, interval = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local newest = redis.call("ZRANGE", log, -1, -1, "WITHSCORES")
if newest[2] ~= nil and tonumber(newest[2]) > now then now = tonumber(newest[2]) end
redis.call("ZREMRANGEBYSCORE", log, "-inf", now - interval - 1)
local used = redis.call("ZCARD", log)
if ARGV[1] == "peek" then return {0, limit - used} end
local excess = used + cost - limit
if excess > 0 then
  -- the oldest starts leave first: wait for the one whose leaving makes room
  local leaving = redis.call("ZRANGE", log, excess - 1, excess - 1, "WITHSCORES")
  return {tonumber(leaving[2]) + interval + 1 - now, limit - used}
end
for unit = 1, cost do redis.call("ZADD", log, now, ARGV[6] .. ":" .. unit) end
redis.call("PEXPIRE", log, math.ceil(interval / 1000) + 1000)
return {0, limit - used - cost}
`)

/**
 * A bucket of `burst` tokens refilled at `limit` per `interval`. The level is kept in
 * tokens × interval (µs), so a microsecond refills exactly `limit` units: integers only.
 *
 * @internal
 */
export const tokenBucket = new Script(`${now}
local bucket = KEYS[1]
local cost, limit, interval, burst = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local full = burst * interval
local state = redis.call("HMGET", bucket, "level", "at")
local level, at = tonumber(state[1]), tonumber(state[2])
if level == nil then
  level = full
elseif now < at then
  now = at
else
  level = math.min(full, level + (now - at) * limit)
end
if ARGV[1] == "peek" then return {0, math.floor(level / interval)} end
local missing = cost * interval - level
if missing > 0 then return {math.ceil(missing / limit), math.floor(level / interval)} end
level = level - cost * interval
redis.call("HSET", bucket, "level", level, "at", now)
redis.call("PEXPIRE", bucket, math.ceil((full - level) / limit / 1000) + 1000)
return {0, math.floor(level / interval)}
`)

/**
 * The generic cell rate algorithm, its theoretical arrival time kept as how far it is ahead of
 * the last decision (in µs × limit, so an emission interval is exactly `interval` units): small
 * integers, however long the limiter lives. A start is allowed while that lead is at most
 * `(burst - 1)` emission intervals.
 *
 * @internal
 */
export const gcra = new Script(`${now}
local cell = KEYS[1]
local cost, limit, interval, burst = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local tolerance = (burst - 1) * interval
local state = redis.call("HMGET", cell, "ahead", "at")
local ahead, at = tonumber(state[1]), tonumber(state[2])
if ahead == nil then
  ahead = 0
elseif now < at then
  now = at
else
  ahead = math.max(0, ahead - (now - at) * limit)
end
local available = math.max(0, math.floor((tolerance + interval - ahead) / interval))
if ARGV[1] == "peek" then return {0, available} end
if ahead > tolerance then return {math.ceil((ahead - tolerance) / limit), available} end
ahead = ahead + cost * interval
redis.call("HSET", cell, "ahead", ahead, "at", now)
redis.call("PEXPIRE", cell, math.ceil(ahead / limit / 1000) + 1000)
return {0, math.max(0, math.floor((tolerance + interval - ahead) / interval))}
`)

/** The key lives until its last lease would expire, and a second more. */
const expireWithLastLease = `
local last = redis.call("ZRANGE", leases, -1, -1, "WITHSCORES")
if last[2] ~= nil then redis.call("PEXPIRE", leases, math.ceil((tonumber(last[2]) - now) / 1000) + 1000) end
`

/**
 * The semaphore's leases: a sorted set of lease ids scored by their expiry (µs). A lease whose
 * expiry has come is gone: its holder stopped renewing it (killed, or cut off from Redis).
 * `ARGV = [permits, lease (µs), id]`; answers `{ 1, 0 }` when the lease is taken (or was already
 * this id's: an acquire sent again), else `{ 0, µs until the first lease expires }`.
 *
 * @internal
 */
export const acquireLease = new Script(`${now}
local leases = KEYS[1]
local permits, lease, id = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
redis.call("ZREMRANGEBYSCORE", leases, "-inf", now)
if redis.call("ZSCORE", leases, id) or redis.call("ZCARD", leases) < permits then
  redis.call("ZADD", leases, now + lease, id)
  ${expireWithLastLease}
  return {1, 0}
end
local first = redis.call("ZRANGE", leases, 0, 0, "WITHSCORES")
return {0, tonumber(first[2]) - now}
`)

/**
 * Extends a lease by `ARGV[1]` µs from now, if it is still held: answers 1, or 0 when it has
 * expired (or was released), in which case its permit may already be someone else's.
 *
 * @internal
 */
export const renewLease = new Script(`${now}
local leases = KEYS[1]
local expiry = redis.call("ZSCORE", leases, ARGV[2])
if not expiry or tonumber(expiry) <= now then
  redis.call("ZREM", leases, ARGV[2])
  return 0
end
redis.call("ZADD", leases, now + tonumber(ARGV[1]), ARGV[2])
${expireWithLastLease}
return 1
`)

/** Gives a lease back: answers 1, or 0 if it was no longer held. @internal */
export const releaseLease = new Script(`return redis.call("ZREM", KEYS[1], ARGV[1])`)

/** The leases held now (not expired). @internal */
export const countLeases = new Script(`${now}
return redis.call("ZCOUNT", KEYS[1], "(" .. now, "+inf")
`)
