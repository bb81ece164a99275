/**
 * API rate limiting — limits you can steer: per key, by priority, resized, shedding load.
 *
 * The guide's limiters are fixed numbers set at start-up. Real clients steer them: one request at
 * a time per account, two per host but eight in all, urgent work first, a limit raised when the
 * API allows more, and work refused — not queued for ever — when the backlog is too long. Six
 * short parts, each printing what happened (times are relative to the part's start, in hundredths
 * of a second, each request taking 0.1 s):
 *
 * 1. `KeyedLock`: updates of the same account one at a time, of different accounts at once.
 * 2. `KeyedConcurrencyLimiter`: at most 2 requests per host and 3 in all; idle hosts forgotten.
 * 3. `FiberPool` priorities: on one worker, the urgent tasks run before the earlier routine ones.
 * 4. `ConcurrencyLimiter.resize`: 6 requests at 1 at a time, raised to 3 after 0.25 s.
 * 5. `maxPending` with `onFull: "fail"` and `"dropOldest"`: who was refused or dropped.
 * 6. `RateLimiter` steered: 1 start per 50 ms, at most 3 waiting — a checkout goes ahead of the
 *    reports, and the report waiting longest is dropped when the line is full.
 *
 * Run: pnpm tsx examples/09c-steering-limits.ts
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { FiberPool } from "@fiberkit/executor"
import { ConcurrencyLimiter, KeyedConcurrencyLimiter, RateLimiter } from "@fiberkit/ratelimit"
import { KeyedLock } from "@fiberkit/sync"
import { Clock, Console, Effect } from "effect"

/** Seconds since `start`, to the hundredth: `0.25`. */
const since = (start: number) => Effect.map(Clock.currentTimeMillis, (now) => ((now - start) / 1000).toFixed(2))

const request = Effect.sleep("100 millis")

const keyedLock = Effect.gen(function*() {
  yield* Console.log("1. KeyedLock: one update at a time per account")
  const accounts = yield* KeyedLock.make<string>()
  const start = yield* Clock.currentTimeMillis
  const update = (account: string, n: number) =>
    accounts.withLock(account)(Effect.gen(function*() {
      yield* Console.log(`  ${yield* since(start)} s  ${account} update ${n}`)
      yield* request
    }))
  yield* Effect.all([update("alice", 1), update("alice", 2), update("bob", 1), update("alice", 3)], {
    concurrency: "unbounded"
  })
  yield* Console.log(`  accounts still locked: ${yield* accounts.keys}`)
})

const perHost = Effect.gen(function*() {
  yield* Console.log("2. KeyedConcurrencyLimiter: 2 per host, 3 in all")
  const hosts = yield* KeyedConcurrencyLimiter.make<string>({ perKey: 2, global: 3 })
  const start = yield* Clock.currentTimeMillis
  const urls = ["a.example/1", "a.example/2", "a.example/3", "b.example/1", "b.example/2", "c.example/1"]
  let most = 0
  yield* Effect.forEach(urls, (url) =>
    hosts(url.split("/")[0]!)(Effect.gen(function*() {
      most = Math.max(most, yield* hosts.insideAll)
      yield* Console.log(`  ${yield* since(start)} s  GET ${url}`)
      yield* request
    })), { concurrency: "unbounded", discard: true })
  yield* Console.log(`  most in flight: ${most}; hosts remembered: ${yield* hosts.keys}`)
})

const priorities = Effect.scoped(Effect.gen(function*() {
  yield* Console.log("3. FiberPool priorities: one worker, urgent first")
  const pool = yield* FiberPool.make({ concurrency: 1 })
  const order: Array<string> = []
  const task = (name: string) => Effect.andThen(Effect.sync(() => void order.push(name)), Effect.sleep("10 millis"))
  yield* pool.submit(task("busy"))
  for (const name of ["routine-1", "routine-2"]) yield* pool.submit(task(name))
  for (const name of ["urgent-1", "urgent-2"]) yield* pool.submit(task(name), { priority: 10 })
  yield* pool.awaitIdle
  yield* Console.log(`  ran: ${order.join(", ")}`)
}))

const resize = Effect.gen(function*() {
  yield* Console.log("4. ConcurrencyLimiter.resize: 1 at a time, then 3")
  const limit = yield* ConcurrencyLimiter.make({ concurrency: 1 })
  const start = yield* Clock.currentTimeMillis
  const requests = Effect.forEach([1, 2, 3, 4, 5, 6], (n) =>
    limit(Effect.gen(function*() {
      yield* Console.log(`  ${yield* since(start)} s  request ${n} (limit ${limit.concurrency})`)
      yield* request
    })), { concurrency: "unbounded", discard: true })
  const raise = Effect.andThen(Effect.sleep("250 millis"), limit.resize(3))
  yield* Effect.all([requests, raise], { concurrency: "unbounded" })
})

const shedding = Effect.gen(function*() {
  yield* Console.log("5. maxPending 2: refuse the newcomer, or drop the oldest")
  for (const onFull of ["fail", "dropOldest"] as const) {
    const limit = yield* ConcurrencyLimiter.make({ concurrency: 1, maxPending: 2, onFull })
    const outcomes = yield* Effect.forEach([1, 2, 3, 4, 5], (n) =>
      limit(Effect.as(request, `${n} ran`)).pipe(
        Effect.catchTag("PendingLimitExceeded", (e) => Effect.succeed(`${n} ${e.dropped ? "dropped" : "refused"}`))
      ), { concurrency: "unbounded" })
    yield* Console.log(`  onFull "${onFull}": ${outcomes.join(", ")}`)
  }
})

const rate = Effect.gen(function*() {
  yield* Console.log("6. RateLimiter: 1 start per 50 ms, at most 3 waiting, the oldest dropped")
  const api = yield* RateLimiter.make({ limit: 1, interval: "50 millis", maxPending: 3, onFull: "dropOldest" })
  const started: Array<string> = []
  const dropped: Array<string> = []
  // report-1 starts at once; report-2 waits for its turn, report-3 behind it; checkout goes ahead
  // of report-3; report-4 finds 3 waiting: report-2, the oldest, is dropped, and its turn passes on
  const calls = [["report-1", 0], ["report-2", 0], ["report-3", 0], ["checkout", 10], ["report-4", 0]] as const
  yield* Effect.forEach(
    calls,
    ([name, priority]) =>
      api.withPriority(priority)(Effect.sync(() => void started.push(name))).pipe(
        Effect.catchTag("PendingLimitExceeded", () => Effect.sync(() => void dropped.push(name)))
      ),
    { concurrency: "unbounded", discard: true }
  )
  yield* Console.log(`  started: ${started.join(", ")}; dropped: ${dropped.join(", ")}`)
})

const program = Effect.gen(function*() {
  for (const part of [keyedLock, perHost, priorities, resize, shedding, rate]) {
    yield* part
    yield* Console.log("")
  }
})

NodeRuntime.runMain(program)
