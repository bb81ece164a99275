/**
 * The SQLite store when the database refuses a write. Faults are real SQLite errors: a trigger,
 * created from a second connection to the same file, aborts the statements it matches
 * (`RAISE(ABORT)`), as a constraint would.
 */
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Layer, Option, Result } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as SqliteStore from "../src/SqliteStore.js"
import * as TaskStore from "../src/TaskStore.js"
import { connect } from "./fixtures/sqlite.js"

/** A store on a fresh file, and a second connection to that file, both open until the test ends. */
const setUp = Effect.gen(function*() {
  const dir = yield* Effect.acquireRelease(
    Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "fiberkit-sqlite-faults-"))),
    (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
  )
  const filename = path.join(dir, "tasks.db")
  const store = Context.get(
    yield* Layer.build(SqliteStore.layer({ filename, synchronous: "normal" })),
    TaskStore.TaskStore
  )
  const sql = yield* connect(filename)
  /** Until the scope closes, every statement on the tasks table that `when` matches fails. */
  const refuse = (event: "INSERT" | "UPDATE", when: string) =>
    Effect.acquireRelease(
      sql.exec(
        `CREATE TRIGGER refuse BEFORE ${event} ON fiberkit_tasks WHEN ${when}
         BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`
      ),
      () => sql.exec("DROP TRIGGER refuse")
    )
  /** The task as the file holds it. */
  const onDisk = (id: string) =>
    Effect.map(
      sql.all<{ readonly state: string; readonly attempts: number; readonly failures: number }>(
        `SELECT state, attempts, failures FROM fiberkit_tasks WHERE id = ?`,
        id
      ),
      (rows) => rows[0] ?? { state: "none", attempts: -1, failures: -1 }
    )
  /** The task as the store's memory holds it. */
  const inMemory = (id: string) =>
    Effect.map(
      store.get(id),
      Option.match({
        onNone: () => ({ state: "none", attempts: -1, failures: -1 }),
        onSome: (record) => ({ state: record.state as string, attempts: record.attempts, failures: record.failures })
      })
    )
  const add = (...ids: ReadonlyArray<string>) => store.add(ids.map((id) => ({ id, name: id, args: null, addedAt: 0 })))
  return { store, refuse, onDisk, inMemory, add }
})

describe("SqliteStore: a write the database refuses", () => {
  it.effect("changes nothing in memory either: take, attempt, finish, cancel and release leave memory as the disk is", () =>
    Effect.gen(function*() {
      const { add, inMemory, onDisk, refuse, store } = yield* setUp
      const agree = (
        id: string,
        expected: { readonly state: string; readonly attempts: number; readonly failures?: number }
      ) =>
        Effect.gen(function*() {
          const full = { failures: 0, ...expected }
          assert.deepStrictEqual(yield* onDisk(id), full, `${id} on disk`)
          assert.deepStrictEqual(yield* inMemory(id), full, `${id} in memory`)
        })
      yield* add("a", "b")

      // take: the task stays queued, and is taken once the database accepts
      const take = yield* Effect.scoped(
        Effect.andThen(refuse("UPDATE", "NEW.state = 'running'"), Effect.flip(store.take))
      )
      assert.strictEqual(take._tag, "TaskStoreError")
      yield* agree("a", { state: "queued", attempts: 0 })
      assert.strictEqual((yield* store.take).id, "a", "the task refused is still first in line")
      yield* agree("a", { state: "running", attempts: 1 })

      // failed
      yield* Effect.scoped(
        Effect.andThen(refuse("UPDATE", "NEW.failures = 1"), Effect.flip(store.failed("a", "boom")))
      )
      yield* agree("a", { state: "running", attempts: 1 })
      yield* store.failed("a", "boom")
      yield* agree("a", { state: "running", attempts: 1, failures: 1 })

      // attempt
      yield* Effect.scoped(
        Effect.andThen(refuse("UPDATE", "NEW.attempts = 2"), Effect.flip(store.attempt("a", 1)))
      )
      yield* agree("a", { state: "running", attempts: 1, failures: 1 })

      // finish
      yield* Effect.scoped(
        Effect.andThen(
          refuse("UPDATE", "NEW.state = 'succeeded'"),
          Effect.flip(store.finish("a", { state: "succeeded", at: 2 }))
        )
      )
      yield* agree("a", { state: "running", attempts: 1, failures: 1 })

      // release
      yield* Effect.scoped(Effect.andThen(refuse("UPDATE", "NEW.state = 'queued'"), Effect.flip(store.release("a"))))
      yield* agree("a", { state: "running", attempts: 1, failures: 1 })

      // cancel: the task stays queued, and can still be taken
      yield* Effect.scoped(
        Effect.andThen(refuse("UPDATE", "NEW.state = 'cancelled'"), Effect.flip(store.cancel("b", 3)))
      )
      yield* agree("b", { state: "queued", attempts: 0 })
      assert.strictEqual((yield* store.take).id, "b")
      yield* agree("b", { state: "running", attempts: 1 })
    }))
})

describe("SqliteStore group commit", () => {
  it.effect("one statement that fails in a batch fails only its own writer; the others are committed", () =>
    Effect.gen(function*() {
      const { add, inMemory, onDisk, refuse, store } = yield* setUp
      yield* add("good", "bad")
      yield* store.take
      yield* store.take
      // both finishes in one synchronous run of fibers: one batch, one transaction
      const [good, bad] = yield* Effect.scoped(Effect.andThen(
        refuse("UPDATE", "NEW.id = 'bad'"),
        Effect.all([
          Effect.result(store.finish("good", { state: "succeeded", at: 1 })),
          Effect.result(store.finish("bad", { state: "succeeded", at: 1 }))
        ], { concurrency: "unbounded" })
      ))
      assert.isTrue(Result.isSuccess(good!), "the good writer's statement is committed")
      assert.isTrue(Result.isFailure(bad!), "the bad writer sees its failure")
      assert.deepStrictEqual(yield* onDisk("good"), { state: "succeeded", attempts: 1, failures: 0 })
      assert.deepStrictEqual(yield* onDisk("bad"), { state: "running", attempts: 1, failures: 0 })
      assert.deepStrictEqual(yield* inMemory("bad"), { state: "running", attempts: 1, failures: 0 })
    }))

  it.effect("the same for inserts: an add that fails in a batch does not take the other adds down with it", () =>
    Effect.gen(function*() {
      const { add, onDisk, refuse } = yield* setUp
      const [good, bad] = yield* Effect.scoped(Effect.andThen(
        refuse("INSERT", "NEW.id = 'bad'"),
        Effect.all([Effect.result(add("good")), Effect.result(add("bad"))], { concurrency: "unbounded" })
      ))
      assert.deepStrictEqual(good, Result.succeed(1))
      assert.isTrue(Result.isFailure(bad!))
      assert.deepStrictEqual(yield* onDisk("good"), { state: "queued", attempts: 0, failures: 0 })
      assert.deepStrictEqual(yield* onDisk("bad"), { state: "none", attempts: -1, failures: -1 })
    }))
})
