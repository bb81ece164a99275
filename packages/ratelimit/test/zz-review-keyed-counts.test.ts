/**
 * Review of KeyedConcurrencyLimiter's counts: `waiting(key)` is "Effects of `key` waiting to enter
 * now", one key's share of `waitingAll` ("`waitingAll` reads it; `waiting(key)` counts one key's
 * share"), and `keys` is "Keys in use now: with an effect inside or waiting".
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import * as KeyedConcurrencyLimiter from "../src/KeyedConcurrencyLimiter.js"

const fork = <X>(
  limit: KeyedConcurrencyLimiter.KeyedConcurrencyLimiter<string, X>,
  key: string,
  body: Effect.Effect<void>
) => Effect.tap(Effect.forkChild(Effect.exit(limit(key)(body))), () => Effect.yieldNow)

describe("zz-review KeyedConcurrencyLimiter counts after dropOldest", () => {
  it.effect("right after a newcomer drops the oldest waiter, waiting(key) of the dropped key is 0 and the shares add up to waitingAll", () =>
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
      const c1 = yield* fork(limit, "c", Effect.void) // drops a1, the longest waiter
      const counts = {
        a: yield* limit.waiting("a"),
        b: yield* limit.waiting("b"),
        c: yield* limit.waiting("c"),
        all: yield* limit.waitingAll,
        keys: yield* limit.keys
      }
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.joinAll([holder, a1, b1, c1])
      // a1 was sent away: it waits for nothing; keys in use: z (inside), b and c (waiting)
      assert.deepStrictEqual(counts, { a: 0, b: 1, c: 1, all: 2, keys: 3 })
    }))
})
