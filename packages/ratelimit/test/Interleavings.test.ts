/**
 * The limiters under the schedule explorer: fibers switched between any two ops, one request
 * interrupted before a random op, wake-ups that land on the same instant tried in every order.
 * Strictness must hold under every schedule: each algorithm's guarantee is checked on the starts
 * of every schedule (the same conditions as the property tests, written apart from the limiter).
 */
import { assert, describe, it } from "@effect/vitest"
import { ConcurrencyProbe, Interleavings } from "@fiberkit/testkit"
import { Clock, Effect, Fiber } from "effect"
import * as ConcurrencyLimiter from "../src/ConcurrencyLimiter.js"
import * as KeyedRateLimiter from "../src/KeyedRateLimiter.js"
import * as RateLimiter from "../src/RateLimiter.js"
import { assertAllowed, type Start } from "./guarantees.js"

const options = { schedules: 150, interrupts: true } as const

describe("Interleavings: rate limiters", () => {
  for (const algorithm of ["sliding-window", "token-bucket", "gcra"] as const) {
    it.effect(`${algorithm}: its guarantee holds under every schedule; nothing is left waiting`, () =>
      Interleavings.explore(
        Effect.gen(function*() {
          const limiter = yield* Effect.orDie(RateLimiter.make({ limit: 2, interval: 10, algorithm }))
          const starts: Array<Start> = []
          const request = (cost: number) =>
            Effect.orDie(
              limiter.withCost(cost)(Effect.flatMap(Clock.currentTimeMillis, (at) =>
                Effect.sync(() => {
                  starts.push({ at, cost })
                })))
            )
          const early = yield* Effect.forEach([1, 2, 1], (cost) => Interleavings.fork(request(cost)))
          yield* Effect.sleep(5)
          const late = yield* Effect.forEach([1, 1], (cost) => Interleavings.fork(request(cost)))
          const exits = yield* Effect.forEach([...early, ...late], Fiber.await)
          assertAllowed(limiter.options, 10, starts)
          const stats = yield* limiter.stats
          assert.strictEqual(stats.waiting, 0)
          // a request interrupted just after its start was granted still used its slot
          const interrupted = exits.filter((exit) => exit._tag === "Failure").length
          assert.isAtLeast(stats.granted, starts.length)
          assert.isAtMost(stats.granted, starts.length + interrupted)
        }),
        options
      ))
  }

  for (const algorithm of ["sliding-window", "token-bucket", "gcra"] as const) {
    it.effect(`${algorithm}: a pause and a drain racing the requests: no start inside the pause, the bound holds`, () =>
      Interleavings.explore(
        Effect.gen(function*() {
          const limiter = yield* Effect.orDie(RateLimiter.make({ limit: 2, interval: 10, algorithm }))
          const starts: Array<Start> = []
          let pausedAt = Number.POSITIVE_INFINITY
          let pausedUntil = Number.NEGATIVE_INFINITY
          const insidePause: Array<number> = [] // checked at the end: a failure in a request fiber would pass for an interruption
          const request = Effect.orDie(limiter(Effect.flatMap(Clock.currentTimeMillis, (at) =>
            Effect.sync(() => {
              // a start read at the pause's own instant may have been granted before it
              if (pausedAt < at && at < pausedUntil) insidePause.push(at)
              starts.push({ at, cost: 1 })
            }))))
          const pause = Effect.flatMap(
            Clock.currentTimeMillis,
            (now) =>
              Effect.andThen(
                limiter.pause(7),
                Effect.sync(() => {
                  pausedAt = now
                  pausedUntil = now + 7
                })
              )
          )
          const actors = yield* Effect.forEach(
            [request, pause, request, limiter.drain, request, request],
            (effect) => Interleavings.fork(effect)
          )
          yield* Effect.forEach(actors, Fiber.await)
          assertAllowed(limiter.options, 10, starts)
          assert.deepStrictEqual(insidePause, [], "starts inside the pause")
          assert.strictEqual((yield* limiter.stats).waiting, 0)
        }),
        options
      ))
  }

  it.effect("ConcurrencyLimiter: never more inside than its limit; none inside or waiting at the end", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const limit = yield* Effect.orDie(ConcurrencyLimiter.make({ concurrency: 2 }))
        const probe = yield* ConcurrencyProbe.make
        const actors = yield* Effect.forEach(
          [1, 2, 3, 4],
          () => Interleavings.fork(limit(probe.track(Effect.yieldNow)))
        )
        yield* Effect.forEach(actors, Fiber.await)
        assert.isAtMost(yield* probe.peak, 2)
        assert.strictEqual(yield* limit.inside, 0)
        assert.strictEqual(yield* limit.waiting, 0)
      }),
      options
    ))

  it.effect("KeyedRateLimiter: each key keeps its own strict window", () =>
    Interleavings.explore(
      Effect.gen(function*() {
        const limiter = yield* KeyedRateLimiter.make<string>({ limit: 1, interval: 10 })
        const starts = new Map<string, Array<Start>>()
        const request = (key: string) =>
          Effect.orDie(
            limiter(key)(Effect.flatMap(Clock.currentTimeMillis, (at) =>
              Effect.sync(() => {
                starts.set(key, [...(starts.get(key) ?? []), { at, cost: 1 }])
              })))
          )
        const actors = yield* Effect.forEach(["a", "b", "a", "b", "a"], (key) => Interleavings.fork(request(key)))
        yield* Effect.forEach(actors, Fiber.await)
        for (const list of starts.values()) {
          const ordered = [...list].sort((x, y) => x.at - y.at)
          for (let i = 1; i < ordered.length; i++) assert.isAbove(ordered[i]!.at - ordered[i - 1]!.at, 10)
        }
      }),
      options
    ))
})
