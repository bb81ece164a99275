import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Option } from "effect"
import * as BoundedSemaphore from "../src/BoundedSemaphore.js"
import * as KeyedSemaphore from "../src/KeyedSemaphore.js"

describe("permits, resize and impossible requests", () => {
  // Promise (KeyedSemaphore.resize): "a key over its new limit admits no one until enough holders have let go"
  // — i.e. once the holders are gone, the key admits again. A waiter for more permits than the new size
  // can never be served, and as no one overtakes it, the key is dead for every later caller.
  it.live("KeyedSemaphore: after a shrink below a waiter's count, the key admits again once holders let go", () =>
    Effect.gen(function*() {
      const perKey = yield* KeyedSemaphore.make<string>(2)
      const gate = yield* Deferred.make<void>()
      const holder = yield* Effect.forkChild(perKey.withPermit("k")(Deferred.await(gate)))
      yield* Effect.sleep("5 millis")
      const big = yield* Effect.forkChild(perKey.withPermits("k", 2)(Effect.void))
      yield* Effect.sleep("5 millis")
      yield* perKey.resize(1)
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(holder)
      // every holder has let go: a one-permit use of "k" must get in
      const later = yield* Effect.timeoutOption(perKey.withPermit("k")(Effect.succeed("in")), "300 millis")
      const bigExit = big.pollUnsafe()
      yield* Fiber.interrupt(big)
      // observed: `later` is None (stuck behind the 2-permit waiter, forever), `big` still waiting
      assert.isTrue(
        Option.isSome(later),
        `key "k" is dead: big waiter ${bigExit === undefined ? "still waits" : "ended"}`
      )
    }))

  // Promise (KeyedSemaphore.withPermits): a count that can never be served is a programming mistake —
  // the semaphores make `n` above the permits a defect (BoundedSemaphore); KeyedSemaphore has no release,
  // so `n > permits` can never be served and blocks the key for everyone behind it.
  it.live("KeyedSemaphore: withPermits(key, n > permits) does not block the key forever", () =>
    Effect.gen(function*() {
      const perKey = yield* KeyedSemaphore.make<string>(1)
      const big = yield* Effect.forkChild(Effect.exit(perKey.withPermits("k", 2)(Effect.void)))
      yield* Effect.sleep("5 millis")
      const later = yield* Effect.timeoutOption(perKey.withPermit("k")(Effect.succeed("in")), "300 millis")
      const bigExit = big.pollUnsafe()
      yield* Fiber.interrupt(big)
      assert.isTrue(
        Option.isSome(later) || (bigExit !== undefined && Exit.isSuccess(bigExit) && Exit.hasDies(bigExit.value)),
        "withPermits(k, 2) on a 1-permit key neither dies nor lets anyone else in"
      )
    }))

  // Promise (Semaphore.resize, bounded): "shrinking never takes a permit ... each permit given back is kept
  // until the count in use is under the new number" — then waiters are served again. A waiter asking for more
  // than the new bound can never be served and, not overtaken, blocks every smaller waiter for ever.
  it.live("BoundedSemaphore: after a shrink below a waiter's count, smaller waiters are served once holders let go", () =>
    Effect.gen(function*() {
      const semaphore = yield* BoundedSemaphore.make(2)
      yield* semaphore.acquire(1)
      const big = yield* Effect.forkChild(semaphore.withPermits(2)(Effect.void))
      yield* Effect.sleep("5 millis")
      yield* semaphore.resize(1)
      yield* semaphore.release(1)
      const later = yield* Effect.timeoutOption(semaphore.withPermits(1)(Effect.succeed("in")), "300 millis")
      yield* Fiber.interrupt(big)
      assert.isTrue(Option.isSome(later), "a 1-permit waiter on an idle 1-permit semaphore waits for ever")
    }))
})
