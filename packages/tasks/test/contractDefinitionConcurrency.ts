/**
 * The TaskManager contract for a definition's `concurrency` (issue 26): at most that many of its
 * tasks run at once in a manager, the tasks of other definitions run meanwhile (never stuck behind
 * them), each runs once and its attempts count only its runs; out of range fails `InvalidOptions`.
 * Every store.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Schema } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import { eventually, type StoreFactory, within, withStore } from "./contractKit.js"

export const contractDefinitionConcurrency = (name: string, store: StoreFactory) =>
  describe(`TaskManager contract, a definition's concurrency: ${name}`, () => {
    it.live("at most `concurrency` of a definition run at once; other definitions pass them", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          const gate = yield* Deferred.make<void>()
          let inside = 0
          let most = 0
          const ran: Array<string> = []
          const limited = TaskManager.define("limited", {
            args: Schema.Number,
            concurrency: 2,
            run: (n) =>
              Effect.gen(function*() {
                inside++
                most = Math.max(most, inside)
                ran.push(`limited ${n}`)
                yield* Deferred.await(gate)
                yield* Effect.sleep("5 millis")
                inside--
              })
          })
          const free = TaskManager.define("free", {
            args: Schema.Number,
            run: (n) => Effect.sync(() => ran.push(`free ${n}`))
          })
          const manager = yield* TaskManager.make({ tasks: [limited, free], concurrency: 4, store })
          const ids = yield* manager.addAll(limited, [1, 2, 3, 4, 5, 6])
          yield* manager.addAll(free, [1, 2, 3])
          // the free tasks, added after six limited ones, run while two limited ones hold their places
          yield* eventually(
            "the free tasks ran",
            Effect.sync(() => ran.filter((r) => r.startsWith("free")).length === 3)
          )
          assert.strictEqual(inside, 2)
          assert.strictEqual(ran.filter((r) => r.startsWith("limited")).length, 2)
          yield* Deferred.succeed(gate, undefined)
          yield* within("join", manager.join)
          assert.strictEqual(most, 2)
          assert.strictEqual(ran.filter((r) => r.startsWith("limited")).length, 6)
          for (const id of ids) {
            const record = yield* manager.status(id)
            assert.strictEqual(record.state, "succeeded")
            assert.strictEqual(record.attempts, 1, `${id}: only its run counts as an attempt`)
          }
        })))

    it.live("a concurrency that is not an integer ≥ 1 fails InvalidOptions", () =>
      withStore(store, (store) =>
        Effect.gen(function*() {
          for (const concurrency of [0, -1, 1.5, Number.NaN]) {
            const task = TaskManager.define("bad", { args: Schema.Number, run: () => Effect.void, concurrency })
            const error = yield* Effect.flip(TaskManager.make({ tasks: [task], concurrency: 1, store }))
            assert.strictEqual(error._tag, "InvalidOptions")
            if (error._tag === "InvalidOptions") assert.strictEqual(error.field, `tasks["bad"].concurrency`)
          }
        })))
  })
