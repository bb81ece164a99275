import { assert, describe, it } from "@effect/vitest"
import { Gen, Leaks, TestTime } from "@fiberkit/testkit"
import { Context, Effect, Fiber, Ref } from "effect"
import type * as Duration from "effect/Duration"
import { TestClock } from "effect/testing"
import * as Barrier from "../src/Barrier.js"
import { isInterrupted } from "./helpers.js"

describe("Barrier", () => {
  it.effect("releases all parties together, with indices 0 … parties-1, after the action ran once", () =>
    Effect.gen(function*() {
      const actions = yield* Ref.make(0)
      const barrier = yield* Barrier.make(3, { action: Ref.update(actions, (n) => n + 1) })
      const first = yield* Effect.forkChild(barrier.await)
      const second = yield* Effect.forkChild(barrier.await)
      yield* Leaks.settle
      assert.strictEqual(yield* barrier.waiting, 2)
      assert.strictEqual(yield* Ref.get(actions), 0)
      const last = yield* barrier.await
      assert.deepStrictEqual([yield* Fiber.join(first), yield* Fiber.join(second), last], [0, 1, 2])
      assert.strictEqual(yield* Ref.get(actions), 1)
      assert.strictEqual(yield* barrier.waiting, 0)
      assert.strictEqual(barrier.parties, 3)
    }))

  it.effect.prop(
    "every generation gives each party a unique index and runs the action once",
    [Gen.integer({ min: 1, max: 6 }), Gen.integer({ min: 1, max: 4 })],
    ([parties, generations]) =>
      Effect.gen(function*() {
        const actions = yield* Ref.make(0)
        const barrier = yield* Barrier.make(parties, { action: Ref.update(actions, (n) => n + 1) })
        for (let g = 0; g < generations; g++) {
          const indices = yield* TestTime.run(
            Effect.forEach(Array.from({ length: parties }, (_, i) => i), (i) =>
              Effect.andThen(Effect.sleep((i * 7) % 5), barrier.await), { concurrency: "unbounded" })
          )
          assert.deepStrictEqual(
            [...indices].sort((a, b) =>
              a - b
            ),
            Array.from({ length: parties }, (_, i) => i)
          )
        }
        assert.strictEqual(yield* Ref.get(actions), generations)
        assert.isFalse(yield* barrier.isBroken)
      }),
    { arbitrary: { runs: 30 } }
  )

  it.effect("abort breaks it: waiting and later parties fail BrokenBarrier until reset", () =>
    Effect.gen(function*() {
      const barrier = yield* Barrier.make(2)
      const waiter = yield* Effect.forkChild(barrier.await)
      yield* Leaks.settle
      yield* barrier.abort
      const error = yield* Effect.flip(Fiber.join(waiter))
      assert.deepStrictEqual([error._tag, error.reason, error.message], [
        "BrokenBarrier",
        "aborted",
        "the barrier is broken (aborted)"
      ])
      assert.isTrue(yield* barrier.isBroken)
      assert.strictEqual((yield* Effect.flip(barrier.await)).reason, "aborted")
      yield* barrier.reset
      assert.isFalse(yield* barrier.isBroken)
      const again = yield* Effect.forkChild(barrier.await)
      yield* barrier.await
      yield* Fiber.join(again)
    }))

  it.effect("reset fails the parties waiting at that moment", () =>
    Effect.gen(function*() {
      const barrier = yield* Barrier.make(3)
      const waiter = yield* Effect.forkChild(barrier.await)
      yield* Leaks.settle
      yield* barrier.reset
      assert.strictEqual((yield* Effect.flip(Fiber.join(waiter))).reason, "reset")
      assert.isFalse(yield* barrier.isBroken)
    }))

  it.effect("a party that waits longer than the timeout breaks the barrier", () =>
    Effect.gen(function*() {
      const barrier = yield* Barrier.make(3, { timeout: "1 second" })
      const first = yield* Effect.forkChild(barrier.await)
      yield* TestClock.adjust("500 millis")
      const second = yield* Effect.forkChild(barrier.await)
      yield* TestClock.adjust("500 millis")
      assert.strictEqual((yield* Effect.flip(Fiber.join(first))).reason, "timeout")
      assert.strictEqual((yield* Effect.flip(Fiber.join(second))).reason, "timeout")
      assert.isTrue(yield* barrier.isBroken)
    }))

  it.effect("a party whose timeout runs out while the last arrival runs the action passes with its generation", () =>
    Effect.gen(function*() {
      // as in Python: the generation tripped when the last party came; the action only delays it
      const barrier = yield* Barrier.make(2, { timeout: "1 second", action: Effect.sleep("2 seconds") })
      const first = yield* Effect.forkChild(barrier.await)
      yield* TestClock.adjust("500 millis")
      const last = yield* Effect.forkChild(barrier.await)
      yield* TestClock.adjust("3 seconds")
      assert.deepStrictEqual([yield* Fiber.join(first), yield* Fiber.join(last)], [0, 1])
      assert.isFalse(yield* barrier.isBroken)
    }))

  it.effect("a failing action fails its runner with its error and breaks the barrier for the others", () =>
    Effect.gen(function*() {
      const barrier = yield* Barrier.make(2, { action: Effect.fail("no quorum" as const) })
      const waiter = yield* Effect.forkChild(barrier.await)
      yield* Leaks.settle
      assert.strictEqual(yield* Effect.flip(barrier.await), "no quorum")
      assert.strictEqual(((yield* Effect.flip(Fiber.join(waiter))) as { reason: string }).reason, "action failed")
      assert.isTrue(yield* barrier.isBroken)
    }))

  it.effect("a party interrupted while waiting withdraws, as if it had never come", () =>
    Effect.gen(function*() {
      const barrier = yield* Barrier.make(2)
      const quitter = yield* Effect.forkChild(barrier.await)
      yield* Leaks.settle
      yield* Fiber.interrupt(quitter)
      assert.strictEqual(yield* barrier.waiting, 0)
      const waiter = yield* Effect.forkChild(barrier.await)
      yield* Leaks.settle
      assert.isUndefined(waiter.pollUnsafe())
      assert.strictEqual(yield* barrier.await, 1)
      assert.strictEqual(yield* Fiber.join(waiter), 0)
      assert.isTrue(isInterrupted(yield* Fiber.await(quitter)))
    }))

  it.effect("zero parties fail InvalidOptions", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Barrier.make(0))
      assert.strictEqual(error.message, "Barrier.make: parties must be an integer ≥ 1, got 0")
    }))

  it.effect("a timeout Duration.fromInput rejects fails InvalidOptions", () =>
    Effect.gen(function*() {
      const timeouts: ReadonlyArray<Duration.Input> = [`${1e-7} seconds`, `${Number.NaN} millis`]
      for (const timeout of timeouts) {
        const error = yield* Effect.flip(Barrier.make(2, { timeout }))
        assert.strictEqual(error.message, `Barrier.make: timeout must be a Duration.Input, got ${timeout}`)
      }
    }))
})

describe("Barrier (one action at a time)", () => {
  it.effect("parties arriving while the action runs wait for it: actions never overlap, generations stay in order", () =>
    Effect.gen(function*() {
      let running = 0
      let peak = 0
      const released: Array<string> = []
      const barrier = yield* Barrier.make(2, {
        action: Effect.acquireUseRelease(
          Effect.sync(() => peak = Math.max(peak, ++running)),
          () => Effect.sleep(50),
          () => Effect.sync(() => running--)
        )
      })
      const party = (name: string) => Effect.tap(barrier.await, () => Effect.sync(() => released.push(name)))
      const fibers = yield* Effect.forEach(["a1", "a2", "b1", "b2"], (name) => Effect.forkChild(party(name)))
      yield* TestTime.run(Fiber.joinAll(fibers))
      assert.strictEqual(peak, 1)
      assert.deepStrictEqual(released.map((name) => name[0]), ["a", "a", "b", "b"])
    }))

  it.effect("a party that arrived while the action ran stays interruptible: interrupted, it withdraws", () =>
    Effect.gen(function*() {
      const barrier = yield* Barrier.make(2, { action: Effect.sleep("1 second") })
      yield* Effect.forkChild(barrier.await)
      yield* Effect.forkChild(barrier.await) // trips generation 1: runs the 1-second action
      yield* Leaks.settle
      const late = yield* Effect.forkChild(barrier.await) // arrives while the action runs
      yield* Leaks.settle
      yield* TestClock.adjust("1 second") // the action is over: `late` waits for generation 2
      assert.strictEqual(yield* barrier.waiting, 1)
      yield* Effect.forkDetach(Fiber.interrupt(late))
      yield* Leaks.settle
      const withdrew = late.pollUnsafe() !== undefined
      if (!withdrew) yield* barrier.abort // so that a failing test still ends
      assert.isTrue(withdrew)
      assert.isTrue(isInterrupted(yield* Fiber.await(late)))
      assert.strictEqual(yield* barrier.waiting, 0)
      // the next party waits for a partner of its own, not for the one that withdrew
      const next = yield* Effect.forkChild(barrier.await)
      yield* Leaks.settle
      assert.isUndefined(next.pollUnsafe())
      assert.strictEqual(yield* barrier.waiting, 1)
      yield* Fiber.interrupt(next)
    }))
})

class Audit extends Context.Service<Audit, { readonly note: (line: string) => Effect.Effect<void> }>()("test/Audit") {}

describe("Barrier: the action's services", () => {
  it.effect("an action that needs a service gets it from where the barrier was made, whichever party runs it", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const action = Effect.flatMap(Effect.service(Audit), (audit) => audit.note("tripped"))
      // make requires Audit (its R); the parties do not
      const barrier = yield* Barrier.make(2, { action }).pipe(
        Effect.provideService(Audit, { note: (line) => Effect.sync(() => void lines.push(line)) })
      )
      const parties = yield* Effect.forkChild(Effect.all([barrier.await, barrier.await], { concurrency: 2 }))
      const indices = yield* Fiber.join(parties)
      assert.deepStrictEqual([...indices].sort(), [0, 1])
      assert.deepStrictEqual(lines, ["tripped"])
    }))
})
