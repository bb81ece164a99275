import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Stream } from "effect"
import { FutureCancelled } from "../src/Errors.js"
import * as FiberPool from "../src/FiberPool.js"
import type { FiberPoolImpl } from "../src/internal/fiberPool.js"
import { mapWindow } from "../src/internal/mapWindow.js"

// Review-10 regression tests (they failed before the fix): an item whose own typed error is
// `FutureCancelled` (it awaits a future that was cancelled: `future.result` fails with it) was
// taken for a cancelled lane. The futures now tell a cancel from their task's failure.
/**
 * A future cancelled while pending (behind a task of its pool that holds the one worker until the
 * scope ends): awaiting its `result` fails with a typed `FutureCancelled`.
 */
const cancelledFuture = Effect.gen(function*() {
  const other = yield* FiberPool.make({ concurrency: 1 })
  const gate = yield* Deferred.make<void>()
  yield* Effect.addFinalizer(() => Deferred.succeed(gate, undefined))
  yield* other.submit(Deferred.await(gate))
  const victim = yield* other.submit(Effect.succeed(1))
  yield* victim.cancel
  return victim
})

describe("a FiberPool map whose item fails with FutureCancelled", () => {
  // Executor JSDoc (`map`): "Fails with the first failure and interrupts the rest (Effect's
  // `forEach` semantics)"; README (Semantics): "`map` fails with the first error and interrupts
  // the rest, as Effect's `forEach` does". `Effect.forEach` fails with `FutureCancelled` here.
  it.effect("the map fails with the item's FutureCancelled, as Effect.forEach does — not interrupted", () =>
    Effect.scoped(Effect.gen(function*() {
      const victim = yield* cancelledFuture
      const pool = yield* FiberPool.make({ concurrency: 2 })
      const reference = yield* Effect.exit(Effect.forEach([0, 1], () => victim.result))
      const mapped = yield* Effect.forkChild(pool.map([0, 1], () => victim.result))
      const exit = yield* Fiber.await(mapped)
      assert.deepStrictEqual(reference, Exit.fail(new FutureCancelled()))
      // observed: an interruption — the caller of `map` is interrupted by a typed failure
      assert.deepStrictEqual(exit, Exit.fail(new FutureCancelled()), String(exit))
    })))

  // Same promise for `mapStream` (Executor JSDoc: "`map` over a stream"), which reads a task's
  // `FutureCancelled` as its own cancellation too (`mapStream.ts`).
  it.effect("mapStream fails with the item's FutureCancelled, as Stream.mapEffect does — not interrupted", () =>
    Effect.scoped(Effect.gen(function*() {
      const victim = yield* cancelledFuture
      const pool = yield* FiberPool.make({ concurrency: 2 })
      const reference = yield* Effect.exit(Stream.runCollect(Stream.mapEffect(Stream.make(0, 1), () => victim.result)))
      const streamed = yield* Effect.forkChild(
        Stream.runCollect(pool.mapStream(Stream.make(0, 1), () => victim.result))
      )
      const exit = yield* Fiber.await(streamed)
      assert.deepStrictEqual(reference, Exit.fail(new FutureCancelled()))
      // observed: an interruption
      assert.deepStrictEqual(exit, Exit.fail(new FutureCancelled()), String(exit))
    })))

  // `WorkerPool.map` runs on `mapWindow`, which made the same mistake.
  it.effect("mapWindow (WorkerPool.map) fails with the item's FutureCancelled — not interrupted", () =>
    Effect.scoped(Effect.gen(function*() {
      const victim = yield* cancelledFuture
      const pool = (yield* FiberPool.make({ concurrency: 2 })) as unknown as FiberPoolImpl
      const exit = yield* Effect.exit(mapWindow([0, 1], () => victim.result, {
        window: 2,
        start: (effect) => pool.submitNow(effect),
        closed: () => false,
        cancelled: () => false
      }))
      assert.deepStrictEqual(exit, Exit.fail(new FutureCancelled()), String(exit))
    })))
})
