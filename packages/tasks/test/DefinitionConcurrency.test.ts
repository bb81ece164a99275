/**
 * A definition's `concurrency` on the local store, on the TestClock: a property over random
 * mixes of limited and free tasks, manager sizes, priorities and cancels — never more than a
 * definition's limit inside, every task not cancelled runs exactly once, nothing waits for ever
 * (a free worker never stands idle while a task it may take is queued).
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen, TestTime } from "@fiberkit/testkit"
import { Effect, Schema } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import * as TaskStore from "../src/TaskStore.js"

describe("a definition's concurrency (local store)", () => {
  it.effect.prop(
    "never more than the limit inside; every task not cancelled runs once; join ends",
    [
      Gen.integer({ min: 1, max: 5 }),
      Gen.integer({ min: 1, max: 3 }),
      Gen.array(
        Gen.tuple(
          Gen.constantFrom("a", "b", "free"),
          Gen.integer({ min: 1, max: 20 }),
          Gen.integer({ min: -1, max: 1 }),
          Gen.boolean
        ),
        { minLength: 1, maxLength: 25 }
      )
    ],
    ([workers, limit, tasks]) =>
      Effect.scoped(Effect.gen(function*() {
        const inside = new Map<string, number>()
        const most = new Map<string, number>()
        const runs = new Map<number, number>()
        const define = (name: string, concurrency: number | undefined) =>
          TaskManager.define(name, {
            args: Schema.Struct({ i: Schema.Number, ms: Schema.Number }),
            concurrency,
            run: ({ i, ms }) =>
              Effect.gen(function*() {
                inside.set(name, (inside.get(name) ?? 0) + 1)
                most.set(name, Math.max(most.get(name) ?? 0, inside.get(name)!))
                runs.set(i, (runs.get(i) ?? 0) + 1)
                yield* Effect.sleep(ms)
                inside.set(name, inside.get(name)! - 1)
              })
          })
        const definitions = { a: define("a", limit), b: define("b", limit + 1), free: define("free", undefined) }
        const manager = yield* TaskManager.make({
          tasks: [definitions.a, definitions.b, definitions.free],
          concurrency: workers,
          store: yield* TaskStore.memory
        })
        const ids: Array<string> = []
        for (const [i, [name, ms, priority]] of tasks.entries()) {
          ids.push(yield* manager.add(definitions[name], { i, ms }, { priority }))
        }
        const cancelled = new Set<number>()
        for (const [i, [, , , cancel]] of tasks.entries()) {
          if (cancel && (yield* manager.cancel(ids[i]!))) cancelled.add(i)
        }
        yield* TestTime.run(manager.join)
        assert.isAtMost(most.get("a") ?? 0, limit)
        assert.isAtMost(most.get("b") ?? 0, limit + 1)
        for (const i of tasks.keys()) {
          assert.strictEqual(runs.get(i) ?? 0, cancelled.has(i) ? (runs.get(i) ?? 0) : 1, `task ${i}`)
          if (!cancelled.has(i)) assert.strictEqual((yield* manager.status(ids[i]!)).state, "succeeded")
        }
      })),
    { arbitrary: { runs: 60 } }
  )
})
