/**
 * Steering the concurrency limiter on Redis, as the local one is steered: `resize` (stored in Redis
 * for every process, a grow waking waiters at once, a shrink preempting nobody), `maxPending` with
 * `onFull` (per process), `awaitIdle` / `awaitSizeBelow`, and their checks.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Option } from "effect"
import { PendingLimitExceeded } from "../src/Errors.js"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import { client, eventually, freshName, lineKeys, prefix, url } from "./redis.js"

const errorOf = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.findErrorOption(exit.cause)) : undefined

const limiterOf = (name: string, extra: Partial<RedisConcurrencyLimiter.Options> = {}) =>
  RedisConcurrencyLimiter.make({ name, prefix, url: url(), concurrency: 1, leaseTime: 30_000, ...extra })

describe("RedisConcurrencyLimiter: resize, maxPending, draining", { concurrent: false }, () => {
  it.live("resize in one process: a grow lets the waiters of another in at once; every process sees the limit", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("grow")
      const steering = yield* limiterOf(name)
      const other = yield* limiterOf(name) // polls every 10 s: only a wake-up lets its waiters in sooner
      const gate = yield* Deferred.make<void>()
      const holder = yield* Effect.forkChild(steering(Deferred.await(gate)))
      yield* eventually(Effect.map(steering.inside, (n) => n === 1))
      const waiters = yield* Effect.forkChild(
        Effect.forEach([1, 2], () => other(Effect.sync(() => Date.now())), { concurrency: "unbounded" })
      )
      yield* eventually(Effect.map(other.waiting, (n) => n === 2))
      const grownAt = Date.now()
      yield* steering.resize(3)
      const enteredAt = yield* Fiber.join(waiters)
      for (const at of enteredAt) assert.isBelow(at - grownAt, 2000)
      assert.strictEqual(steering.concurrency, 3)
      yield* eventually(Effect.sync(() => other.concurrency === 3))
      // a limiter made later, with the old option, takes the stored limit
      const later = yield* limiterOf(name)
      assert.strictEqual(yield* later.inside, 1)
      assert.strictEqual(later.concurrency, 3)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
    })))

  it.live("a shrink interrupts nobody: new ones wait until fewer than the new limit are inside", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("shrink")
      const limiter = yield* limiterOf(name, { concurrency: 3 })
      const gates = yield* Effect.all([0, 1, 2].map(() => Deferred.make<void>()))
      const holders = yield* Effect.all(gates.map((gate) => Effect.forkChild(limiter(Deferred.await(gate)))))
      yield* eventually(Effect.map(limiter.inside, (n) => n === 3))
      yield* limiter.resize(1)
      let ran = false
      const next = yield* Effect.forkChild(limiter(Effect.sync(() => ran = true)))
      yield* eventually(Effect.map(limiter.waiting, (n) => n === 1))
      for (const [i, gate] of gates.entries()) {
        assert.strictEqual(yield* limiter.inside, 3 - i)
        assert.isFalse(ran)
        yield* Deferred.succeed(gate, undefined)
        yield* Fiber.join(holders[i]!)
      }
      yield* Fiber.join(next)
      assert.isTrue(ran)
    })))

  it.live("resize checks its argument: InvalidOptions for a limit that is not an integer ≥ 1", () =>
    Effect.scoped(Effect.gen(function*() {
      const limiter = yield* limiterOf(yield* freshName("badresize"))
      for (const bad of [0, 1.5, Number.NaN]) {
        const error = errorOf(yield* Effect.exit(limiter.resize(bad))) as { _tag: string; field: string }
        assert.deepStrictEqual({ tag: error._tag, field: error.field }, { tag: "InvalidOptions", field: "concurrency" })
      }
      assert.strictEqual(limiter.concurrency, 1)
    })))

  it.live("a priority that is not finite, or a priority × aging that overflows, is a defect naming the call", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("badpriority")
      const messageOf = (exit: Exit.Exit<unknown, unknown>) => {
        const defect = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
        return Cause.isIllegalArgumentError(defect) ? defect.message : undefined
      }
      const strict = yield* limiterOf(name)
      const aged = yield* limiterOf(name, { aging: "1 second" })
      assert.strictEqual(
        messageOf(yield* Effect.exit(strict.withPriority(Number.NaN)(Effect.void))),
        "RedisConcurrencyLimiter.withPriority: priority must be a finite number, got NaN"
      )
      assert.strictEqual(
        messageOf(yield* Effect.exit(aged.withPriority(1e308)(Effect.void))),
        "RedisConcurrencyLimiter.withPriority: priority × aging must be a finite number of milliseconds, got 1e+308 × 1000"
      )
      assert.strictEqual(yield* strict.inside, 0)
    })))

  it.live("maxPending with onFull \"fail\": the newcomer is refused at once; the bound is this process's", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("fail")
      const limiter = yield* limiterOf(name, { maxPending: 1 })
      const other = yield* limiterOf(name, { maxPending: 1 })
      const gate = yield* Deferred.make<void>()
      const holder = yield* Effect.forkChild(limiter(Deferred.await(gate)))
      yield* eventually(Effect.map(limiter.inside, (n) => n === 1))
      const first = yield* Effect.forkChild(limiter(Effect.succeed("first")))
      yield* eventually(Effect.map(limiter.waiting, (n) => n === 1))
      const refused = errorOf(yield* Effect.exit(limiter(Effect.succeed("refused"))))
      assert.instanceOf(refused, PendingLimitExceeded)
      assert.isFalse((refused as PendingLimitExceeded).dropped)
      // another process has a bound of its own
      const elsewhere = yield* Effect.forkChild(other(Effect.succeed("elsewhere")))
      yield* eventually(Effect.map(other.waiting, (n) => n === 1))
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      assert.strictEqual(yield* Fiber.join(first), "first")
      assert.strictEqual(yield* Fiber.join(elsewhere), "elsewhere")
    })))

  it.live("maxPending with onFull \"dropOldest\": the longest waiter fails (dropped), its place in Redis is given up", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("dropoldest")
      const redis = yield* client
      const limiter = yield* limiterOf(name, { maxPending: 1, onFull: "dropOldest" })
      const gate = yield* Deferred.make<void>()
      const holder = yield* Effect.forkChild(limiter(Deferred.await(gate)))
      yield* eventually(Effect.map(limiter.inside, (n) => n === 1))
      const oldest = yield* Effect.forkChild(limiter(Effect.succeed("oldest")))
      yield* eventually(Effect.map(limiter.waiting, (n) => n === 1))
      const newest = yield* Effect.forkChild(limiter(Effect.succeed("newest")))
      const dropped = errorOf(yield* Fiber.await(oldest))
      assert.instanceOf(dropped, PendingLimitExceeded)
      assert.isTrue((dropped as PendingLimitExceeded).dropped)
      yield* eventually(Effect.map(Effect.promise(() => redis.zcard(lineKeys(name).line)), (n) => n === 1))
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      assert.strictEqual(yield* Fiber.join(newest), "newest")
    })))

  it.live("maxPending 0: never waits — in at once when a permit is free, else refused", () =>
    Effect.scoped(Effect.gen(function*() {
      const limiter = yield* limiterOf(yield* freshName("zero"), { maxPending: 0 })
      assert.strictEqual(yield* limiter(Effect.succeed("in")), "in")
      const gate = yield* Deferred.make<void>()
      const holder = yield* Effect.forkChild(limiter(Deferred.await(gate)))
      yield* eventually(Effect.map(limiter.inside, (n) => n === 1))
      assert.instanceOf(errorOf(yield* Effect.exit(limiter(Effect.void))), PendingLimitExceeded)
      assert.strictEqual(yield* limiter.waiting, 0)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
    })))

  it.live("awaitIdle and awaitSizeBelow wait for this process's effects", () =>
    Effect.scoped(Effect.gen(function*() {
      const limiter = yield* limiterOf(yield* freshName("idle"))
      yield* limiter.awaitIdle
      const gate = yield* Deferred.make<void>()
      const all = yield* Effect.forkChild(
        Effect.forEach([1, 2, 3], () => limiter(Deferred.await(gate)), { concurrency: "unbounded" })
      )
      yield* eventually(Effect.map(limiter.waiting, (n) => n === 2))
      const idle = yield* Effect.forkChild(limiter.awaitIdle)
      const belowTwo = yield* Effect.forkChild(limiter.awaitSizeBelow(2))
      yield* Effect.sleep("50 millis")
      assert.isUndefined(idle.pollUnsafe())
      assert.isUndefined(belowTwo.pollUnsafe())
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(belowTwo)
      yield* Fiber.join(idle)
      yield* Fiber.join(all)
      assert.strictEqual(yield* limiter.inside, 0)
      assert.isTrue(Exit.hasDies(yield* Effect.exit(limiter.awaitSizeBelow(0))))
    })))

  it.live("a priority that is not finite is a defect; with aging, priority × aging must be finite too", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("priority")
      const limiter = yield* limiterOf(name)
      assert.isTrue(Exit.hasDies(yield* Effect.exit(limiter.withPriority(Number.POSITIVE_INFINITY)(Effect.void))))
      const aging = yield* limiterOf(name, { aging: "1 second" })
      assert.isTrue(Exit.hasDies(yield* Effect.exit(aging.withPriority(Number.MAX_VALUE)(Effect.void))))
      assert.strictEqual(yield* aging.withPriority(3)(Effect.succeed("in")), "in")
    })))

  it.live("invalid steering options fail InvalidOptions, naming the field", () =>
    Effect.gen(function*() {
      const bad: ReadonlyArray<Partial<RedisConcurrencyLimiter.Options>> = [
        { maxPending: -1 },
        { onFull: "drop" as "fail" },
        { aging: 0 },
        { pollInterval: "10001 millis" } // above a third of leaseTime (30 s)
      ]
      for (const options of bad) {
        const error = errorOf(yield* Effect.exit(Effect.scoped(limiterOf("invalid", options)))) as {
          _tag: string
          field: string
        }
        assert.deepStrictEqual({ tag: error._tag, field: error.field }, {
          tag: "InvalidOptions",
          field: Object.keys(options)[0]
        })
      }
    }))
})
