import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import type { InvalidOptions, PendingLimitExceeded } from "../src/Errors.js"
import * as KeyedRateLimiter from "../src/KeyedRateLimiter.js"
import * as RateLimiter from "../src/RateLimiter.js"
import * as Aging from "./aging.js"

/** A request that records the clock reading it started at under `name`. */
const request = <X>(limiter: RateLimiter.RateLimiter<X>, name: string, starts: Map<string, number>, priority = 0) =>
  Effect.forkChild(
    limiter.withPriority(priority)(
      Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => void starts.set(name, now)))
    )
  )

describe("RateLimiter: aging", () => {
  it.effect.prop(
    "property (aging): a waiter is overtaken only by later arrivals within (their priority − its priority) × aging",
    [Aging.arrivals],
    ([arrivals]) =>
      Effect.gen(function*() {
        const limiter = yield* RateLimiter.make({ limit: 1, interval: "7 millis", aging: "10 millis" })
        const served = yield* Aging.serveAll(arrivals, (a, _, served) => limiter.withPriority(a.priority)(served))
        assert.strictEqual(served.length, arrivals.length)
        assert.deepStrictEqual(Aging.overtakenBeyond(arrivals, served, 10), [])
      }),
    { arbitrary: { runs: 60 }, timeout: 30_000 }
  )

  it.effect("without aging the same check fails: strict priorities let a low one starve (a keyed limiter too)", () =>
    Effect.gen(function*() {
      const order = (limiter: RateLimiter.RateLimiter) =>
        Aging.serveAll(Aging.starving, (a, _, served) => limiter.withPriority(a.priority)(served))
      const strict = yield* RateLimiter.make({ limit: 1, interval: "7 millis" })
      const aged = yield* RateLimiter.make({ limit: 1, interval: "7 millis", aging: "10 millis" })
      const keyed = yield* KeyedRateLimiter.make<string>({ limit: 1, interval: "7 millis", aging: "10 millis" })
      assert.isNotEmpty(Aging.overtakenBeyond(Aging.starving, yield* order(strict), 10))
      assert.deepStrictEqual(Aging.overtakenBeyond(Aging.starving, yield* order(aged), 10), [])
      assert.deepStrictEqual(Aging.overtakenBeyond(Aging.starving, yield* order(keyed("k")), 10), [])
    }))

  it.effect("with aging, plain requests rank by arrival too: a later priority 0 never passes an earlier one", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 1, interval: "100 millis", aging: "1 second" })
      yield* TestClock.setTime(3_600_000) // ranks are times: far from 0
      yield* limiter.take()
      const starts = new Map<string, number>()
      const first = yield* request(limiter, "holder", starts)
      yield* Effect.yieldNow
      const early = yield* request(limiter, "early p1", starts, 1)
      yield* TestClock.adjust("10 millis")
      const late = yield* Effect.forkChild(
        limiter.take().pipe(Effect.andThen(Effect.sync(() => void starts.set("late take", Date.now()))))
      )
      yield* TestClock.adjust("1 second")
      yield* Fiber.joinAll([first, early, late])
      const order = [...starts.keys()]
      assert.deepStrictEqual(order, ["holder", "early p1", "late take"])
    }))
})

/**
 * A limiter of 1 start per 100 ms and at most 2 waiting, its window full until 101: `first` holds
 * the turn, `second` waits in line — the line is full.
 */
const fullLine = (onFull: "fail" | "dropOldest") =>
  Effect.gen(function*() {
    const limiter = yield* RateLimiter.make({ limit: 1, interval: "100 millis", maxPending: 2, onFull })
    yield* limiter.take()
    const starts = new Map<string, number>()
    const first = yield* request(limiter, "first", starts)
    const second = yield* request(limiter, "second", starts)
    yield* Effect.yieldNow
    return { limiter, starts, first, second }
  })

describe("RateLimiter: maxPending", () => {
  it.effect("onFull fail: the newcomer is refused at once, and the limit is used as if it had never come", () =>
    Effect.gen(function*() {
      const { first, limiter, second, starts } = yield* fullLine("fail")
      const refused: PendingLimitExceeded = yield* Effect.flip(limiter(Effect.void))
      assert.deepStrictEqual([refused._tag, refused.dropped, refused.maxPending, refused.source], [
        "PendingLimitExceeded",
        false,
        2,
        "RateLimiter"
      ])
      assert.strictEqual((yield* limiter.stats).waiting, 2)
      yield* TestClock.adjust("1 second")
      yield* Fiber.joinAll([first, second])
      assert.deepStrictEqual([...starts], [["first", 101], ["second", 202]])
      assert.strictEqual((yield* limiter.stats).granted, 3)
    }))

  it.effect("onFull dropOldest: the request holding the turn, the oldest, is dropped; the turn passes on at once", () =>
    Effect.gen(function*() {
      const { first, limiter, second, starts } = yield* fullLine("dropOldest")
      yield* TestClock.adjust("50 millis")
      const c = yield* request(limiter, "c", starts)
      yield* Effect.yieldNow
      const dropped = yield* Effect.flip(Fiber.join(first))
      assert.deepStrictEqual([dropped._tag, dropped.dropped], ["PendingLimitExceeded", true])
      assert.strictEqual((yield* limiter.stats).waiting, 2)
      yield* TestClock.adjust("1 second")
      yield* Fiber.joinAll([second, c])
      // second starts when the window first allows it: the dropped holder used nothing
      assert.deepStrictEqual([...starts], [["second", 101], ["c", 202]])
    }))

  it.effect("a dropped turn holder interrupted before it wakes does not pass the turn on a second time", () =>
    Effect.gen(function*() {
      const { first, limiter, second, starts } = yield* fullLine("dropOldest")
      const c = yield* request(limiter, "c", starts) // drops first, holding the turn: the turn is second's
      yield* Effect.yieldNow
      yield* Fiber.interrupt(first) // woken by the drop, interrupted before it looked
      assert.strictEqual((yield* limiter.stats).waiting, 2) // second holding the turn, c in line
      const d = yield* request(limiter, "d", starts) // full again: drops second, the oldest
      yield* Effect.yieldNow
      yield* TestClock.adjust("1 second")
      yield* Fiber.joinAll([c, d])
      assert.deepStrictEqual([...starts], [["c", 101], ["d", 202]])
      assert.isTrue((yield* Effect.flip(Fiber.join(second))).dropped)
    }))

  it.effect("onFull dropOldest: a request waiting longer than the turn holder (lower priority) is the one dropped", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 1, interval: "100 millis", maxPending: 3, onFull: "dropOldest" })
      yield* limiter.take()
      const starts = new Map<string, number>()
      const fibers = new Map<string, Fiber.Fiber<void, PendingLimitExceeded>>()
      for (const [name, priority] of [["first", 0], ["low", 0], ["high", 5]] as const) {
        fibers.set(name, yield* request(limiter, name, starts, priority))
        yield* Effect.yieldNow
      }
      yield* TestClock.adjust("150 millis") // first started at 101; high holds the turn, low waits behind it
      assert.deepStrictEqual([...starts], [["first", 101]])
      for (const name of ["x", "y"]) { // y finds 3 waiting: low, who came before high, is dropped
        fibers.set(name, yield* request(limiter, name, starts))
        yield* Effect.yieldNow
      }
      assert.isTrue((yield* Effect.flip(Fiber.join(fibers.get("low")!))).dropped)
      yield* TestClock.adjust("1 second")
      yield* Fiber.joinAll([...fibers].filter(([name]) => name !== "low").map(([, fiber]) => fiber))
      assert.deepStrictEqual([...starts], [["first", 101], ["high", 202], ["x", 303], ["y", 404]])
    }))

  it.effect("maxPending 0: only a request that can start at once is let in", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 2, interval: "1 second", maxPending: 0, onFull: "dropOldest" })
      yield* limiter.take()
      yield* limiter.take()
      const refused = yield* Effect.flip(limiter.take())
      assert.deepStrictEqual([refused.dropped, (yield* limiter.stats).granted], [false, 2])
    }))

  it.effect("a KeyedRateLimiter bounds each key's line on its own", () =>
    Effect.gen(function*() {
      const perKey = yield* KeyedRateLimiter.make<string>({ limit: 1, interval: "1 second", maxPending: 1 })
      yield* perKey("a").take()
      const waiter = yield* Effect.forkChild(perKey("a").take())
      yield* Effect.yieldNow
      const refused = yield* Effect.flip(perKey("a").take())
      assert.deepStrictEqual([refused.source, refused.dropped], ["KeyedRateLimiter", false])
      yield* perKey("b").take() // another key: its own line
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(waiter)
    }))

  it.effect("the result's type says whether PendingLimitExceeded can happen", () =>
    Effect.gen(function*() {
      const plain = yield* RateLimiter.make({ limit: 1, interval: "1 second" })
      const bounded = yield* RateLimiter.make({ limit: 1, interval: "1 second", maxPending: 0 })
      const never: Effect.Effect<void> = plain.take()
      yield* never
      yield* bounded.take()
      const shed: Effect.Effect<void, PendingLimitExceeded> = bounded.take()
      // @ts-expect-error: a bounded limiter's take can fail
      const notNever: Effect.Effect<void> = bounded.take()
      assert.strictEqual((yield* Effect.flip(shed))._tag, "PendingLimitExceeded")
      assert.isTrue(Exit.isFailure(yield* Effect.exit(notNever)))
    }))

  it.effect("options out of range fail InvalidOptions naming the field", () =>
    Effect.gen(function*() {
      const fields = yield* Effect.forEach([
        RateLimiter.make({ limit: 1, interval: 1, maxPending: -1 }) as Effect.Effect<unknown, InvalidOptions>,
        RateLimiter.make({ limit: 1, interval: 1, maxPending: 1.5 }),
        RateLimiter.make({ limit: 1, interval: 1, maxPending: 1, onFull: "wait" as never }),
        RateLimiter.make({ limit: 1, interval: 1, aging: "0 millis" }),
        KeyedRateLimiter.make({ limit: 1, interval: 1, aging: -5 }),
        KeyedRateLimiter.make({ limit: 1, interval: 1, maxPending: -1 })
      ], (made) => Effect.map(Effect.flip(made), (e) => `${e.operation} ${e.field}`))
      assert.deepStrictEqual(fields, [
        "RateLimiter.make maxPending",
        "RateLimiter.make maxPending",
        "RateLimiter.make onFull",
        "RateLimiter.make aging",
        "KeyedRateLimiter.make aging",
        "KeyedRateLimiter.make maxPending"
      ])
    }))
})

describe("RateLimiter: awaitIdle, awaitSizeBelow", () => {
  it.effect("end as the waiting requests start; the started ones do not count", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 1, interval: "100 millis" })
      yield* limiter.awaitIdle // nobody waits: at once
      yield* limiter.take()
      const fibers = []
      for (let i = 0; i < 3; i++) fibers.push(yield* Effect.forkChild(limiter(Effect.never)))
      yield* Effect.yieldNow
      const belowThree = yield* Effect.forkChild(limiter.awaitSizeBelow(3))
      const belowTwo = yield* Effect.forkChild(limiter.awaitSizeBelow(2))
      const idle = yield* Effect.forkChild(limiter.awaitIdle)
      yield* Effect.yieldNow
      assert.isUndefined(belowThree.pollUnsafe())
      yield* TestClock.adjust("101 millis")
      yield* Fiber.join(belowThree)
      assert.isUndefined(belowTwo.pollUnsafe())
      yield* TestClock.adjust("101 millis")
      yield* Fiber.join(belowTwo)
      assert.isUndefined(idle.pollUnsafe())
      yield* TestClock.adjust("101 millis")
      yield* Fiber.join(idle) // the three effects still run: idle is about waiting for a start
      yield* Effect.forEach(fibers, Fiber.interrupt)
    }))

  it.effect("a waiter interrupted, refused or dropped ends the wait too", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 1, interval: "1 second", maxPending: 2, onFull: "dropOldest" })
      yield* limiter.take()
      const a = yield* Effect.forkChild(limiter.take())
      const b = yield* Effect.forkChild(limiter.take())
      yield* Effect.yieldNow
      const belowTwo = yield* Effect.forkChild(limiter.awaitSizeBelow(2))
      const idle = yield* Effect.forkChild(limiter.awaitIdle)
      yield* Effect.yieldNow
      yield* Fiber.interrupt(b)
      yield* Fiber.join(belowTwo)
      const c = yield* Effect.forkChild(limiter.take())
      const d = yield* Effect.forkChild(limiter.take()) // drops a, the oldest
      yield* Effect.yieldNow
      assert.isTrue(Exit.isFailure(yield* Fiber.await(a)))
      yield* Fiber.interrupt(c)
      yield* Fiber.interrupt(d)
      yield* Fiber.join(idle)
      assert.strictEqual((yield* limiter.stats).waiting, 0)
    }))

  it.effect("a size that is not an integer ≥ 1 is a defect", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimiter.make({ limit: 1, interval: "1 second" })
      for (const size of [0, Number.NaN, 1.5, Number.POSITIVE_INFINITY]) {
        assert.isTrue(Exit.hasDies(yield* Effect.exit(limiter.awaitSizeBelow(size))))
      }
    }))
})
