/**
 * Steering a rate limiter (issue 25) against bottleneck, the same job on each side: N requests
 * submitted at once to a limit that is used up, then the limit is raised so that they may all
 * start — what is timed is the line, not the clock (no timer is waited for).
 *
 * - priorities: 1,000 requests with priorities 0–9, let in by priority (ours: a window filled,
 *   then `resize` to a limit with room for all; bottleneck: `reservoir: 0`, then
 *   `incrementReservoir`; its `priority` runs 0 first, so it gets 9 − ours);
 * - a bound: 1,000 requests at most 100 of which may wait — the newcomer refused
 *   (`maxPending: 100, onFull: "fail"`; bottleneck `highWater: 100`, `strategy: OVERFLOW`) or the
 *   oldest dropped (`onFull: "dropOldest"`; bottleneck `strategy: LEAK`) — then the 100 let in.
 *
 * Each request only counts itself; a shed one is counted apart, and the counts are checked.
 * Bottleneck dispatches its jobs one after another through a timer each (about 3 ms per job on
 * the machine these ran on, with no limit at all: the row "bottleneck, no limit" is that floor),
 * so N is kept at 1,000 and its figures are mostly that dispatch, not the feature.
 */
import { Report } from "@fiberkit/bench"
import { RateLimiter } from "@fiberkit/ratelimit"
import Bottleneck from "bottleneck"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"

const REQUESTS = 1_000
const BOUND = 100
const items = Array.from({ length: REQUESTS }, (_, i) => i)
const priorityOf = (i: number) => (i * 7) % 10

/** Checks that a run let exactly `expected` requests through (and shed the rest). */
const check = (name: string, ran: number, shed: number, expected: number) => {
  if (ran !== expected || ran + shed !== REQUESTS) {
    throw new Error(`${name}: ${ran} ran and ${shed} shed, expected ${expected} to run`)
  }
}

/**
 * Ours: a sliding window of `REQUESTS` per hour, filled; every request forked (each waits in
 * line, or is shed), then the window grown so that all of those waiting start.
 */
const ours = (
  name: string,
  steering: RateLimiter.RateLimiter.SteeringOptions,
  prioritised: boolean,
  expected: number
) =>
  Effect.runPromise(Effect.gen(function*() {
    const limiter = yield* RateLimiter.make({ limit: REQUESTS, interval: "1 hour", ...steering })
    yield* limiter.take(REQUESTS)
    let ran = 0
    let shed = 0
    const count = Effect.sync(() => void ran++)
    const fibers = yield* Effect.forEach(items, (i) =>
      Effect.forkChild(
        (prioritised ? limiter.withPriority(priorityOf(i))(count) : limiter(count)).pipe(
          Effect.catchTag("PendingLimitExceeded", () => Effect.sync(() => void shed++))
        )
      ))
    yield* Effect.yieldNow // every request is in line (or shed) now
    yield* limiter.resize({ limit: 2 * REQUESTS })
    yield* Fiber.joinAll(fibers)
    check(name, ran, shed, expected)
  }))

/**
 * Bottleneck: a reservoir of 0, every request scheduled, then the reservoir incremented for all
 * (`limited: false`: no reservoir, no limit — its floor).
 */
const theirs = async (
  name: string,
  options: Bottleneck.ConstructorOptions,
  prioritised: boolean,
  expected: number,
  limited = true
) => {
  const limiter = new Bottleneck(limited ? { reservoir: 0, ...options } : options)
  let ran = 0
  let shed = 0
  const count = () => Promise.resolve(void ran++)
  const jobs = items.map((i) =>
    (prioritised ? limiter.schedule({ priority: 9 - priorityOf(i) }, count) : limiter.schedule(count)).catch(() =>
      void shed++
    )
  )
  // a submission is processed after a timer turn of its own: wait until all are queued (or
  // shed), as ours are after one yield, before the limit is raised
  while (limiter.counts().RECEIVED > 0) await new Promise((resolve) => setTimeout(resolve, 1))
  if (limited) await limiter.incrementReservoir(REQUESTS)
  await Promise.all(jobs)
  await limiter.disconnect()
  check(name, ran, shed, expected)
}

const priorities = {
  title: `${REQUESTS.toLocaleString("en")} rate-limited requests with priorities 0–9, let in at once`,
  description:
    "All wait behind a used-up limit, each with a priority; the limit is raised and they start highest first.",
  operations: REQUESTS,
  reference: "RateLimiter.withPriority",
  rounds: 4,
  iterations: 2,
  contenders: [
    { name: "RateLimiter.withPriority", run: () => ours("withPriority", {}, true, REQUESTS) },
    { name: "RateLimiter.withPriority, aging 1 s", run: () => ours("aging", { aging: "1 second" }, true, REQUESTS) },
    { name: "RateLimiter, no priority", run: () => ours("plain", {}, false, REQUESTS) },
    { name: "bottleneck priority", run: () => theirs("bottleneck priority", {}, true, REQUESTS) },
    { name: "bottleneck, no limit", run: () => theirs("bottleneck floor", {}, false, REQUESTS, false) }
  ]
}

const bounded = {
  title: `${REQUESTS.toLocaleString("en")} rate-limited requests, at most ${BOUND} waiting`,
  description:
    `All arrive behind a used-up limit; past ${BOUND} waiting, the newcomer is refused (fail, OVERFLOW) or the oldest dropped (dropOldest, LEAK); then the ${BOUND} waiting start.`,
  operations: REQUESTS,
  reference: "RateLimiter maxPending, fail",
  rounds: 4,
  iterations: 2,
  contenders: [
    {
      name: "RateLimiter maxPending, fail",
      run: () => ours("fail", { maxPending: BOUND, onFull: "fail" }, false, BOUND)
    },
    {
      name: "bottleneck highWater, OVERFLOW",
      run: () => theirs("OVERFLOW", { highWater: BOUND, strategy: Bottleneck.strategy.OVERFLOW }, false, BOUND)
    },
    {
      name: "RateLimiter maxPending, dropOldest",
      run: () => ours("dropOldest", { maxPending: BOUND, onFull: "dropOldest" }, false, BOUND)
    },
    {
      name: "bottleneck highWater, LEAK",
      run: () => theirs("LEAK", { highWater: BOUND, strategy: Bottleneck.strategy.LEAK }, false, BOUND)
    }
  ]
}

await Report.main("packages/ratelimit/bench/steering.bench.ts", [priorities, bounded])
