/**
 * README, When the store fails: "`release` (a shutdown without drain): the task stays running in
 * the store; a durable store queues it again at the next start — it cannot tell this from a
 * crash, so that counts as one of the task's `maxRecoveries`".
 *
 * The review found the README promising that such a task was never counted as a crash (with
 * `maxRecoveries: 0` it failed): the store cannot tell, and the README now says so; the
 * recovery's text said "0.0" (the bound number concatenated as a real).
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Layer, Option, Schedule, Schema } from "effect"
import * as SqliteStore from "../src/SqliteStore.js"
import * as TaskManager from "../src/TaskManager.js"
import * as TaskStore from "../src/TaskStore.js"
import { faulty } from "./fixtures/faultyStore.js"
import { tempFile } from "./fixtures/tempFile.js"

/**
 * A file with one task that was stopped by a shutdown whose release the store refused (it stays
 * running on disk); `runs` counts the task's runs: the first one waits for ever.
 */
const stoppedUnreleased = (maxRecoveries?: number) =>
  Effect.gen(function*() {
    const file = yield* tempFile
    const counter = { runs: 0 }
    const started = yield* Deferred.make<void>()
    const job = TaskManager.define("job", {
      args: Schema.Void,
      run: () =>
        Effect.suspend(() =>
          ++counter.runs === 1 ? Effect.andThen(Deferred.succeed(started, undefined), Effect.never) : Effect.void
        )
    })
    const sqlite = (max = maxRecoveries) =>
      Layer.fresh(SqliteStore.layer(max === undefined ? { filename: file } : { filename: file, maxRecoveries: max }))
    const id = yield* Effect.scoped(Effect.gen(function*() {
      const { store } = faulty(yield* TaskStore.TaskStore, { release: Infinity })
      const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store, storeRetry: Schedule.recurs(1) })
      const id = yield* manager.add(job, undefined)
      yield* Deferred.await(started)
      yield* manager.shutdown({ drain: false })
      return id
    })).pipe(Effect.provide(sqlite()))
    return { id, job, counter, sqlite }
  })

describe("SQLite, a task stopped by a shutdown", () => {
  it.live("whose release failed is queued again at the next start, as one of its maxRecoveries", () =>
    Effect.scoped(Effect.gen(function*() {
      const { id, sqlite } = yield* stoppedUnreleased(0)
      // next start, with maxRecoveries 0: it counts as a crash, and the error says so
      const failed = yield* Effect.flatMap(
        TaskStore.TaskStore,
        (store) => Effect.andThen(store.recover, store.get(id))
      ).pipe(Effect.provide(sqlite()), Effect.map(Option.getOrThrow))
      assert.strictEqual(failed.state, "failed")
      assert.include(failed.error, "1 times: not run again (maxRecoveries: 0)")
    })))

  it.live("whose release failed runs again at the next start under the default maxRecoveries", () =>
    Effect.scoped(Effect.gen(function*() {
      const { counter, id, job, sqlite } = yield* stoppedUnreleased()
      const status = yield* Effect.scoped(Effect.gen(function*() {
        const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1 })
        yield* manager.join
        return yield* manager.status(id)
      })).pipe(Effect.provide(sqlite()))
      assert.deepStrictEqual([status.state, counter.runs], ["succeeded", 2], `${status.state}: ${status.error}`)
    })))
})
