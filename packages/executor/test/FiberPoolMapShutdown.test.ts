import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber } from "effect"
import * as FiberPool from "../src/FiberPool.js"

// Review-9 regression tests (each failed before the fix): `FiberPool.map` in lanes against `shutdown`.
describe("a FiberPool map and shutdown", () => {
  // README (Semantics): "`shutdown({ cancelFutures: true })` cancels, in one step, every task that
  // has not started — the items of a running `map` not taken yet too (the map then fails
  // `PoolShutDown`) — and leaves the running ones to finish."
  it.effect("shutdown({ cancelFutures: true }) leaves a map's running item to finish", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      const gate = yield* Deferred.make<void>()
      const started = yield* Deferred.make<void>()
      let interrupted = false
      const mapped = yield* Effect.forkChild(pool.map([0, 1, 2], (i) =>
        i === 0
          ? Effect.andThen(Deferred.succeed(started, undefined), Deferred.await(gate)).pipe(
            Effect.onInterrupt(() => Effect.sync(() => void (interrupted = true)))
          )
          : Effect.void))
      yield* Deferred.await(started) // item 0 runs; items 1 and 2 not taken
      yield* pool.shutdown({ cancelFutures: true, wait: false })
      for (let i = 0; i < 20; i++) yield* Effect.yieldNow
      yield* Deferred.succeed(gate, undefined)
      const exit = yield* Fiber.await(mapped)
      yield* pool.awaitIdle
      // observed: item 0 is interrupted (the map's cancelled waiting lane ends the map, which
      // then cancels its running lane)
      assert.isFalse(interrupted, "the running item 0 was interrupted by shutdown({ cancelFutures: true })")
      assert.isTrue(Exit.isFailure(exit) && String(exit).includes("PoolShutDown"), String(exit))
    })))

  // Same promise: only the items "not taken yet" are cancelled and make the map fail
  // `PoolShutDown`. Here every item has been taken when the shutdown comes (item 1 runs), yet a
  // lane of the map still waits in line with nothing to do.
  it.effect("shutdown({ cancelFutures: true }) after every item was taken: the map succeeds", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      const gate = yield* Deferred.make<void>()
      const started = yield* Deferred.make<void>()
      const mapped = yield* Effect.forkChild(pool.map([0, 1], (i) =>
        i === 1
          ? Effect.andThen(Deferred.succeed(started, undefined), Effect.as(Deferred.await(gate), i))
          : Effect.succeed(i)))
      yield* Deferred.await(started) // item 0 done, item 1 runs: no item left to take
      yield* pool.shutdown({ cancelFutures: true, wait: false })
      yield* Deferred.succeed(gate, undefined)
      const exit = yield* Fiber.await(mapped)
      // observed: Failure(PoolShutDown), item 1 interrupted
      assert.deepStrictEqual(exit, Exit.succeed([0, 1]))
    })))

  // JSDoc (FiberPool): "Closing its scope shuts it down … it succeeded: the pool waits for every
  // task it accepted, pending ones included"; README (Semantics): graceful shutdown "waits for
  // every task it accepted"; `map`'s items are "each … a task … to the pool's controls". A graceful
  // `shutdown()` waits only for the futures live when it was called, while a map started before
  // it goes on queuing new lanes.
  it.effect("a graceful shutdown returns only once the items of a map started before it have ended", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 2 })
      const gates = Array.from({ length: 4 }, () => Deferred.makeUnsafe<void>())
      const starts = Array.from({ length: 4 }, () => Deferred.makeUnsafe<void>())
      const ended: Array<number> = []
      const blocker = yield* Deferred.make<void>()
      const urgentGate = yield* Deferred.make<void>()
      // worker A: a task submitted before the map
      yield* pool.submit(Deferred.await(blocker))
      // worker B: the map's first lane (item 0); its second lane waits in line
      const mapped = yield* Effect.forkChild(pool.map([0, 1, 2, 3], (i) =>
        Effect.andThen(
          Deferred.succeed(starts[i]!, undefined),
          Effect.andThen(Deferred.await(gates[i]!), Effect.sync(() => void ended.push(i)))
        )))
      yield* Deferred.await(starts[0]!)
      // a task of higher priority: the map's lane ends after item 0, and B takes it
      yield* pool.submit(Deferred.await(urgentGate), { priority: 5 })
      const shutdown = yield* Effect.forkChild(pool.shutdown())
      yield* Effect.yieldNow
      yield* Deferred.succeed(gates[0]!, undefined) // lane 1 ends: B runs the urgent task
      yield* Deferred.succeed(blocker, undefined) // A takes lane 2: item 1; lane 3 waits in line
      yield* Deferred.await(starts[1]!)
      yield* Deferred.succeed(urgentGate, undefined) // B takes lane 3 (queued after the shutdown): item 2
      yield* Deferred.await(starts[2]!)
      yield* Deferred.succeed(gates[1]!, undefined) // lane 2 goes on: item 3
      yield* Deferred.await(starts[3]!)
      yield* Deferred.succeed(gates[3]!, undefined) // lane 2 ends: every future live at the shutdown has ended
      for (let i = 0; i < 20; i++) yield* Effect.yieldNow
      const returnedEarly = shutdown.pollUnsafe() !== undefined
      yield* Deferred.succeed(gates[2]!, undefined)
      yield* Fiber.join(mapped)
      yield* Fiber.join(shutdown)
      // observed: the shutdown returned while item 2 still ran
      assert.isFalse(returnedEarly, `shutdown() returned while item 2 still ran (ended: ${ended})`)
    })))
})
