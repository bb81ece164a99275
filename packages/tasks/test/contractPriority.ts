/**
 * The TaskManager contract for priorities (issue 25): on every store, one worker takes the
 * highest priority first and equal priorities in the order they were added; a task put back by
 * a shutdown goes before the tasks of its priority; a priority out of the one range every store
 * holds is refused with `InvalidOptions` and adds nothing. Each case holds the only worker on a
 * first task until every other task is queued, so that the order is the store's alone.
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen } from "@fiberkit/testkit"
import { Deferred, Effect, Schedule, Schema, type Scope } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import type * as TaskStore from "../src/TaskStore.js"

/** Waits until `check` holds, re-checking every few milliseconds. */
const eventually = (check: () => boolean) =>
  Effect.repeat(Effect.sync(check), { until: (ok) => ok, schedule: Schedule.spaced("2 millis") })

/** Fails the test, instead of hanging it, if `effect` has not ended within 10 s. */
const within = <A, E, R>(label: string, effect: Effect.Effect<A, E, R>) =>
  Effect.timeoutOrElse(effect, { duration: "10 seconds", orElse: () => Effect.fail(new Error(`${label} hung`)) })

/** The labels in the order a store must run them: by priority, highest first, ties in adding order. */
export const expectedOrder = (tasks: ReadonlyArray<readonly [label: string, priority: number]>): Array<string> =>
  tasks.map((task, i) => ({ task, i }))
    .sort((a, b) => b.task[1] - a.task[1] || a.i - b.i)
    .map(({ task }) => task[0])

/**
 * A manager of one worker on `store` whose first task (`"first"`) holds the worker until every
 * one of `tasks` is added; then it runs them all. The labels in the order they started, and the
 * ids of `tasks`.
 */
const runInOrder = (
  store: TaskStore.TaskStore,
  tasks: ReadonlyArray<readonly [label: string, priority: number]>
) =>
  Effect.gen(function*() {
    const started: Array<string> = []
    const gate = yield* Deferred.make<void>()
    const job = TaskManager.define("job", {
      args: Schema.String,
      run: (label) =>
        Effect.andThen(Effect.sync(() => started.push(label)), label === "first" ? Deferred.await(gate) : Effect.void)
    })
    const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
    yield* manager.add(job, "first")
    yield* eventually(() => started.length === 1)
    const ids = yield* Effect.forEach(tasks, ([label, priority]) => manager.add(job, label, { priority }))
    yield* Deferred.succeed(gate, undefined)
    yield* within("join", manager.join)
    return { started, ids, manager }
  })

export const contractPriority = (
  name: string,
  store: Effect.Effect<TaskStore.TaskStore, unknown, Scope.Scope>,
  options: { readonly propertyRuns: number }
) =>
  describe(`TaskManager contract, priorities: ${name}`, () => {
    const withStore = <A, E>(body: (store: TaskStore.TaskStore) => Effect.Effect<A, E, Scope.Scope>) =>
      Effect.scoped(Effect.flatMap(Effect.orDie(store), body))

    it.live("one worker takes the highest priority first, equal priorities in the order they were added", () =>
      withStore((store) =>
        Effect.gen(function*() {
          const tasks = [
            ["a", 0],
            ["b", 5],
            ["c", -3],
            ["d", 5],
            ["e", 0],
            ["f", 10],
            ["g", -3],
            ["h", 1_000_000],
            ["i", -1_000_000],
            ["j", 0]
          ] as const
          const { ids, manager, started } = yield* runInOrder(store, tasks)
          assert.deepStrictEqual(started, ["first", "h", "f", "b", "d", "a", "e", "j", "c", "g", "i"])
          // the record says it: status, on every store
          const recorded = yield* Effect.forEach(ids, (id) => Effect.map(manager.status(id), (r) => r.priority))
          assert.deepStrictEqual(recorded, tasks.map(([, priority]) => priority))
        })
      ))

    it.live("without priorities, tasks are taken in the order they were added, with priority 0", () =>
      withStore((store) =>
        Effect.gen(function*() {
          const tasks = ["a", "b", "c", "d"].map((label) => [label, 0] as const)
          const { ids, manager, started } = yield* runInOrder(store, tasks)
          assert.deepStrictEqual(started, ["first", "a", "b", "c", "d"])
          assert.strictEqual((yield* manager.status(ids[0]!)).priority, 0)
        })
      ))

    it.live("a task put back by a shutdown is taken before the tasks of its priority, after higher ones", () =>
      withStore((store) =>
        Effect.gen(function*() {
          const started: Array<string> = []
          const job = TaskManager.define("job", {
            args: Schema.String,
            // the first task to start ("a") holds the first manager's worker until the shutdown
            run: (label) =>
              Effect.flatMap(Effect.sync(() => started.push(label)), (n) => n === 1 ? Effect.never : Effect.void)
          })
          yield* Effect.scoped(Effect.gen(function*() {
            const first = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
            yield* first.add(job, "a")
            yield* eventually(() => started.length === 1)
            yield* first.add(job, "b")
            yield* first.add(job, "c", { priority: 1 })
            yield* first.add(job, "d", { priority: -1 })
            yield* first.shutdown({ drain: false })
          }))
          const second = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
          yield* within("join", second.join)
          assert.deepStrictEqual(started, ["a", "c", "a", "b", "d"])
        })
      ))

    it.live("a priority that is not an integer from -1,000,000 to 1,000,000 fails InvalidOptions, and adds nothing", () =>
      withStore((store) =>
        Effect.gen(function*() {
          const job = TaskManager.define("job", { args: Schema.Number, run: () => Effect.void })
          const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
          const bad: ReadonlyArray<unknown> = [1.5, NaN, Infinity, -Infinity, 1_000_001, -1_000_001, 2 ** 53, "1", null]
          for (const [i, priority] of bad.entries()) {
            const error = yield* Effect.flip(manager.add(job, i, { id: `bad-${i}`, priority: priority as number }))
            assert.strictEqual(error._tag, "InvalidOptions", String(priority))
            if (error._tag !== "InvalidOptions") continue
            assert.strictEqual(error.field, "priority")
            assert.strictEqual(error.operation, "TaskManager.add")
            assert.strictEqual(error.message.includes("an integer from -1,000,000 to 1,000,000"), true, error.message)
            assert.strictEqual((yield* Effect.flip(manager.status(`bad-${i}`)))._tag, "TaskNotFound")
          }
          // the bounds themselves are valid
          yield* manager.add(job, 1, { priority: 1_000_000 })
          yield* manager.add(job, 2, { priority: -1_000_000 })
          yield* within("join", manager.join)
        })
      ))

    it.live.prop(
      "one worker runs any set of tasks in a stable sort by priority, highest first",
      [
        Gen.array(
          Gen.oneof(
            { arbitrary: Gen.integer({ min: -3, max: 3 }), weight: 8 },
            Gen.constantFrom(-1_000_000, 1_000_000)
          ),
          { maxLength: 12 }
        )
      ],
      ([priorities]) =>
        withStore((store) =>
          Effect.gen(function*() {
            const tasks = priorities.map((priority, i) => [`t${i}`, priority] as const)
            const { started } = yield* runInOrder(store, tasks)
            assert.deepStrictEqual(started, ["first", ...expectedOrder(tasks)])
          })
        ),
      { arbitrary: { runs: options.propertyRuns } }
    )
  })
