/**
 * The local store's take under the schedule explorer: takers, an add and a cancel race, with a
 * fiber interrupted at any step. A task is taken by one taker at most, and one that no taker
 * ended up with is still queued and can be taken: nothing handed over is lost. And its lines
 * against a model: tasks come out by priority whatever was cancelled, forgotten and added again
 * under the same id, and the entries cancelled tasks leave behind do not pile up.
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen, Interleavings } from "@fiberkit/testkit"
import { Cause, Effect, Exit, Fiber, Option } from "effect"
import { LocalStore } from "../src/internal/localStore.js"
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
  // Two schedules random exploration found (one in CI): the canceller was interrupted after its
  // cancel had been made, so it reported an interruption for a task it had cancelled ("a cancel
  // that lies"). Both failed before the store's changes became uninterruptible.
  for (const replay of ["0dde9f91-159-45.i1d3m1s-rpb", "2a5dbbbc-159-53.i1d3m1s-rpb"]) {
    it.effect(`a cancel interrupted after it was made reports it (schedule ${replay})`, () =>
      Effect.map(
        Interleavings.explore(scenario([0, 5]), { interrupts: true, replay }),
        (report) => assert.strictEqual(report.schedules, 1)
      ))
  }
  for (const priorities of [[0, 0], [0, 5], [-2, 0]] as const) {
    it.effect(`take, add and cancel at once, with interruptions at any step: no task is taken twice or lost (priorities ${priorities.join(", ")})`, () =>
      Effect.map(
        Interleavings.explore(scenario(priorities), { schedules: 300, interrupts: true }),
        (report) => assert.strictEqual(report.schedules, 300)
      ))
  }
})

const task = (id: string, priority: number) => ({ id, name: "job", args: null, priority, addedAt: 0 })

/** The queued tasks as the store must take them: priority, then put back first, then arrival. */
class Model {
  private seq = 0
  readonly queued: Array<
    { readonly id: string; readonly priority: number; readonly back: boolean; readonly seq: number }
  > = []
  readonly running = new Set<string>()
  /** The most tasks queued at once so far. */
  peak = 0
  push(id: string, priority: number, back: boolean): void {
    this.queued.push({ id, priority, back, seq: this.seq++ })
    this.peak = Math.max(this.peak, this.queued.length)
  }
  first(): { readonly id: string; readonly priority: number } | undefined {
    return [...this.queued].sort((a, b) =>
      b.priority - a.priority || Number(b.back) - Number(a.back) || a.seq - b.seq
    )[0]
  }
  remove(id: string): boolean {
    const at = this.queued.findIndex((q) => q.id === id)
    if (at !== -1) this.queued.splice(at, 1)
    return at !== -1
  }
}

describe("LocalStore lines", () => {
  it.effect.prop(
    "adds, cancels, takes, releases and finishes: takes follow priority, ids reused once forgotten get their own priority, stale entries stay bounded",
    [
      Gen.array(
        Gen.oneof(
          Gen.tuple(Gen.constant("add" as const), Gen.integer({ min: 0, max: 3 }), Gen.integer({ min: -2, max: 2 })),
          Gen.tuple(Gen.constant("cancel" as const), Gen.integer({ min: 0, max: 3 })),
          Gen.tuple(Gen.constant("take" as const)),
          Gen.tuple(Gen.constantFrom("release" as const, "finish" as const), Gen.integer({ min: 0, max: 3 }))
        ),
        { maxLength: 100 }
      )
    ],
    ([steps]) =>
      Effect.gen(function*() {
        // it forgets all but the last finished tasks: their ids can be added again
        const store = new LocalStore(undefined, 1)
        const model = new Model()
        for (const step of steps) {
          const id = step[0] === "take" ? "" : `t${step[1]}`
          switch (step[0]) {
            case "add": {
              const held = Option.isSome(yield* store.get(id))
              assert.strictEqual(yield* store.add([task(id, step[2])]), held ? 0 : 1)
              if (!held) model.push(id, step[2], false)
              break
            }
            case "cancel": {
              const known = Option.isSome(yield* store.get(id))
              const cancelled = yield* store.cancel(id, 0)
              assert.strictEqual(cancelled, known && model.remove(id), `cancel ${id}`)
              break
            }
            case "take": {
              const first = model.first()
              if (first === undefined) break
              const taken = yield* store.take
              assert.deepStrictEqual([taken.id, taken.priority], [first.id, first.priority])
              model.remove(first.id)
              model.running.add(first.id)
              break
            }
            default: {
              if (!model.running.delete(id)) break
              if (step[0] === "release") {
                yield* store.release(id)
                model.push(id, (yield* store.get(id)).pipe(Option.getOrThrow).priority, true)
              } else {
                yield* store.finish(id, { state: "succeeded", at: 0 })
              }
            }
          }
          // stale entries never outnumber the most tasks that were queued at once
          assert.isAtMost(store.entries - model.queued.length, model.peak)
        }
        // what is left comes out in the model's order
        for (let first = model.first(); first !== undefined; first = model.first()) {
          assert.strictEqual((yield* store.take).id, first.id)
          model.remove(first.id)
        }
      }),
    { arbitrary: { runs: 300 } }
  )

  it.effect("a cancelled task's entry, left in line, is not taken for a new task added later under its forgotten id", () =>
    Effect.gen(function*() {
      // it forgets all but the last finished task
      const store = new LocalStore(undefined, 1)
      // a task queued behind: the cancelled one's entry stays in line (stale entries do not outnumber live ones)
      yield* store.add([task("tail", -20), task("x", -5)])
      assert.isTrue(yield* store.cancel("x", 0))
      assert.strictEqual(store.entries, 2)
      for (const id of ["a", "b", "c"]) {
        yield* store.add([task(id, 0)])
        assert.strictEqual((yield* store.take).id, id)
        yield* store.finish(id, { state: "succeeded", at: 0 })
      }
      assert.isTrue(Option.isNone(yield* store.get("x")))
      yield* store.add([task("x", -10), task("z", -7)])
      const order = [yield* store.take, yield* store.take, yield* store.take].map((r) => `${r.id}@${r.priority}`)
      assert.deepStrictEqual(order, ["z@-7", "x@-10", "tail@-20"])
    }))

  it.effect("low-priority tasks cancelled under a steady flow of higher ones leave no growing line", () =>
    Effect.gen(function*() {
      const store = new LocalStore(undefined)
      yield* store.add([task("low-live", -1)])
      for (let i = 0; i < 1_000; i++) {
        yield* store.add([task(`low${i}`, -1)])
        assert.isTrue(yield* store.cancel(`low${i}`, 0))
        yield* store.add([task(`high${i}`, 1)])
        assert.strictEqual((yield* store.take).id, `high${i}`)
        yield* store.finish(`high${i}`, { state: "succeeded", at: 0 })
      }
      // one task queued: its entry and at most as many stale ones
      assert.isAtMost(store.entries, 2)
      assert.strictEqual((yield* store.take).id, "low-live")
    }))
})
