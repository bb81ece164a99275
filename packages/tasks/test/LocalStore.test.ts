/**
 * The local store's take under the schedule explorer: takers, an add and a cancel race, with a
 * fiber interrupted at any step. A task is taken by one taker at most, and one that no taker
 * ended up with is still queued and can be taken: nothing handed over is lost.
 */
import { assert, describe, it } from "@effect/vitest"
import { Interleavings } from "@fiberkit/testkit"
import { Cause, Effect, Exit, Fiber, Option } from "effect"
import * as TaskStore from "../src/TaskStore.js"

/** `priorities`: of "a" and "b" — both 0 (one plain line), or ranked, so that a task put back competes with the line. */
const scenario = (priorities: readonly [number, number]) =>
  Effect.gen(function*() {
    const store = yield* TaskStore.memory
    // as a worker takes, in an uninterruptible region: what it took is its own before anything
    // can interrupt it, and only the wait is interruptible
    const taken: Array<string> = []
    const take = Effect.uninterruptible(
      Effect.flatMap(store.take, (record) => Effect.sync(() => taken.push(record.id)))
    )
    const takers = yield* Effect.forEach([1, 2, 3], () => Interleavings.fork(take))
    const adder = yield* Interleavings.fork(
      store.add(["a", "b"].map((id, i) => ({ id, name: "job", args: null, priority: priorities[i], addedAt: 0 })))
    )
    const canceller = yield* Interleavings.fork(store.cancel("a", 0))
    const added = yield* Fiber.await(adder)
    const cancelled = yield* Fiber.await(canceller)
    // a taker still waiting is interrupted now: one that was handed a task gives it back
    yield* Effect.forEach(takers, Fiber.interrupt)
    for (const id of ["a", "b"]) {
      const record = yield* store.get(id)
      const takes = taken.filter((t) => t === id).length
      if (Option.isNone(record)) {
        assert.isTrue(Exit.isFailure(added) && Cause.hasInterruptsOnly(added.cause), `${id} unknown, yet added`)
        continue
      }
      const state = record.value.state
      assert.isAtMost(takes, 1, `${id} taken twice`)
      if (state === "running") assert.strictEqual(takes, 1, `${id} running, but no taker has it`)
      if (state === "cancelled") {
        assert.deepStrictEqual(cancelled, Exit.succeed(true))
        assert.strictEqual(takes, 0)
      }
      if (state === "queued") assert.strictEqual(takes, 0)
    }
    // every task still queued can be taken: none was lost in a hand-off
    const queued = (yield* Effect.forEach(["a", "b"], store.get)).filter((r) =>
      Option.isSome(r) && r.value.state === "queued"
    ).length
    for (let i = 0; i < queued; i++) assert.strictEqual((yield* store.take).state, "running")
  })

describe("LocalStore", () => {
  for (const priorities of [[0, 0], [0, 5], [-2, 0]] as const) {
    it.effect(`take, add and cancel at once, with interruptions at any step: no task is taken twice or lost (priorities ${priorities.join(", ")})`, () =>
      Effect.map(
        Interleavings.explore(scenario(priorities), { schedules: 300, interrupts: true }),
        (report) => assert.strictEqual(report.schedules, 300)
      ))
  }
})
