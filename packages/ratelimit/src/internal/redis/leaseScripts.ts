import { full, now, Script, SETTINGS_TTL, ttl } from "./scripts.js"

/**
 * The Lua scripts of the concurrency limiter on Redis: a counting semaphore with leases and a fair
 * line. `KEYS = [leases, line, waiters, seq, settings, ids, channel]`:
 *
 * - `leases`: the holders, a sorted set of lease ids scored by their expiry (µs, Redis's clock).
 *   A lease whose expiry has come is gone: its holder stopped renewing it (killed, or cut off).
 * - `line`: the waiters, a sorted set scored by rank — `-priority`, or with aging the arrival
 *   (ms) `- priority × aging` — whose members are `<seq>:<id>`, `seq` a 16-digit number, the
 *   `seq` key's value plus one, or Redis's clock (µs) if later: equal ranks are ordered by member,
 *   so by arrival in Redis, across processes. `seq` expires with the line, but never restarts: a
 *   waiter whose process stalled past its registration's expiry (and the key's) comes back at its
 *   place, ahead of the newcomers registered meanwhile (unless Redis's clock stepped back).
 * - `waiters`: the same members scored by their registration's expiry. A waiter's process renews
 *   it at each poll; a waiter whose process died leaves the line when it expires.
 * - `ids`: a hash from the request id of each member of the line to the member, kept while it
 *   waits or holds the lease handed to it: an acquire sent again (ioredis resends a command whose
 *   reply it lost, when it reconnects) finds its registration, or its lease, and does not register
 *   twice. An expired registration's entry is dropped with it (a poll that registers it again
 *   adds it back).
 * - `settings`: a hash whose `limit`, set by `resize`, overrides the one each call brings, and
 *   its `version`: 0 while none is stored (until a resize, or again once Redis forgot it), then
 *   each resize's `max(version + 1, now)`. Every answer that tells the limit tells its version
 *   too, and a process ignores a limit older than the one it holds (a reply read after the message
 *   of a resize that followed it), unless it sent the request after it took that one (see `Versioned`).
 *
 * Every script first drops what has expired and hands the free permits to the heads of the line
 * (`handOn`): so after any script, the line is empty or no permit is free. A head is granted a
 * lease in place — its lease expires when its registration would have — and the members granted
 * are published on `channel` (`<leases>:wake:db<n>`, see `Connection.channel`) as
 * `g <member> <member> …`; `resize` also publishes `s <limit> <version>`. Every limit a script
 * publishes or answers is a string, written in full (`full`). `ARGV` starts with
 * `[limit, lease (µs)]`.
 *
 * @internal
 */
const prologue = `${now}${full}${ttl}
local leases, line, waiters, seq, settings, ids = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local stored = redis.call("HMGET", settings, "limit", "version")
local limit = tonumber(stored[1] or ARGV[1])
local version = tonumber(stored[2] or 0)
local lease = tonumber(ARGV[2])
local channel = KEYS[7]

-- the request id of a member of the line, \`<seq>:<id>\` (a lease a try took is named by its id)
local function idOf(member) return string.match(member, "^%d+:(.+)$") or member end

-- \`member\` is gone: its request id no longer maps to it
local function forget(member)
  local id = idOf(member)
  if redis.call("HGET", ids, id) == member then redis.call("HDEL", ids, id) end
end

local function dropExpiredLeases()
  local expired = redis.call("ZRANGEBYSCORE", leases, "-inf", now)
  if #expired == 0 then return end
  redis.call("ZREMRANGEBYSCORE", leases, "-inf", now)
  for _, member in ipairs(expired) do forget(member) end
end

local function purge()
  dropExpiredLeases()
  local expired = redis.call("ZRANGEBYSCORE", waiters, "-inf", now)
  for _, member in ipairs(expired) do
    redis.call("ZREM", line, member)
    forget(member)
  end
  if #expired > 0 then redis.call("ZREMRANGEBYSCORE", waiters, "-inf", now) end
end

local function handOn()
  purge()
  local free = limit - redis.call("ZCARD", leases)
  if free <= 0 then return end
  local heads = redis.call("ZRANGE", line, 0, free - 1)
  if #heads == 0 then return end
  for _, member in ipairs(heads) do
    -- its lease expires when its registration would have (a lease from now if \`waiters\` was evicted alone)
    local expiry = redis.call("ZSCORE", waiters, member) or now + lease
    redis.call("ZADD", leases, expiry, member)
    redis.call("ZREM", line, member)
    redis.call("ZREM", waiters, member)
  end
  redis.call("PUBLISH", channel, "g " .. table.concat(heads, " "))
end

-- each key lives until its last lease or registration would expire, and a second more
local function keep()
  local longest = 0
  local last = redis.call("ZRANGE", leases, -1, -1, "WITHSCORES")
  if last[2] then
    longest = math.ceil((tonumber(last[2]) - now) / 1000) + 1000
    redis.call("PEXPIRE", leases, ttl(longest))
  end
  last = redis.call("ZRANGE", waiters, -1, -1, "WITHSCORES")
  if last[2] then
    local lastWaiter = math.ceil((tonumber(last[2]) - now) / 1000) + 1000
    redis.call("PEXPIRE", waiters, ttl(lastWaiter))
    redis.call("PEXPIRE", line, ttl(lastWaiter))
    redis.call("PEXPIRE", seq, ttl(lastWaiter))
    longest = math.max(longest, lastWaiter)
  end
  if longest > 0 then redis.call("PEXPIRE", ids, ttl(longest)) end
  redis.call("PEXPIRE", settings, ${SETTINGS_TTL})
end

local function untilFirstExpiry()
  local first = redis.call("ZRANGE", leases, 0, 0, "WITHSCORES")
  if first[2] then return tonumber(first[2]) - now end
  return lease
end
`

/**
 * `ARGV = [limit, lease, id, mayWait, rank, byArrival]`: takes a lease for `id` if the line is
 * empty and a permit free (or `id` holds one: an acquire sent again) → `{ 1, id, limit, 0, "", version }`.
 * An acquire sent again whose first run registered `id` renews what that run made — its
 * registration → `{ 0, member, …, its rank, version }`, or the lease handed to it since →
 * `{ 1, member, limit, 0, "", version }` — and registers nothing. Else,
 * with `mayWait` `"1"`, registers `id` in the line, ranked `rank` (plus the arrival in ms when
 * `byArrival` is `"1"`) → `{ 0, member, limit, µs until the first lease expires, rank, version }`;
 * with `mayWait` `"0"` → `{ 0, "", limit, …, version }`.
 *
 * @internal
 */
export const acquire = new Script(`${prologue}
handOn()
local id = ARGV[3]
local known = redis.call("HGET", ids, id)
if known then
  if redis.call("ZSCORE", leases, known) then
    redis.call("ZADD", leases, now + lease, known)
    keep()
    return {1, known, full(limit), 0, "", version}
  end
  local ranked = redis.call("ZSCORE", line, known)
  if ranked then
    redis.call("ZADD", waiters, now + lease, known)
    keep()
    return {0, known, full(limit), untilFirstExpiry(), ranked, version}
  end
end
if redis.call("ZSCORE", leases, id) or
  (redis.call("ZCARD", line) == 0 and redis.call("ZCARD", leases) < limit) then
  redis.call("ZADD", leases, now + lease, id)
  keep()
  return {1, id, full(limit), 0, "", version}
end
if ARGV[4] ~= "1" then return {0, "", full(limit), untilFirstExpiry(), "", version} end
local rank = tonumber(ARGV[5])
if ARGV[6] == "1" then rank = rank + math.floor(now / 1000) end
rank = string.format("%.17g", rank)
local number = math.max(tonumber(redis.call("GET", seq) or 0) + 1, now)
redis.call("SET", seq, string.format("%.17g", number))
local member = string.format("%016.0f", number) .. ":" .. id
redis.call("ZADD", line, rank, member)
redis.call("ZADD", waiters, now + lease, member)
redis.call("HSET", ids, id, member)
keep()
return {0, member, full(limit), untilFirstExpiry(), rank, version}
`)

/**
 * `ARGV = [limit, lease, member₁, rank₁, member₂, rank₂, …]`: a process's waiters, still there:
 * their registrations renewed (and made again, at their place, if they had expired — the process
 * stalled), and the leases handed to them — now or earlier, their message lost — renewed too, so
 * each granted lease lasts `lease` from this script. Answers `{ the members that hold a lease now,
 * limit, µs until the first lease expires, version }`.
 *
 * @internal
 */
export const heartbeat = new Script(`${prologue}
dropExpiredLeases()
for i = 3, #ARGV, 2 do
  if not redis.call("ZSCORE", leases, ARGV[i]) then
    redis.call("ZADD", line, ARGV[i + 1], ARGV[i])
    redis.call("ZADD", waiters, now + lease, ARGV[i])
    redis.call("HSET", ids, idOf(ARGV[i]), ARGV[i])
  end
end
handOn()
local granted = {}
for i = 3, #ARGV, 2 do
  if redis.call("ZSCORE", leases, ARGV[i]) then
    redis.call("ZADD", leases, now + lease, ARGV[i])
    granted[#granted + 1] = ARGV[i]
  end
end
keep()
return {granted, full(limit), untilFirstExpiry(), version}
`)

/**
 * `ARGV = [limit, lease, member, byId]`: the member leaves — its lease released, or its
 * registration withdrawn — and what it frees goes to the heads of the line. With `byId` `"1"`,
 * only the id is known (an acquire whose reply was lost): whatever it registered as, `<seq>:<id>`,
 * is found by a scan. Answers how many entries were removed.
 *
 * @internal
 */
export const leave = new Script(`${prologue}
local removed = 0
local function remove(member)
  removed = removed + redis.call("ZREM", leases, member) + redis.call("ZREM", line, member)
  redis.call("ZREM", waiters, member)
  forget(member)
end
if ARGV[4] == "1" then
  local known = redis.call("HGET", ids, ARGV[3])
  if known then remove(known) end
end
remove(ARGV[3])
if ARGV[4] == "1" then
  for _, set in ipairs({line, leases}) do
    local cursor = "0"
    repeat
      local page = redis.call("ZSCAN", set, cursor, "MATCH", "*:" .. ARGV[3], "COUNT", 1000)
      cursor = page[1]
      for i = 1, #page[2], 2 do remove(page[2][i]) end
    until cursor == "0"
  end
end
handOn()
keep()
return removed
`)

/**
 * `ARGV = [limit, lease, member]`: extends the member's lease by `lease` from now if it still holds
 * it → 1; else 0: it expired (or was released), and its permit may already be someone else's.
 *
 * @internal
 */
export const renew = new Script(`${prologue}
local expiry = redis.call("ZSCORE", leases, ARGV[3])
local held = expiry and tonumber(expiry) > now
if held then redis.call("ZADD", leases, now + lease, ARGV[3]) end
handOn()
keep()
if held then return 1 end
return 0
`)

/** `ARGV = [limit, lease]`: `{ the leases held now, limit, version }`. @internal */
export const count = new Script(`${prologue}
handOn()
keep()
return {redis.call("ZCARD", leases), full(limit), version}
`)

/**
 * `ARGV = [limit, lease, new limit]`: the limit for every process, stored; a grow hands the new
 * permits to the heads of the line at once. Publishes `s <limit> <version>`; answers `{ limit, version }`.
 *
 * @internal
 */
export const resize = new Script(`${prologue}
limit = tonumber(ARGV[3])
version = math.max(version + 1, now)
redis.call("HSET", settings, "limit", limit, "version", version)
redis.call("PUBLISH", channel, "s " .. full(limit) .. " " .. full(version))
handOn()
keep()
return {full(limit), version}
`)
