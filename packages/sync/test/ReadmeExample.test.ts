// The example of the root README's section on testing concurrency, as it stands there: it must run.
import { assert, it } from "@effect/vitest"
import { ConcurrencyProbe, Interleavings } from "@fiberkit/testkit"
import { Effect, Fiber } from "effect"
import { Semaphore } from "../src/index.js"

it.effect("a semaphore never lets more than its permits in, whoever is interrupted at whatever op", () =>
  Interleavings.explore(
    Effect.gen(function*() {
      const semaphore = yield* Semaphore.make(2)
      const probe = yield* ConcurrencyProbe.make // counts who is inside
      const visit = probe.track(Effect.yieldNow)
      const actors = yield* Effect.forEach([1, 2, 3], () => Interleavings.fork(semaphore.withPermit(visit)))
      yield* Effect.forEach(actors, Fiber.await) // an actor may be interrupted: await, not join
      assert.isAtMost(yield* probe.peak, 2)
      assert.strictEqual(yield* semaphore.available, 2)
    }),
    { schedules: 200, interrupts: true } // a failure names the schedule and a token that replays it
  ))
