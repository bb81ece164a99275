import { assert, describe, it } from "@effect/vitest"
import { Gen, TestTime } from "@fiberkit/testkit"
import { Clock, Effect, Fiber } from "effect"
import * as RateLimiter from "../src/RateLimiter.js"
import { allowed, type Start } from "./guarantees.js"

/**
 * Random arrivals, costs and interruptions, with pauses and drains interleaved at random times,
 * against each algorithm on the TestClock. Checked, apart from the limiter's code: no start while
 * a pause asked for earlier runs; each algorithm's bound on the starts (a drain only ever adds
 * constraints, so the bound still holds); FIFO order; and, without drains, that every start came
 * as early as the bound and the pauses allowed.
 */

const scenario = Gen.record({
  algorithm: Gen.constantFrom<RateLimiter.RateLimiter.Algorithm>("sliding-window", "token-bucket", "gcra"),
  limit: Gen.integer({ min: 1, max: 4 }),
  interval: Gen.integer({ min: 1, max: 40 }),
  burst: Gen.integer({ min: 1, max: 5 }),
  requests: Gen.array(
    Gen.record({
      gap: Gen.oneof(Gen.constant(0), Gen.integer({ min: 0, max: 40 })),
      cost: Gen.integer({ min: 1, max: 4 }),
      interruptAfter: Gen.option(Gen.integer({ min: 0, max: 80 }), { nil: undefined })
    }),
    { minLength: 1, maxLength: 20 }
  ),
  events: Gen.array(
    Gen.record({
      at: Gen.integer({ min: 0, max: 300 }),
      drain: Gen.boolean,
      duration: Gen.oneof(Gen.constant(0), Gen.integer({ min: 0, max: 120 }))
    }),
    { maxLength: 6 }
  ),
  drains: Gen.boolean
})

/** What happened, in the order it happened. */
type Entry =
  | { readonly _tag: "Start"; readonly index: number; readonly at: number }
  | { readonly _tag: "Pause"; readonly at: number; readonly until: number }

describe("RateLimiter pause and drain properties", () => {
  it.effect.prop(
    "no start during a pause, the bound holds with pauses and drains interleaved, FIFO, and no start later than needed",
    [scenario],
    ([{ algorithm, burst, drains, events, interval, limit, requests }]) =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter.make({
          limit,
          interval,
          algorithm,
          ...(algorithm === "sliding-window" ? {} : { burst })
        })
        const options = limiter.options
        const most = algorithm === "token-bucket" ? Math.min(limit, options.burst) : limit
        const costOf = (cost: number) => 1 + ((cost - 1) % most)
        const log: Array<Entry> = []
        const arrivals: Array<number> = []
        const interruptedAt = new Map<number, number>()
        const started = new Set<number>()
        const interference = Effect.forEach(events, (event) =>
          Effect.andThen(
            Effect.sleep(event.at),
            Effect.flatMap(Clock.currentTimeMillis, (now) =>
              drains && event.drain
                ? limiter.drain
                : Effect.andThen(
                  limiter.pause(event.duration),
                  Effect.sync(() => log.push({ _tag: "Pause", at: now, until: now + event.duration }))
                ))
          ), { concurrency: "unbounded", discard: true })
        const driver = Effect.gen(function*() {
          const fibers: Array<Fiber.Fiber<void, unknown>> = []
          for (const [index, request] of requests.entries()) {
            yield* Effect.sleep(request.gap)
            arrivals.push(yield* Clock.currentTimeMillis)
            const run = limiter.withCost(costOf(request.cost))(
              Effect.flatMap(Clock.currentTimeMillis, (at) =>
                Effect.sync(() => {
                  started.add(index)
                  log.push({ _tag: "Start", index, at })
                }))
            )
            const fiber = yield* Effect.forkChild(run)
            fibers.push(fiber)
            if (request.interruptAfter !== undefined) {
              yield* Effect.forkChild(Effect.andThen(
                Effect.sleep(request.interruptAfter),
                Effect.flatMap(Clock.currentTimeMillis, (now) =>
                  Effect.andThen(
                    Effect.sync(() => {
                      if (!started.has(index)) interruptedAt.set(index, now)
                    }),
                    Fiber.interrupt(fiber)
                  ))
              ))
            }
          }
          yield* Effect.forEach(fibers, Fiber.await)
        })
        yield* TestTime.run(Effect.all([driver, interference], { concurrency: "unbounded", discard: true }))

        // no start while a pause asked for before it runs
        const pausesSoFar: Array<{ at: number; until: number }> = []
        for (const entry of log) {
          if (entry._tag === "Pause") pausesSoFar.push(entry)
          else {
            // (a start read at the pause's own instant may have been granted just before it)
            for (const pause of pausesSoFar) {
              assert.isFalse(
                pause.at < entry.at && entry.at < pause.until,
                `request ${entry.index} started at ${entry.at}, paused at ${pause.at} until ${pause.until}`
              )
            }
          }
        }
        const startLog = log.filter((entry) => entry._tag === "Start")
        // FIFO
        const order = startLog.map((entry) => entry.index)
        assert.deepStrictEqual(order, [...order].sort((a, b) => a - b))
        // every request started or was interrupted while it waited
        requests.forEach((_, index) =>
          assert.isTrue(started.has(index) || interruptedAt.has(index), `request ${index}`)
        )
        // the bound, and (without drains) no start later than the bound and the pauses required
        const pausedAt = (t: number) => log.some((entry) => entry._tag === "Pause" && entry.at <= t && t < entry.until)
        const starts: Array<Start> = []
        const startAt = new Map(startLog.map((entry) => [entry.index, entry.at]))
        let blockedUntil = 0
        for (const [index, request] of requests.entries()) {
          const at = startAt.get(index)
          if (at === undefined) {
            blockedUntil = Math.max(blockedUntil, interruptedAt.get(index)!)
            continue
          }
          const cost = costOf(request.cost)
          const ready = Math.max(arrivals[index]!, blockedUntil)
          assert.isAtLeast(at, ready, `request ${index} started before its turn`)
          assert.isTrue(allowed(options, interval, starts, at, cost), `request ${index} at ${at} breaks the bound`)
          if (at > ready && !(drains && events.some((event) => event.drain))) {
            assert.isTrue(
              !allowed(options, interval, starts, at - 1, cost) || pausedAt(at - 1),
              `request ${index} waited until ${at}, but could start at ${at - 1}`
            )
          }
          starts.push({ at, cost })
          blockedUntil = Math.max(blockedUntil, at)
        }
        assert.strictEqual((yield* limiter.stats).granted, starts.length)
      }),
    { arbitrary: { runs: 150 }, timeout: 120_000 }
  )
})
