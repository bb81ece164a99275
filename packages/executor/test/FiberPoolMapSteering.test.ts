import { assert, describe, it } from "@effect/vitest"
import { Interleavings } from "@fiberkit/testkit"
import { Deferred, Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as FiberPool from "../src/FiberPool.js"

// Review-8 regression tests (each failed before the fix): a `map`'s lanes pulled items until none
// was left, so the pool's controls saw a whole map as a few long tasks — its items not started
// escaped both `resize` and priorities. Now a lane yields between items, and one waits in line.
describe("FiberPool map lanes against resize and priorities", () => {
  // README ("Resize"): "a shrink interrupts nothing — surplus workers retire after the task they
  // run"; ("Semantics"): "At most `concurrency` tasks run at once". JSDoc (`resize`): "a shrink
  // interrupts nothing — surplus workers retire between tasks".
  it.effect("after a shrink to 1, the map items that start afterwards run one at a time", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 4 })
      let running = 0
      let resized = false
      let mostAfterResize = 0 // most items running at once among those started after the resize
      const item = (_: number) =>
        Effect.acquireUseRelease(
          Effect.sync(() => {
            running++
            if (resized) mostAfterResize = Math.max(mostAfterResize, running)
          }),
          () => Effect.sleep("10 millis"),
          () => Effect.sync(() => void running--)
        )
      const mapped = yield* Effect.forkChild(pool.map(Array.from({ length: 40 }, (_, i) => i), item))
      yield* TestClock.adjust("5 millis") // 4 items run
      yield* pool.resize(1)
      resized = true
      for (let step = 0; step < 60; step++) yield* TestClock.adjust("10 millis")
      yield* Fiber.join(mapped)
      // observed: 4 — the four lanes keep pulling items, four at a time, until the map ends
      assert.strictEqual(mostAfterResize, 1, `items started after resize(1) ran ${mostAfterResize} at once`)
    })))

  // README ("Resize"): "`resize(n)`: a grow starts pending tasks at once"; JSDoc (`resize`): "a
  // grow starts pending tasks at once". A map made on a pool of 1 has one lane: its items wait
  // for it, and a grow gives them no new worker.
  it.effect("a grow starts the map items still waiting on the new workers", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      let running = 0
      let most = 0
      const item = (_: number) =>
        Effect.acquireUseRelease(
          Effect.sync(() => {
            most = Math.max(most, ++running)
          }),
          () => Effect.sleep("10 millis"),
          () => Effect.sync(() => void running--)
        )
      const mapped = yield* Effect.forkChild(pool.map(Array.from({ length: 8 }, (_, i) => i), item))
      yield* TestClock.adjust("5 millis") // item 0 runs, 7 wait
      yield* pool.resize(4)
      for (let step = 0; step < 10; step++) yield* TestClock.adjust("10 millis")
      yield* Fiber.join(mapped)
      // observed: 1 — the one lane runs the 8 items one after another on a pool of 4
      assert.strictEqual(most, 4, `after resize(4), at most ${most} map items ran at once`)
    })))

  // README ("Priorities"): "`submit(effect, { priority })`: higher first, equal priorities in
  // submission order, default 0"; a map's items are tasks of priority 0 (their lanes "rank as
  // tasks of priority 0"), and the items not taken yet are pending ("shutdown cancels the items
  // of a running map not taken yet too").
  it.effect("a priority-10 submit starts before the map items (priority 0) that have not started", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      const order: Array<string> = []
      const gate = yield* Deferred.make<void>()
      const mapped = yield* Effect.forkChild(pool.map([0, 1, 2, 3], (i) =>
        Effect.andThen(
          i === 0 ? Deferred.await(gate) : Effect.void,
          Effect.sync(() => void order.push(`item ${i}`))
        )))
      yield* Effect.yieldNow
      yield* Effect.yieldNow // item 0 runs, items 1–3 wait
      const urgent = yield* pool.submit(Effect.sync(() => void order.push("urgent")), { priority: 10 })
      yield* Deferred.succeed(gate, undefined)
      yield* urgent.result
      yield* Fiber.join(mapped)
      // observed: ["item 0", "item 1", "item 2", "item 3", "urgent"]
      assert.deepStrictEqual(order, ["item 0", "urgent", "item 1", "item 2", "item 3"])
    })))

  it.effect("a map racing priority submits, a grow, a shrink and interruptions: each item once, in order, within the size, nothing left", () =>
    Interleavings.explore(
      Effect.scoped(Effect.gen(function*() {
        const pool = yield* FiberPool.make({ concurrency: 2 })
        let running = 0
        let most = 0
        let itemsRunning = 0
        let mapEnded = false
        const late: Array<string> = [] // map items started, or still running, once the map returned
        const runs = new Map<string, number>()
        const task = (name: string, item = false) =>
          Effect.acquireUseRelease(
            Effect.sync(() => {
              most = Math.max(most, ++running)
              runs.set(name, (runs.get(name) ?? 0) + 1)
              if (item && mapEnded) late.push(name)
              if (item) itemsRunning++
            }),
            () => Effect.as(Effect.sleep(1), name),
            () => Effect.sync(() => void (running--, item && itemsRunning--))
          )
        const items = [0, 1, 2, 3, 4, 5]
        const mapper = yield* Interleavings.fork(pool.map(items, (i) => task(`item ${i}`, true)))
        const submitters = yield* Effect.forEach(
          [3, 0],
          (priority) =>
            Interleavings.fork(Effect.flatMap(pool.submit(task(`p${priority}`), { priority }), (f) => f.result))
        )
        const grow = yield* Interleavings.fork(Effect.andThen(Effect.sleep(1), pool.resize(3)))
        const shrink = yield* Interleavings.fork(Effect.andThen(Effect.sleep(2), pool.resize(1)))
        const exit = yield* Fiber.await(mapper)
        mapEnded = true
        if (itemsRunning > 0) late.push(`${itemsRunning} running`)
        for (const f of [...submitters, grow, shrink] as Array<Fiber.Fiber<unknown, unknown>>) yield* Fiber.await(f)
        yield* pool.awaitIdle
        if (Exit.isSuccess(exit)) assert.deepStrictEqual(exit.value, items.map((i) => `item ${i}`))
        for (const [name, count] of runs) assert.strictEqual(count, 1, name)
        assert.isAtMost(most, 3)
        assert.deepStrictEqual(late, [])
        assert.deepStrictEqual([running, yield* pool.running, yield* pool.pending], [0, 0, 0])
      })),
      { schedules: 300, interrupts: true }
    ))
})
