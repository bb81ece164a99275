/**
 * Review 26b PINS (passing) under the schedule explorer (memory and SQLite stores): a definition's
 * concurrency with cancels interrupted at any step; debounced adds racing a cancel of the window's
 * task.
 */
import { assert, describe, it } from "@effect/vitest"
import { Interleavings } from "@fiberkit/testkit"
import { Effect, Exit, Fiber, Schema, type Scope } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import type * as TaskStore from "../src/TaskStore.js"
import { collect, explore, localStores } from "./fixtures/explore.js"

/** A definition "limited" (concurrency 1) whose runs `counter` counts from their first step to their last. */
const counted = (counter: { inside: number; most: number }) =>
  TaskManager.define("limited", {
    args: Schema.Number,
    concurrency: 1,
    run: () =>
      Effect.suspend(() => {
        // an attempt interrupted before it began counts nothing
        let inside = false
        const leave = Effect.sync(() => {
          if (inside) counter.inside--
          inside = false
        })
        return Effect.gen(function*() {
          inside = true
          counter.inside++
          counter.most = Math.max(counter.most, counter.inside)
          yield* Effect.yieldNow
          yield* Effect.yieldNow
          yield* leave
        }).pipe(Effect.onInterrupt(() => leave))
      })
  })

/** At most one `limited` task at once, whatever cancels (interrupted at any step) do; each task ends once; join ends. */
const limitWithCancels = (store: Effect.Effect<TaskStore.TaskStore, never, Scope.Scope>) =>
  Effect.gen(function*() {
    const counter = { inside: 0, most: 0 }
    const limited = counted(counter)
    const other = TaskManager.define("other", { args: Schema.Number, run: () => Effect.yieldNow })
    const manager = yield* TaskManager.make({ tasks: [limited, other], concurrency: 3, store: yield* store }).pipe(
      Effect.orDie
    )
    const { done, outcomes } = yield* collect(manager)
    const ids = yield* Effect.orDie(manager.addAll(limited, [1, 2, 3]))
    yield* Effect.orDie(manager.add(other, 1, { priority: -1 }))
    const first = yield* Interleavings.fork(manager.cancel(ids[0]!))
    const second = yield* Interleavings.fork(manager.cancel(ids[1]!))
    yield* Fiber.await(first)
    yield* Fiber.await(second)
    yield* Effect.orDie(manager.join)
    yield* manager.shutdown({ drain: true })
    yield* done
    assert.isAtMost(counter.most, 1, "at most `concurrency` of the definition at once")
    assert.strictEqual(outcomes.length, 4, `outcomes: ${outcomes.map((o) => `${o.id} ${o.state}`).join(", ")}`)
  })

/**
 * A shutdown without drain racing the workers of a limited definition (not itself interrupted):
 * at most one of its tasks at once in the stopping manager, none still running once `shutdown`
 * returned ("running tasks are interrupted and go back to the queue"), and a new manager on the
 * store runs each task left to success.
 */
const limitWithShutdown = (store: Effect.Effect<TaskStore.TaskStore, never, Scope.Scope>) =>
  Effect.gen(function*() {
    const counters = [{ inside: 0, most: 0 }, { inside: 0, most: 0 }]
    const shared = yield* store
    const first = counted(counters[0]!)
    const manager = yield* TaskManager.make({ tasks: [first], concurrency: 2, store: shared }).pipe(Effect.orDie)
    yield* Effect.orDie(manager.addAll(first, [1, 2, 3]))
    const stop = yield* Effect.forkChild(Effect.andThen(Effect.yieldNow, manager.shutdown()))
    yield* Fiber.await(stop)
    const stillRunning = counters[0]!.inside
    const second = counted(counters[1]!)
    const next = yield* TaskManager.make({ tasks: [second], concurrency: 2, store: shared }).pipe(Effect.orDie)
    yield* Effect.orDie(next.join)
    const records = yield* Effect.orDie(next.list())
    const seen = { most: counters.map((c) => c.most), stillRunning, states: records.map((r) => r.state) }
    assert.deepStrictEqual(
      seen,
      {
        most: counters.map((c) => Math.min(c.most, 1)),
        stillRunning: 0,
        states: ["succeeded", "succeeded", "succeeded"]
      },
      JSON.stringify(seen)
    )
  })

/** Two debounced adds of one key racing a cancel of the window's task (any step interrupted): each task ends once, join ends. */
const debounceWithCancel = (store: Effect.Effect<TaskStore.TaskStore, never, Scope.Scope>) =>
  Effect.gen(function*() {
    const job = TaskManager.define("job", { args: Schema.Number, run: () => Effect.void })
    const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store: yield* store }).pipe(Effect.orDie)
    const { done, outcomes } = yield* collect(manager)
    const dedupe = { key: "k", ttl: 20, mode: "debounce" } as const
    const id = yield* Effect.orDie(manager.add(job, 1, { dedupe }))
    const again = yield* Interleavings.fork(manager.add(job, 2, { dedupe }))
    const cancel = yield* Interleavings.fork(manager.cancel(id))
    const later = yield* Interleavings.fork(Effect.andThen(Effect.sleep(5), manager.add(job, 3, { dedupe })))
    const added = [yield* Fiber.await(again), yield* Fiber.await(later)]
    yield* Fiber.await(cancel)
    yield* Effect.orDie(manager.join)
    yield* manager.shutdown({ drain: true })
    yield* done
    const ids = new Set([
      id,
      ...added.flatMap((a) => Exit.isSuccess(a) ? [a.value] : [])
    ])
    const records = yield* Effect.orDie(manager.list())
    assert.deepStrictEqual(
      outcomes.map((o) => o.id).sort(),
      records.map((r) => r.id).sort(),
      "every task added ends once, on results"
    )
    for (const answered of ids) assert.include(records.map((r) => r.id), answered)
  })

describe("review 26b: Interleavings — pins (passing)", () => {
  for (const [name, store] of localStores) {
    it.effect(
      `${name} store: a definition at its limit, two cancels interrupted at any step`,
      () =>
        explore(store, limitWithCancels(store), {
          schedules: name === "memory" ? 300 : 60,
          seed: 7,
          interrupts: true,
          idleTurns: 200
        }),
      120_000
    )
    it.effect(
      `${name} store: a definition at its limit, a shutdown without drain racing its workers`,
      () =>
        explore(store, limitWithShutdown(store), { schedules: name === "memory" ? 300 : 60, seed: 7, idleTurns: 200 }),
      120_000
    )
    it.effect(
      `${name} store: debounced adds racing a cancel of the window's task`,
      () =>
        explore(store, debounceWithCancel(store), {
          schedules: name === "memory" ? 300 : 60,
          seed: 7,
          interrupts: true,
          idleTurns: 200
        }),
      120_000
    )
  }
})
