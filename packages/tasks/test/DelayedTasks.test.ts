/**
 * Delayed tasks in the local store, on the TestClock: a task is taken at its time — not a
 * millisecond before, and not later while a taker waits — by the timer the waiting takers arm;
 * an earlier task added meanwhile re-arms it; the timer goes with the last taker; and a property
 * over random delays, priorities and cancels: one taker that is always free takes every task not
 * cancelled exactly once, at exactly its time, in priority order among the tasks due together.
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen } from "@fiberkit/testkit"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { LocalStore } from "../src/internal/localStore.js"
import type * as TaskStore from "../src/TaskStore.js"

const task = (id: string, runAt: number | undefined, priority = 0): TaskStore.NewTask => ({
  id,
  name: "job",
  args: null,
  priority,
  addedAt: 0,
  runAt
})

/** Lets the forked fibers run their steps without moving the clock. */
const settle = Effect.repeat(Effect.yieldNow, { times: 20 })

describe("LocalStore delays", () => {
  it.effect("a waiting taker gets a delayed task at its time, not a millisecond before", () =>
    Effect.gen(function*() {
      const store = new LocalStore(undefined)
      yield* store.add([task("later", 1_000)])
      const taker = yield* Effect.forkChild(store.take)
      yield* TestClock.adjust("999 millis")
      yield* settle
      assert.isUndefined(taker.pollUnsafe())
      yield* TestClock.adjust("1 millis")
      const taken = yield* Fiber.join(taker)
      assert.strictEqual(taken.id, "later")
      assert.strictEqual(taken.startedAt, 1_000)
    }))

  it.effect("an earlier task added while a taker waits for a later one re-arms the timer", () =>
    Effect.gen(function*() {
      const store = new LocalStore(undefined)
      yield* store.add([task("late", 1_000)])
      const taker = yield* Effect.forkChild(store.take)
      yield* settle
      yield* store.add([task("early", 300)])
      yield* TestClock.adjust("300 millis")
      assert.strictEqual((yield* Fiber.join(taker)).id, "early")
      const next = yield* Effect.forkChild(store.take)
      yield* TestClock.adjust("700 millis")
      assert.strictEqual((yield* Fiber.join(next)).id, "late")
    }))

  it.effect("without a taker no timer runs; a taker that comes later takes what is due at once", () =>
    Effect.gen(function*() {
      const store = new LocalStore(undefined)
      yield* store.add([task("a", 100), task("b", 5_000)])
      const taker = yield* Effect.forkChild(store.take)
      yield* settle
      yield* Fiber.interrupt(taker)
      yield* TestClock.adjust("200 millis")
      assert.strictEqual((yield* store.get("a")).pipe((o) => o._tag === "Some" ? o.value.state : "none"), "queued")
      // a take now finds "a" due, without waiting
      assert.strictEqual((yield* store.take).id, "a")
    }))

  it.effect("a delayed task cancelled before its time is never taken", () =>
    Effect.gen(function*() {
      const store = new LocalStore(undefined)
      yield* store.add([task("gone", 100), task("kept", 200)])
      assert.isTrue(yield* store.cancel("gone", 0))
      const taker = yield* Effect.forkChild(store.take)
      yield* TestClock.adjust("200 millis")
      assert.strictEqual((yield* Fiber.join(taker)).id, "kept")
    }))

  it.effect.prop(
    "one taker always free takes every task not cancelled once, at its time, by priority among those due together",
    [
      Gen.array(
        Gen.tuple(Gen.integer({ min: 0, max: 60 }), Gen.integer({ min: -2, max: 2 }), Gen.boolean),
        { minLength: 1, maxLength: 30 }
      )
    ],
    ([tasks]) =>
      Effect.gen(function*() {
        const store = new LocalStore(undefined)
        const taken: Array<{ readonly id: string; readonly at: number }> = []
        const taker = yield* Effect.forkChild(
          Effect.forever(Effect.flatMap(store.take, (record) =>
            Effect.andThen(
              Effect.sync(() => taken.push({ id: record.id, at: record.startedAt! })),
              store.finish(record.id, { state: "succeeded", at: record.startedAt! })
            )))
        )
        yield* settle
        yield* store.add(tasks.map(([at, priority], i) => task(`t${i}`, at === 0 ? undefined : at, priority)))
        // (a task due at once is the taker's already)
        const cancelled = (i: number) => tasks[i]![2] && tasks[i]![0] > 0
        for (const i of tasks.keys()) if (cancelled(i)) assert.isTrue(yield* store.cancel(`t${i}`, 0))
        for (let ms = 0; ms <= 61; ms++) {
          yield* settle
          yield* TestClock.adjust("1 millis")
        }
        yield* settle
        yield* Fiber.interrupt(taker)
        const expected = tasks.map(([at, priority], i) => ({ id: `t${i}`, at, priority, i }))
          .filter(({ i }) => !cancelled(i))
        assert.deepStrictEqual(taken.map((t) => t.id).sort(), expected.map((e) => e.id).sort())
        for (const { at, id } of expected) assert.strictEqual(taken.find((t) => t.id === id)!.at, at, id)
        // among the tasks due at one time, the higher priority first, then the order of adding
        const byId = new Map(expected.map((e) => [e.id, e]))
        for (let k = 1; k < taken.length; k++) {
          const a = byId.get(taken[k - 1]!.id)!
          const b = byId.get(taken[k]!.id)!
          if (a.at === b.at) {
            assert.isTrue(a.priority > b.priority || (a.priority === b.priority && a.i < b.i), `${a.id} ${b.id}`)
          }
        }
      }),
    { arbitrary: { runs: 100 } }
  )
})
