import { assert, describe, it } from "@effect/vitest"
import { Gen, TestTime } from "@fiberkit/testkit"
import { Deferred, Effect, Exit, Fiber } from "effect"
import * as FiberPool from "../src/FiberPool.js"

describe("FiberPool: priorities, resize, bounded submission, draining", () => {
  it.effect("higher priorities start first; equal ones in submission order", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      const gate = yield* Deferred.make<void>()
      const order: Array<string> = []
      const first = yield* pool.submit(Deferred.await(gate))
      const futures = []
      for (
        const [name, priority] of [["low", 0], ["high", 5], ["mid", 2], ["high2", 5], ["low2", 0], ["neg", -1]] as const
      ) {
        futures.push(yield* pool.submit(Effect.sync(() => void order.push(name)), { priority }))
      }
      yield* Deferred.succeed(gate, undefined)
      yield* first.result
      for (const future of futures) yield* future.result
      assert.deepStrictEqual(order, ["high", "high2", "mid", "low", "low2", "neg"])
      const exit = yield* Effect.exit(pool.submit(Effect.void, { priority: Number.POSITIVE_INFINITY }))
      assert.isTrue(Exit.hasDies(exit))
    })))

  it.effect("with aging, an old low-priority task goes before newer high ones once it has waited its priority gap", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1, aging: "10 millis" })
      const order: Array<string> = []
      const task = (name: string) => Effect.andThen(Effect.sync(() => void order.push(name)), Effect.sleep("1 milli"))
      yield* TestTime.run(Effect.gen(function*() {
        const blocker = yield* pool.submit(Effect.sleep("100 millis"))
        const old = yield* pool.submit(task("old, priority 0"))
        yield* Effect.sleep("25 millis")
        const soon = yield* pool.submit(task("25 ms later, priority 2"), { priority: 2 }) // ranks 25 − 20 = 5 > 0
        const urgent = yield* pool.submit(task("25 ms later, priority 3"), { priority: 3 }) // ranks 25 − 30 < 0
        for (const future of [blocker, old, soon, urgent]) yield* future.result
      }))
      assert.deepStrictEqual(order, ["25 ms later, priority 3", "old, priority 0", "25 ms later, priority 2"])
    })))

  it.effect("resize: a grow starts pending tasks at once; a shrink interrupts nothing", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      const gate = yield* Deferred.make<void>()
      const futures = []
      for (let i = 0; i < 4; i++) futures.push(yield* pool.submit(Deferred.await(gate)))
      yield* Effect.yieldNow
      assert.deepStrictEqual([yield* pool.running, yield* pool.pending], [1, 3])
      yield* pool.resize(3)
      yield* Effect.yieldNow
      assert.deepStrictEqual([yield* pool.running, yield* pool.pending, pool.concurrency], [3, 1, 3])
      yield* pool.resize(1)
      assert.deepStrictEqual([yield* pool.running, yield* pool.pending], [3, 1])
      yield* Deferred.succeed(gate, undefined)
      for (const future of futures) assert.isTrue(Exit.isSuccess(yield* future.await))
      assert.strictEqual((yield* Effect.flip(pool.resize(0)))._tag, "InvalidOptions")
    })))

  it.effect("a shrink lowers how many run once the running tasks end", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 3 })
      let inside = 0
      let most = 0
      const gate = yield* Deferred.make<void>()
      const tracked = Effect.suspend(() => {
        most = Math.max(most, ++inside)
        return Effect.ensuring(Effect.andThen(Deferred.await(gate), Effect.yieldNow), Effect.sync(() => void inside--))
      })
      const early = []
      for (let i = 0; i < 3; i++) early.push(yield* pool.submit(tracked))
      yield* Effect.yieldNow
      yield* pool.resize(1)
      most = 0
      const late = []
      for (let i = 0; i < 5; i++) late.push(yield* pool.submit(tracked))
      yield* Deferred.succeed(gate, undefined)
      for (const future of [...early, ...late]) yield* future.result
      // the late ones start only as the surplus workers have retired: one at a time
      assert.strictEqual(most, 1)
    })))

  it.effect("maxPending with onFull wait: submit waits for room; an interrupted waiting submit leaves nothing", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1, maxPending: 1 })
      const gate = yield* Deferred.make<void>()
      const running = yield* pool.submit(Deferred.await(gate))
      yield* Effect.yieldNow
      const queued = yield* pool.submit(Effect.succeed("queued"))
      const blocked = yield* Effect.forkChild(pool.submit(Effect.succeed("blocked")))
      const quitter = yield* Effect.forkChild(pool.submit(Effect.succeed("never")))
      yield* Effect.yieldNow
      assert.isUndefined(blocked.pollUnsafe())
      yield* Fiber.interrupt(quitter)
      assert.strictEqual(yield* pool.pending, 1)
      yield* Deferred.succeed(gate, undefined)
      yield* running.result
      const future = yield* Fiber.join(blocked)
      assert.strictEqual(yield* queued.result, "queued")
      assert.strictEqual(yield* future.result, "blocked")
      yield* pool.awaitIdle
      assert.deepStrictEqual([yield* pool.running, yield* pool.pending], [0, 0])
    })))

  it.effect("maxPending with onFull fail: the submit fails PendingLimitExceeded, nothing queued", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1, maxPending: 1, onFull: "fail" })
      const gate = yield* Deferred.make<void>()
      yield* pool.submit(Deferred.await(gate))
      yield* pool.submit(Effect.void)
      const error = yield* Effect.flip(pool.submit(Effect.void))
      assert.isTrue(error._tag === "PendingLimitExceeded" && !error.dropped)
      assert.strictEqual(yield* pool.pending, 1)
      yield* Deferred.succeed(gate, undefined)
    })))

  it.effect("maxPending with onFull dropOldest: the oldest pending task ends with the error, never started", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1, maxPending: 2, onFull: "dropOldest" })
      const gate = yield* Deferred.make<void>()
      const started: Array<string> = []
      const task = (name: string) => Effect.sync(() => void started.push(name))
      const running = yield* pool.submit(Deferred.await(gate))
      yield* Effect.yieldNow
      const old = yield* pool.submit(task("old"))
      const middle = yield* pool.submit(task("middle"))
      const newest = yield* pool.submit(task("newest"))
      const dropped = yield* Effect.flip(old.result)
      assert.strictEqual(dropped._tag, "PendingLimitExceeded")
      assert.isTrue(dropped._tag === "PendingLimitExceeded" && dropped.dropped)
      assert.strictEqual(yield* pool.pending, 2)
      yield* Deferred.succeed(gate, undefined)
      yield* running.result
      yield* middle.result
      yield* newest.result
      assert.deepStrictEqual(started, ["middle", "newest"])
    })))

  it.effect("awaitSizeBelow wakes as tasks start or are cancelled; awaitIdle when all have ended", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      yield* pool.awaitIdle
      const gate = yield* Deferred.make<void>()
      const running = yield* pool.submit(Deferred.await(gate))
      const a = yield* pool.submit(Effect.void)
      const b = yield* pool.submit(Effect.void)
      yield* Effect.yieldNow
      const belowTwo = yield* Effect.forkChild(pool.awaitSizeBelow(2))
      const idle = yield* Effect.forkChild(pool.awaitIdle)
      yield* Effect.yieldNow
      assert.isUndefined(belowTwo.pollUnsafe())
      assert.isTrue(yield* b.cancel)
      yield* Fiber.join(belowTwo)
      assert.isUndefined(idle.pollUnsafe())
      yield* Deferred.succeed(gate, undefined)
      yield* running.result
      yield* a.result
      yield* Fiber.join(idle)
    })))

  it.effect("a shutdown wakes submitters waiting for room: they fail PoolShutDown", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1, maxPending: 0 })
      const gate = yield* Deferred.make<void>()
      yield* pool.submit(Deferred.await(gate))
      const waiting = yield* Effect.forkChild(pool.submit(Effect.void))
      yield* Effect.yieldNow
      yield* pool.shutdown({ wait: false })
      assert.strictEqual((yield* Effect.flip(Fiber.join(waiting)))._tag, "PoolShutDown")
      yield* Deferred.succeed(gate, undefined)
    })))

  it.effect("bad steering options fail InvalidOptions", () =>
    Effect.gen(function*() {
      const all: Array<FiberPool.FiberPool.Options> = [
        { maxPending: -1 },
        { maxPending: 1.5 },
        { onFull: "later" as never },
        { aging: "0 millis" }
      ]
      const tags = yield* Effect.forEach(all, (options) =>
        Effect.map(Effect.flip(Effect.scoped(FiberPool.make(options))), (e) => e._tag))
      assert.deepStrictEqual(tags, ["InvalidOptions", "InvalidOptions", "InvalidOptions", "InvalidOptions"])
    }))

  it.effect.prop(
    "property: priorities, resizes, a bound and cancels — never more running than the largest size, every task ends exactly once, nothing pending at the end",
    [
      Gen.array(
        Gen.record({
          at: Gen.integer({ min: 0, max: 20 }),
          priority: Gen.integer({ min: 0, max: 3 }),
          duration: Gen.integer({ min: 0, max: 10 }),
          cancelAt: Gen.option(Gen.integer({ min: 0, max: 30 }), { nil: undefined })
        }),
        { maxLength: 20 }
      ),
      Gen.array(Gen.record({ at: Gen.integer({ min: 0, max: 30 }), size: Gen.integer({ min: 1, max: 3 }) }), {
        maxLength: 3
      }),
      Gen.constantFrom("wait" as const, "dropOldest" as const)
    ],
    ([tasks, resizes, onFull]) =>
      Effect.scoped(Effect.gen(function*() {
        const pool = yield* FiberPool.make({ concurrency: 2, maxPending: 3, onFull })
        let running = 0
        let most = 0
        const ended = new Array<number>(tasks.length).fill(0)
        yield* TestTime.run(Effect.gen(function*() {
          yield* Effect.forEach(
            resizes,
            (r) => Effect.forkChild(Effect.andThen(Effect.sleep(r.at), pool.resize(r.size)))
          )
          yield* Effect.forEach(tasks, (t, i) =>
            Effect.andThen(
              Effect.sleep(t.at),
              Effect.flatMap(
                pool.submit(
                  Effect.suspend(() => {
                    most = Math.max(most, ++running)
                    return Effect.ensuring(Effect.sleep(t.duration), Effect.sync(() => void running--))
                  }),
                  { priority: t.priority }
                ),
                (future) =>
                  Effect.andThen(
                    Effect.forkChild(
                      t.cancelAt === undefined ? Effect.void : Effect.andThen(Effect.sleep(t.cancelAt), future.cancel)
                    ),
                    Effect.andThen(future.await, Effect.sync(() => void ended[i]!++))
                  )
              )
            ), { concurrency: "unbounded", discard: true })
          yield* pool.awaitIdle
        }))
        assert.isAtMost(most, 3)
        assert.deepStrictEqual(ended, tasks.map(() => 1))
        assert.deepStrictEqual([yield* pool.pending, yield* pool.running, running], [0, 0, 0])
      })),
    { arbitrary: { runs: 60 }, timeout: 30_000 }
  )
})
