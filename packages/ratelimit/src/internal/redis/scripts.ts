import { createHash } from "node:crypto"

/**
 * The Lua scripts of the rate limiters on Redis. Each decision is one script, so it is atomic:
 * Redis runs one script at a time, and no other client's command comes between its reads and
 * writes. Time is Redis's (`TIME`, in microseconds), never a process's clock; a time read below
 * the newest one kept (Redis's clock stepped back) counts as that newest one, so time never runs
 * backwards in a limiter's state. Every key is given a time to live past which it no longer
 * matters, so an idle limiter leaves nothing behind.
 *
 * A rate script has `KEYS = [state, settings, channel]`: the algorithm's state, a hash of what
 * `resize` and `pause` stored (`limit`, `interval` in µs, `burst`, `paused` until, in µs), which
 * overrides the numbers every call brings (those of the limiter's options) and lives for a day
 * after its last use, and the channel it publishes on (`<state>:wake:db<n>`, see
 * `Connection.channel`). `ARGV = [op, limit, interval (µs), burst, …]`, and `op` is
 *
 * - `"take"`, `…, id, cost₁, cost₂, …`: starts the longest prefix of the costs that is allowed
 *   now, in order (a batch of waiters, first in line first);
 * - `"try"`, `…, id, cost`: a request's first try: as `"take"`, but a cost above the most the
 *   numbers in force allow at once (`largest()`: the limit, or for the token bucket the smaller
 *   of limit and burst) is refused, `started` −1 — it would start alone, over the limit;
 * - `"peek"`: changes nothing;
 * - `"drain"`, `…, id`: counts the capacity free now as used now;
 * - `"resize"`, `…, limit, interval, burst` (each `""` to keep it): new numbers for every process,
 *   the state converted as the local limiter does, and `s <limit> <interval> <burst> <version>` published
 *   on `channel`;
 * - `"pause"`, `…, millis`: no start until `now + millis` (`millis` at most `MAX_PAUSE_MILLIS`),
 *   unless a pause already ends later.
 *
 * Each answers `{ started, wait (µs until the next cost may start; 0 if all started),
 * available, paused for (µs), limit, interval (µs), burst, version }` (limit, interval and burst
 * as strings written in full, as published: see `full`): the numbers in force, and
 * their version — 0 while none are stored (`make`'s apply: until a resize, or again once Redis
 * forgot the settings), then each resize's `max(version + 1, now)`, published with them: a
 * process ignores numbers older than those it holds (a reply read after the message of a resize
 * that followed it), unless it sent the request after it took them (see `Versioned`).
 *
 * @internal
 */
export class Script {
  readonly sha: string
  constructor(readonly source: string) {
    this.sha = createHash("sha1").update(source).digest("hex")
  }
}

/** Reads Redis's clock into `now` (µs). @internal */
export const now = `
local time = redis.call("TIME")
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
`

/**
 * `full(n)`: the number `n` written in full (`%.17g`, which reads back as the same number), for a
 * message or a reply. Lua's `..` keeps 14 significant digits (123456789012345 becomes
 * `1.2345678901234e+14`), and ioredis reads an integer reply above 2^53 − 58 one off: the numbers
 * a resize sets, which may be any safe integer, travel as these strings.
 *
 * @internal
 */
export const full = `
local function full(n) return string.format("%.17g", n) end
`

/**
 * The longest time to live a script gives a key, in ms: 2^53 − 1 (about 285,000 years), an integer
 * a double holds exactly; a token bucket or GCRA refilling for longer forgets its state then.
 *
 * @internal
 */
export const MAX_TTL_MILLIS = Number.MAX_SAFE_INTEGER

/**
 * `ttl(ms)`: `ms` rounded up, at most `MAX_TTL_MILLIS`, written as an integer for `PEXPIRE`. Redis
 * writes a Lua number passed to a command with `%.17g`, so from 10^17 with an exponent (`1e+17`),
 * which `PEXPIRE` refuses ("value is not an integer") — after the script's earlier writes, which
 * stay: a refill of 10^17 ms or more (e.g. 1 per 100 years, a burst of 100,000) failed every call
 * that wrote the state.
 *
 * @internal
 */
export const ttl = `
local function ttl(ms) return string.format("%.0f", math.min(math.ceil(ms), ${MAX_TTL_MILLIS})) end
`

/** How long what `resize` and `pause` stored outlives the limiter's last use: a day, in ms. @internal */
export const SETTINGS_TTL = 86_400_000

/**
 * The longest pause, in ms: 100 years (of 365.25 days). A longer one is this long, so the end of a
 * pause in µs stays an exact integer for Lua's numbers and Redis's integer replies (below 2^53):
 * a pause of 10^10 days would end past 2^63 µs and read back negative.
 *
 * @internal
 */
export const MAX_PAUSE_MILLIS = 3_155_760_000_000

const settings = `
local state, settings = KEYS[1], KEYS[2]
local op = ARGV[1]
local stored = redis.call("HMGET", settings, "limit", "interval", "burst", "paused", "version")
local limit = tonumber(stored[1] or ARGV[2])
local interval = tonumber(stored[2] or ARGV[3])
local burst = tonumber(stored[3] or ARGV[4])
local paused = tonumber(stored[4] or 0)
local version = tonumber(stored[5] or 0)
if stored[1] or stored[4] then redis.call("PEXPIRE", settings, ${SETTINGS_TTL}) end
`

/**
 * What every algorithm's script does with the functions it defines: `prepare()` (its state read,
 * brought to `now`), `waitFor(cost)` (µs until `cost` may start, 0 for now), `commit(cost, tag)`,
 * `available()`, `largest()` (the largest cost a request may ask), `drain(tag)` and
 * `resized(limit, interval, burst)` (the state converted to the new numbers, which it then sets).
 */
const dispatch = `
prepare()
-- a pause stored longer than the longest (by an older version) counts as the longest
paused = math.min(paused, now + ${MAX_PAUSE_MILLIS} * 1000)
-- a wait past 2^63 µs (a debt of huge costs at 100-year intervals) would read back negative: the
-- client asks again within seconds whatever the wait, so it is capped at 2^53 - 1
local function reply(started, wait)
  return {started, math.min(wait, ${Number.MAX_SAFE_INTEGER}), available(), math.max(0, paused - now), full(limit), full(interval), full(burst), version}
end
if op == "peek" then return reply(0, 0) end
if op == "pause" then
  paused = math.max(paused, now + math.min(tonumber(ARGV[5]), ${MAX_PAUSE_MILLIS}) * 1000)
  redis.call("HSET", settings, "paused", paused)
  redis.call("PEXPIRE", settings, ${SETTINGS_TTL})
  return reply(0, 0)
end
if op == "drain" then
  drain("drain:" .. ARGV[5])
  return reply(0, 0)
end
if op == "resize" then
  resized(tonumber(ARGV[5]) or limit, tonumber(ARGV[6]) or interval, tonumber(ARGV[7]) or burst)
  version = math.max(version + 1, now)
  redis.call("HSET", settings, "limit", limit, "interval", interval, "burst", burst, "version", version)
  redis.call("PEXPIRE", settings, ${SETTINGS_TTL})
  redis.call("PUBLISH", KEYS[3], "s " .. full(limit) .. " " .. full(interval) .. " " .. full(burst) .. " " .. full(version))
  return reply(0, 0)
end
if op == "try" and tonumber(ARGV[6]) > largest() then return reply(-1, 0) end
if paused > now then return reply(0, paused - now) end
local started = 0
for i = 6, #ARGV do
  local cost = tonumber(ARGV[i])
  local wait = waitFor(cost)
  if wait > 0 then return reply(started, wait) end
  commit(cost, ARGV[5] .. ":" .. i)
  started = started + 1
end
return reply(started, 0)
`

/**
 * The token bucket's and GCRA's state: one number and the time it was written at, in a hash.
 * `readCell` answers it (nil if none) and the µs since (0 if Redis's clock stepped back: then the
 * time written counts as now); `writeCell` stores it, the key living `micros` more, and a second.
 */
const cell = `
local function readCell(field)
  local cell = redis.call("HMGET", state, field, "at")
  local stored, at = tonumber(cell[1]), tonumber(cell[2])
  if stored == nil then return nil, 0 end
  if now < at then now = at end
  return stored, now - at
end
local function writeCell(field, value, micros)
  redis.call("HSET", state, field, value, "at", now)
  redis.call("PEXPIRE", state, ttl(micros / 1000 + 1000))
end
`

const rateScript = (algorithm: string) => new Script(`${now}${full}${ttl}${settings}${cell}${algorithm}${dispatch}`)

/**
 * A log of starts, one member per unit of cost, scored by its time. Strict: a start at `s` counts
 * while `now ≤ s + interval` — Redis reads whole microseconds, so a start read as `s` happened in
 * `[s, s + 1)` and counts until the reading `s + interval + 1` — so no window of length
 * `interval` ever holds more than `limit`. A resize keeps the log and counts it against the new
 * limit over the new interval.
 *
 * @internal
 */
export const slidingWindow = rateScript(`
burst = limit
local used = 0
local function prune()
  redis.call("ZREMRANGEBYSCORE", state, "-inf", now - interval - 1)
  used = redis.call("ZCARD", state)
end
local function prepare()
  local newest = redis.call("ZRANGE", state, -1, -1, "WITHSCORES")
  if newest[2] ~= nil and tonumber(newest[2]) > now then now = tonumber(newest[2]) end
  prune()
end
local function waitFor(cost)
  local excess = used + cost - limit
  if excess <= 0 or used == 0 then return 0 end
  -- the oldest starts leave first: wait for the one whose leaving makes room (for a cost above
  -- the limit, asked before a shrink, the newest: it starts alone)
  local index = math.min(excess, used) - 1
  local leaving = redis.call("ZRANGE", state, index, index, "WITHSCORES")
  return tonumber(leaving[2]) + interval + 1 - now
end
local function commit(cost, tag)
  for unit = 1, cost do redis.call("ZADD", state, now, tag .. ":" .. unit) end
  used = used + cost
  redis.call("PEXPIRE", state, ttl(interval / 1000 + 1000))
end
local function available() return math.max(0, limit - used) end
local function largest() return limit end
local function drain(tag)
  if limit > used then commit(limit - used, tag) end
end
local function resized(newLimit, newInterval)
  limit, interval, burst = newLimit, newInterval, newLimit
  prune()
  if used > 0 then redis.call("PEXPIRE", state, ttl(interval / 1000 + 1000)) end
end
`)

/**
 * A bucket of `burst` tokens refilled at `limit` per `interval`. The level is kept in
 * tokens × interval (µs), so a microsecond refills exactly `limit` units: integers only. A resize
 * keeps the tokens (at most the new burst).
 *
 * @internal
 */
export const tokenBucket = rateScript(`
local level = 0
local function prepare()
  local stored, elapsed = readCell("level")
  level = stored == nil and burst * interval or math.min(burst * interval, stored + elapsed * limit)
end
local function save()
  writeCell("level", level, (burst * interval - level) / limit)
end
local function waitFor(cost)
  -- a cost above the burst (asked before a shrink) starts alone, once the bucket is full
  local missing = math.min(cost, burst) * interval - level
  if missing <= 0 then return 0 end
  return math.ceil(missing / limit)
end
local function commit(cost)
  level = level - cost * interval
  save()
end
local function available() return math.max(0, math.floor(level / interval)) end
local function largest() return math.min(limit, burst) end
local function drain()
  level = math.min(level, 0)
  save()
end
local function resized(newLimit, newInterval, newBurst)
  level = math.min(newBurst * newInterval, math.floor(level * newInterval / interval))
  limit, interval, burst = newLimit, newInterval, newBurst
  save()
end
`)

/**
 * The generic cell rate algorithm, its theoretical arrival time kept as how far it is ahead of
 * the last decision (in µs × limit, so an emission interval is exactly `interval` units): small
 * integers, however long the limiter lives. A start of `cost` is allowed while that lead is at
 * most `(burst - cost)` emission intervals (none, for a cost above the burst). A resize keeps the emission intervals booked ahead (at most a
 * new burst of them), each now the new length.
 *
 * @internal
 */
export const gcra = rateScript(`
local ahead = 0
local function prepare()
  local stored, elapsed = readCell("ahead")
  ahead = stored == nil and 0 or math.max(0, stored - elapsed * limit)
end
local function save()
  writeCell("ahead", ahead, ahead / limit)
end
local function waitFor(cost)
  -- a start counts its own cost against the burst (a cost above it starts alone, nothing booked)
  local tolerance = (burst - math.min(cost, burst)) * interval
  if ahead <= tolerance then return 0 end
  return math.ceil((ahead - tolerance) / limit)
end
local function commit(cost)
  ahead = ahead + cost * interval
  save()
end
local function available()
  return math.max(0, math.floor((burst * interval - ahead) / interval))
end
local function largest() return limit end
local function drain()
  ahead = math.max(ahead, burst * interval)
  save()
end
local function resized(newLimit, newInterval, newBurst)
  ahead = math.ceil(math.min(ahead / interval, newBurst) * newInterval)
  limit, interval, burst = newLimit, newInterval, newBurst
  save()
end
`)
