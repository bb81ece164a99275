/**
 * What a drop (`onFull: "dropOldest"`) does to the counts, in the step it is made. The `pending` a
 * dropped effect's `PendingLimitExceeded` reports: "Pending when the bound was
 * hit" (sync's Errors), in a message that reads "dropped after waiting — N pending reached the
 * bound of M and a newer one came". From a review: the limiter read the line's size when the
 * dropped fiber resumed, not when it was dropped (this test failed: pending 0).
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber } from "effect"
import * as KeyedConcurrencyLimiter from "../src/KeyedConcurrencyLimiter.js"

const fork = <X>(
  limit: KeyedConcurrencyLimiter.KeyedConcurrencyLimiter<string, X>,
  key: string,
  body: Effect.Effect<void>
) => Effect.tap(Effect.forkChild(limit(key)(body)), () => Effect.yieldNow)

/** A limiter of one per key and one in all that drops its oldest waiter past `maxPending`, and a gate. */
const dropping = (maxPending: number) =>
  Effect.all({
    limit: KeyedConcurrencyLimiter.make<string>({ perKey: 1, global: 1, maxPending, onFull: "dropOldest" }),
    gate: Deferred.make<void>()
  })

/** An effect of `key` that does nothing, forked, its exit kept (it may be dropped). */
const forkExit = <X>(limit: KeyedConcurrencyLimiter.KeyedConcurrencyLimiter<string, X>, key: string) =>
  Effect.tap(Effect.forkChild(Effect.exit(limit(key)(Effect.void))), () => Effect.yieldNow)

describe("a dropped effect: its error and the counts", () => {
  it.effect("the dropped effect's error reports the pending count at the drop (the bound), not at its later resumption", () =>
    Effect.gen(function*() {
      const { gate, limit } = yield* dropping(2)
      const holder = yield* fork(limit, "z", Deferred.await(gate))
      const a1 = yield* fork(limit, "a", Effect.void)
      const b1 = yield* fork(limit, "b", Effect.void)
      const c1 = yield* fork(limit, "c", Effect.void) // 2 pending reached the bound: a1 is dropped
      yield* limit.resize({ global: 3 }) // before a1 resumed: b1 and c1 enter, the line is empty
      const exit = yield* Fiber.await(a1)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll([holder, b1, c1])
      const error = Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail")?.error : undefined
      assert.deepStrictEqual(
        { dropped: error?.dropped, pending: error?.pending, maxPending: error?.maxPending },
        { dropped: true, pending: 2, maxPending: 2 },
        error?.message
      )
    }))

  // From a review: `waiting(key)` and `keys` counted the dropped effect until its fiber resumed
  // (this test read { a: 1, b: 1, c: 1, all: 2, keys: 4 }).
  it.effect("right after the drop, the dropped effect's key no longer counts it: waiting(key), waitingAll and keys agree", () =>
    Effect.gen(function*() {
      const { gate, limit } = yield* dropping(2)
      const holder = yield* fork(limit, "z", Deferred.await(gate))
      const a1 = yield* forkExit(limit, "a")
      const b1 = yield* fork(limit, "b", Effect.void)
      const c1 = yield* fork(limit, "c", Effect.void) // drops a1, the longest waiter
      const counts = Effect.all({
        a: limit.waiting("a"),
        b: limit.waiting("b"),
        c: limit.waiting("c"),
        all: limit.waitingAll,
        keys: limit.keys
      })
      const atDrop = yield* counts
      assert.strictEqual(Exit.isFailure(yield* Fiber.join(a1)), true)
      const afterResumption = yield* counts
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll([holder, b1, c1])
      const expected = { a: 0, b: 1, c: 1, all: 2, keys: 3 } // z inside, b and c waiting
      assert.deepStrictEqual({ atDrop, afterResumption }, { atDrop: expected, afterResumption: expected })
      assert.strictEqual(yield* limit.keys, 0)
    }))

  it.effect("a dropped effect's key stays in use while another of its effects is inside, after the dropped one resumes", () =>
    Effect.gen(function*() {
      const { gate, limit } = yield* dropping(1)
      const holder = yield* fork(limit, "a", Deferred.await(gate))
      const a1 = yield* forkExit(limit, "a")
      const b1 = yield* fork(limit, "b", Effect.void) // drops a1
      assert.strictEqual(Exit.isFailure(yield* Fiber.join(a1)), true)
      const counts = yield* Effect.all({ inside: limit.inside("a"), waiting: limit.waiting("a"), keys: limit.keys })
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll([holder, b1])
      // counted once: not again when the dropped fiber ended
      assert.deepStrictEqual(counts, { inside: 1, waiting: 0, keys: 2 })
      assert.deepStrictEqual(yield* Effect.all([limit.keys, limit.insideAll, limit.waitingAll]), [0, 0, 0])
    }))
})
