/**
 * The `pending` a dropped effect's `PendingLimitExceeded` reports: "Pending when the bound was
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

describe("PendingLimitExceeded of a dropped effect", () => {
  it.effect("the dropped effect's error reports the pending count at the drop (the bound), not at its later resumption", () =>
    Effect.gen(function*() {
      const limit = yield* KeyedConcurrencyLimiter.make<string>({
        perKey: 1,
        global: 1,
        maxPending: 2,
        onFull: "dropOldest"
      })
      const gate = yield* Deferred.make<void>()
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
})
