// A TaskManager worker goes from one task to the next without a yield (internal/manager.ts): the
// event loop must still get its turn — a timer set by the first task fires long before the queue
// is empty, for tasks that never suspend and for tasks that only await a resolved promise (which
// restarts the fiber's op budget each time). From an independent review; it held.
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import * as TaskStore from "../src/TaskStore.js"

const TOTAL = 20_000
let ran = 0
let firedAt = -1
let armed = false

// the first task to run sets a 0 ms timer, which records how many tasks had run when it fired
const arm = () => {
  if (armed) return
  armed = true
  setTimeout(() => {
    firedAt = ran
  }, 0)
}

const onMicrotask = TaskManager.define("micro", {
  args: Schema.Number,
  run: () => Effect.andThen(Effect.promise(() => Promise.resolve()), Effect.sync(() => void (arm(), ran++)))
})

const synchronous = TaskManager.define("sync", {
  args: Schema.Number,
  run: () => Effect.sync(() => void (arm(), ran++))
})

const firedAfter = (task: typeof onMicrotask | typeof synchronous) =>
  Effect.scoped(
    Effect.gen(function*() {
      ran = 0
      firedAt = -1
      armed = false
      const manager = yield* TaskManager.make({ tasks: [task], concurrency: 1 })
      yield* manager.addAll(task, Array.from({ length: TOTAL }, (_, i) => i))
      yield* manager.join
      return firedAt
    }).pipe(Effect.provide(TaskStore.layerMemory))
  )

describe("a TaskManager worker that does not yield between tasks", () => {
  it.live("lets a timer fire long before its queue is empty", () =>
    Effect.gen(function*() {
      const sync = yield* firedAfter(synchronous)
      const micro = yield* firedAfter(onMicrotask)
      assert.isAtLeast(sync, 0)
      assert.isBelow(sync, TOTAL / 2)
      assert.isAtLeast(micro, 0)
      assert.isBelow(micro, TOTAL / 2)
    }), 120_000)
})
