/**
 * Review 26b PINS (passing) under the schedule explorer (memory and SQLite stores): a definition's
 * concurrency with cancels interrupted at any step; debounced adds racing a cancel of the window's
 * task.
 */
import { assert, describe, it } from "@effect/vitest"
import { Interleavings } from "@fiberkit/testkit"
import { Effect, Exit, Fiber, Schema, type Scope, Stream } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import type { TaskResult } from "../src/TaskResult.js"
import * as TaskStore from "../src/TaskStore.js"
import { sqliteStore } from "./zz-review-b-scenarios.js"

const stores = [["memory", TaskStore.memory], ["SQLite", Effect.orDie(sqliteStore)]] as const

const explore = (
  store: Effect.Effect<TaskStore.TaskStore, never, Scope.Scope>,
  scenario: Effect.Effect<void, unknown, Scope.Scope>,
  options: Interleavings.Interleavings.Options
) => Effect.andThen(Effect.scoped(Effect.flatMap(store, (s) => s.list())), Interleavings.explore(scenario, options))

const collect = <T extends TaskManager.TaskDefinition.Any>(manager: TaskManager.TaskManager<T>) =>
  Effect.gen(function*() {
    const outcomes: Array<TaskResult> = []
    const results = yield* manager.subscribe
    const fiber = yield* Effect.forkChild(Stream.runForEach(results, (r) => Effect.sync(() => void outcomes.push(r))))
    return { outcomes, done: Effect.asVoid(Fiber.await(fiber)) }
  })

/** At most one `limited` task at once, whatever cancels (interrupted at any step) do; each task ends once; join ends. */
const limitWithCancels = (store: Effect.Effect<TaskStore.TaskStore, never, Scope.Scope>) =>
  Effect.gen(function*() {
    let inside = 0
    let most = 0
    const limited = TaskManager.define("limited", {
      args: Schema.Number,
      concurrency: 1,
      run: () =>
        Effect.gen(function*() {
          inside++
          most = Math.max(most, inside)
          yield* Effect.yieldNow
          yield* Effect.yieldNow
          inside--
        }).pipe(Effect.onInterrupt(() => Effect.sync(() => void inside--)))
    })
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
    assert.isAtMost(most, 1, "at most `concurrency` of the definition at once")
    assert.strictEqual(outcomes.length, 4, `outcomes: ${outcomes.map((o) => `${o.id} ${o.state}`).join(", ")}`)
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
  for (const [name, store] of stores) {
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
