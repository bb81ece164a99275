/**
 * Deduplication windows on the local stores, on the TestClock: a debounced task starts exactly
 * `ttl` after the last add of its burst (not a millisecond before), on memory and on SQLite; and a
 * property over random adds of a few keys at random times, both modes: each window of the model
 * yields exactly one task, every add answers its window's task, every task ends once on
 * `results`, a throttled task starts at its add and a debounced one at its window's end.
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen } from "@fiberkit/testkit"
import { Clock, Context, Effect, Fiber, Layer, Schema, type Scope, Stream } from "effect"
import { TestClock } from "effect/testing"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as SqliteStore from "../src/SqliteStore.js"
import * as TaskManager from "../src/TaskManager.js"
import * as TaskStore from "../src/TaskStore.js"

/** A task that notes when it started, by its argument. */
const noting = (started: Map<string, number>) =>
  TaskManager.define("note", {
    args: Schema.String,
    run: (label) => Effect.flatMap(Clock.currentTimeMillis, (at) => Effect.sync(() => void started.set(label, at)))
  })

const sqliteStore = Effect.gen(function*() {
  const dir = yield* Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "fiberkit-dedupe-"))),
    (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  )
  const context = yield* Layer.build(SqliteStore.layer({ filename: path.join(dir, "tasks.db"), synchronous: "normal" }))
  return Context.get(context, TaskStore.TaskStore)
})

const stores: ReadonlyArray<readonly [string, Effect.Effect<TaskStore.TaskStore, unknown, Scope.Scope>]> = [
  ["memory", TaskStore.memory],
  ["SQLite", sqliteStore]
]

describe("deduplication on the TestClock", () => {
  for (const [name, make] of stores) {
    it.effect(`${name}: a debounced task starts exactly ttl after the last add of its burst`, () =>
      Effect.gen(function*() {
        const store = yield* Effect.orDie(make)
        const started = new Map<string, number>()
        const note = noting(started)
        const manager = yield* TaskManager.make({ tasks: [note], concurrency: 1, store })
        const dedupe = { key: "k", ttl: "1 second", mode: "debounce" } as const
        const id = yield* manager.add(note, "a", { dedupe })
        assert.strictEqual((yield* manager.status(id)).runAt, 1_000)
        yield* TestClock.adjust("600 millis")
        assert.strictEqual(yield* manager.add(note, "b", { dedupe }), id)
        assert.strictEqual((yield* manager.status(id)).runAt, 1_600)
        yield* TestClock.adjust("999 millis")
        assert.strictEqual((yield* manager.status(id)).state, "queued")
        yield* TestClock.adjust("1 millis")
        yield* manager.join
        const record = yield* manager.status(id)
        assert.strictEqual(record.state, "succeeded")
        assert.strictEqual(record.startedAt, 1_600)
        assert.strictEqual(started.size, 1)
        // at the window's end exactly, a new window
        assert.notStrictEqual(yield* manager.add(note, "c", { dedupe }), id)
      }))
  }

  it.effect.prop(
    "each window yields one task, every add answers it, every task ends once, at its time",
    [
      Gen.array(
        Gen.tuple(Gen.integer({ min: 0, max: 2 }), Gen.boolean, Gen.integer({ min: 0, max: 400 })),
        { minLength: 1, maxLength: 25 }
      )
    ],
    ([adds]) =>
      Effect.gen(function*() {
        const ttl = 300
        const store = yield* TaskStore.memory
        const note = noting(new Map())
        const manager = yield* TaskManager.make({ tasks: [note], concurrency: 4, store })
        const results = yield* manager.subscribe
        const collected = yield* Effect.forkChild(Stream.runCollect(results))
        // the model: each key's window, its task numbered in order of opening
        const windows = new Map<string, { readonly task: number; until: number }>()
        const expected: Array<number> = []
        const startAt: Array<number> = []
        const ids: Array<string> = []
        for (const [key, debounce, gap] of adds) {
          yield* TestClock.adjust(gap)
          const now = yield* Clock.currentTimeMillis
          const mode = debounce ? "debounce" as const : "throttle" as const
          const name = `${mode}:${key}`
          const open = windows.get(name)
          if (open !== undefined && now < open.until) {
            expected.push(open.task)
            if (debounce) {
              open.until = now + ttl
              startAt[open.task] = open.until
            }
          } else {
            const task = startAt.length
            windows.set(name, { task, until: now + ttl })
            startAt.push(debounce ? now + ttl : now)
            expected.push(task)
          }
          ids.push(yield* manager.add(note, `${key}`, { dedupe: { key: `${key}`, ttl, mode } }))
        }
        yield* TestClock.adjust(ttl)
        yield* manager.join
        // one id per model task, the same for each add of its window
        const idOf = new Map<number, string>()
        for (const [i, task] of expected.entries()) {
          if (!idOf.has(task)) idOf.set(task, ids[i]!)
          assert.strictEqual(ids[i], idOf.get(task), `add ${i}`)
        }
        assert.strictEqual(new Set(ids).size, startAt.length)
        for (const [task, id] of idOf) {
          const record = yield* manager.status(id)
          assert.strictEqual(record.state, "succeeded")
          assert.strictEqual(record.startedAt, startAt[task], `task ${task}`)
        }
        yield* manager.shutdown({ drain: true })
        const outcomes = [...yield* Fiber.join(collected)]
        assert.deepStrictEqual(outcomes.map((r) => r.id).sort(), [...idOf.values()].sort())
      }),
    { arbitrary: { runs: 60 } }
  )
})

describe("deduplication on SQLite across a restart", () => {
  it.effect("the windows and a debounced task's moved time are on disk: a new store on the file keeps them", () =>
    Effect.gen(function*() {
      const dir = yield* Effect.acquireRelease(
        Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "fiberkit-dedupe-"))),
        (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
      )
      const layer = SqliteStore.layer({ filename: path.join(dir, "tasks.db") })
      const note = noting(new Map())
      const throttle = { key: "t", ttl: "1 minute" } as const
      const debounce = { key: "d", ttl: "1 minute", mode: "debounce" } as const
      const [throttled, debounced] = yield* Effect.scoped(Effect.gen(function*() {
        // a producer: its tasks stay queued for the next start
        const manager = yield* TaskManager.make({ tasks: [note], concurrency: 1 })
        const throttled = yield* manager.add(note, "a", { dedupe: throttle, delay: "1 hour" })
        const debounced = yield* manager.add(note, "b", { dedupe: debounce })
        yield* TestClock.adjust("10 seconds")
        assert.strictEqual(yield* manager.add(note, "c", { dedupe: debounce }), debounced)
        return [throttled, debounced] as const
      })).pipe(Effect.provide(layer))
      yield* Effect.scoped(Effect.gen(function*() {
        const manager = yield* TaskManager.make({ tasks: [note], concurrency: 1 })
        assert.strictEqual((yield* manager.status(debounced)).runAt, 70_000)
        assert.strictEqual(yield* manager.add(note, "d", { dedupe: throttle }), throttled)
        yield* TestClock.adjust("10 seconds")
        assert.strictEqual(yield* manager.add(note, "e", { dedupe: debounce }), debounced)
        assert.strictEqual((yield* manager.status(debounced)).runAt, 80_000)
        assert.strictEqual((yield* manager.list()).length, 2)
      })).pipe(Effect.provide(layer))
    }))
})
