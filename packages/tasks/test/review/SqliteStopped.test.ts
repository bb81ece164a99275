/**
 * README, SQLite: "A task stopped by a shutdown is not a crash and does not count."
 * README, When the store fails: "`release` (a shutdown without drain): the task stays running in
 * the store; a durable store queues it again at the next start".
 *
 * A task stopped by a shutdown whose `release` write failed (storeRetry gave up) is counted as
 * a crash at the next start: with `maxRecoveries: 0` it is failed ("left running by a process
 * that ended") instead of queued again and run.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Layer, Schedule, Schema } from "effect"
import * as SqliteStore from "../../src/SqliteStore.js"
import * as TaskManager from "../../src/TaskManager.js"
import * as TaskStore from "../../src/TaskStore.js"
import { faulty } from "../fixtures/faultyStore.js"
import { tempFile } from "./fixtures.js"

describe("review: SQLite, a task stopped by a shutdown", () => {
  it.live("whose release failed is queued again at the next start, whatever maxRecoveries", () =>
    Effect.scoped(Effect.gen(function*() {
      const file = yield* tempFile
      let runs = 0
      const started = yield* Deferred.make<void>()
      const job = TaskManager.define("job", {
        args: Schema.Void,
        run: () =>
          Effect.suspend(() =>
            ++runs === 1 ? Effect.zipRight(Deferred.succeed(started, undefined), Effect.never) : Effect.void
          )
      })
      const sqlite = (maxRecoveries: number) => Layer.fresh(SqliteStore.layer({ filename: file, maxRecoveries }))
      // first run: the task is stopped by a shutdown; the store refuses to release it
      const id = yield* Effect.scoped(Effect.gen(function*() {
        const inner = yield* TaskStore.TaskStore
        const { store } = faulty(inner, { release: Infinity })
        const manager = yield* TaskManager.make({ tasks: [job], workers: 1, store, storeRetry: Schedule.recurs(1) })
        const id = yield* manager.add(job, undefined)
        yield* Deferred.await(started)
        yield* manager.shutdown({ drain: false })
        return id
      })).pipe(Effect.provide(sqlite(0)))
      // next start: the task runs again
      const status = yield* Effect.scoped(Effect.gen(function*() {
        const manager = yield* TaskManager.make({ tasks: [job], workers: 1 })
        yield* manager.join
        return yield* manager.status(id)
      })).pipe(Effect.provide(sqlite(0)))
      assert.deepStrictEqual([status.state, runs], ["succeeded", 2], `${status.state}: ${status.error}`)
    })))
})
