/**
 * Review 26b: scenarios run on every store (memory and SQLite here, BullMQ in test-redis). Each
 * `it` states the promise it checks, quoted from the JSDoc.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Option, Schema } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import { eventually, type StoreFactory, within, withStore } from "./contractKit.js"
import { sqliteStore as fixtureSqliteStore } from "./fixtures/sqliteStore.js"

/** A store on a new SQLite file (see fixtures/sqliteStore.ts). */
export const sqliteStore: StoreFactory = fixtureSqliteStore

/**
 * TaskDefinition `concurrency`: "its other tasks keep their place in the queue while the tasks
 * behind them run". A task of a definition at its limit, added before another task of the same
 * priority, is taken before it once the limit frees a place.
 */
export const reviewLimitPlace = (name: string, store: StoreFactory) =>
  describe(`review 26b, a definition's concurrency keeps its tasks' places: ${name}`, () => {
    it.live(
      "a limited task added before another of its priority is taken first once its definition frees a place",
      () =>
        withStore(store, (store) =>
          Effect.gen(function*() {
            const gateL = yield* Deferred.make<void>()
            const gateO = yield* Deferred.make<void>()
            const started: Array<string> = []
            const limited = TaskManager.define("limited", {
              args: Schema.String,
              concurrency: 1,
              run: (label) =>
                Effect.gen(function*() {
                  started.push(label)
                  if (label === "L1") yield* Deferred.await(gateL)
                })
            })
            const other = TaskManager.define("other", {
              args: Schema.String,
              run: (label) =>
                Effect.gen(function*() {
                  started.push(label)
                  if (label === "O1") yield* Deferred.await(gateO)
                })
            })
            const manager = yield* TaskManager.make({ tasks: [limited, other], concurrency: 2, store })
            yield* manager.add(limited, "L1")
            yield* eventually("L1 started", Effect.sync(() => started.includes("L1")))
            // L2 waits behind its definition's limit, a worker free beside it
            yield* manager.add(limited, "L2")
            yield* Effect.sleep("1200 millis")
            // the free worker takes O1 (held); O2 is added after L2, same priority
            yield* manager.add(other, "O1")
            yield* eventually("O1 started", Effect.sync(() => started.includes("O1")))
            yield* manager.add(other, "O2")
            yield* Effect.sleep("700 millis")
            assert.deepStrictEqual(started, ["L1", "O1"], "both workers hold a task; L2 and O2 wait")
            // L1 ends: its worker takes the first of L2 (added first) and O2
            yield* Deferred.succeed(gateL, undefined)
            yield* eventually("L2 and O2 started", Effect.sync(() => started.includes("L2") && started.includes("O2")))
            yield* Deferred.succeed(gateO, undefined)
            yield* within("join", manager.join)
            assert.deepStrictEqual(started, ["L1", "O1", "L2", "O2"], "L2 was added before O2, at the same priority")
          })),
      20_000
    )
  })

/**
 * Two managers on one store, one with a limit on a definition and one without (a rolling deploy
 * that adds `concurrency`): "The most tasks of this definition that run at once in one manager (one
 * process)" — the limit is per manager, so a queued task the other manager's idle worker may take
 * is not left waiting for the first manager's limit.
 */
export const reviewSharedLimit = (name: string, store: StoreFactory) =>
  describe(`review 26b, two managers on one store, one with a limit: ${name}`, () => {
    it.live(
      "a manager without the limit takes a queued task while the other manager is at its limit",
      () =>
        withStore(store, (store) =>
          Effect.gen(function*() {
            const gate = yield* Deferred.make<void>()
            const started: Array<string> = []
            const run = (label: string) =>
              Effect.gen(function*() {
                started.push(label)
                yield* Deferred.await(gate)
              })
            const limited = TaskManager.define("job", { args: Schema.String, concurrency: 1, run })
            const unlimited = TaskManager.define("job", { args: Schema.String, run })
            const first = yield* TaskManager.make({ tasks: [limited], concurrency: 2, store })
            yield* first.add(limited, "A")
            yield* eventually("A started", Effect.sync(() => started.includes("A")))
            // the first manager is at its limit: B waits in the queue
            yield* first.add(limited, "B")
            yield* Effect.sleep("200 millis")
            assert.deepStrictEqual(started, ["A"])
            // a second manager, with no limit and an idle worker
            const second = yield* TaskManager.make({ tasks: [unlimited], concurrency: 1, store })
            const took = yield* Effect.timeoutOption(
              eventually("B started", Effect.sync(() => started.includes("B"))),
              "3 seconds"
            )
            yield* Deferred.succeed(gate, undefined)
            yield* within("join", first.join)
            yield* within("join", second.join)
            assert.isTrue(took._tag === "Some", `B started only once A ended: ${started.join(", ")}`)
          })),
      20_000
    )
  })

/**
 * TaskRecord: "attempts — Attempts started so far", "startedAt — When the last attempt started";
 * TaskDefinition `concurrency`: "its other tasks keep their place in the queue". A task waiting
 * behind its definition's limit has started no attempt: its record is a queued task's.
 */
export const reviewLimitRecord = (name: string, store: StoreFactory) =>
  describe(`review 26b, a task waiting at its definition's limit: ${name}`, () => {
    it.live(
      "its status is a queued task's: no attempt, no startedAt",
      () =>
        withStore(store, (store) =>
          Effect.gen(function*() {
            const gate = yield* Deferred.make<void>()
            const started: Array<string> = []
            const limited = TaskManager.define("limited", {
              args: Schema.String,
              concurrency: 1,
              run: (label) =>
                Effect.gen(function*() {
                  started.push(label)
                  yield* Deferred.await(gate)
                })
            })
            const manager = yield* TaskManager.make({ tasks: [limited], concurrency: 2, store })
            yield* manager.add(limited, "first")
            yield* eventually("first started", Effect.sync(() => started.includes("first")))
            const waiting = yield* manager.add(limited, "second")
            yield* Effect.sleep("300 millis")
            const record = yield* manager.status(waiting)
            yield* Deferred.succeed(gate, undefined)
            yield* within("join", manager.join)
            assert.deepStrictEqual(
              { state: record.state, attempts: record.attempts, startedAt: record.startedAt },
              { state: "queued", attempts: 0, startedAt: undefined }
            )
          })),
      20_000
    )
  })

/**
 * Two managers on one store (a schedule's ticks "are added by one and may run on another"):
 * TaskManager `cancel` — "Cancels a task: a queued one never runs, a running one is interrupted."
 * A cancel made in the manager that added the task, while the other manager runs it.
 */
export const reviewSharedCancel = (name: string, store: StoreFactory) =>
  describe(`review 26b, two managers on one store, a cancel: ${name}`, () => {
    it.live(
      "a cancel made in one manager interrupts the task the other manager runs, and answers true",
      () =>
        withStore(store, (store) =>
          Effect.gen(function*() {
            const gate = yield* Deferred.make<void>()
            const started: Array<string> = []
            const job = TaskManager.define("job", {
              args: Schema.String,
              run: (label) =>
                Effect.gen(function*() {
                  started.push(label)
                  yield* Deferred.await(gate)
                })
            })
            // the adding manager has no worker free: its one worker holds "busy"
            const adder = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
            yield* adder.add(job, "busy")
            yield* eventually("busy started", Effect.sync(() => started.includes("busy")))
            const runner = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
            const id = yield* adder.add(job, "target")
            yield* eventually("target started in the other manager", Effect.sync(() => started.includes("target")))
            const cancel = yield* Effect.forkChild(adder.cancel(id))
            const answer = yield* Effect.timeoutOption(Fiber.join(cancel), "3 seconds")
            const state = (yield* runner.status(id)).state
            yield* Deferred.succeed(gate, undefined)
            const late = answer._tag === "Some" ? answer : yield* Effect.timeoutOption(Fiber.join(cancel), "3 seconds")
            const joined = yield* Effect.timeoutOption(adder.join, "3 seconds")
            yield* within("join", runner.join)
            assert.deepStrictEqual(
              {
                answer: Option.getOrUndefined(answer),
                state,
                late: Option.getOrUndefined(late),
                adderJoined: Option.isSome(joined)
              },
              { answer: true, state: "cancelled", late: true, adderJoined: true }
            )
          })),
      20_000
    )
  })

/**
 * `Dedupe` edges. Debounce: "an add of the key while that task still waits for its time adds
 * nothing, moves its `runAt` to this add + `ttl` (as `status(id).runAt` shows) and returns its id;
 * the task keeps the first add's arguments and priority"; `ttl` "a finite duration > 0, at most
 * 1,000 years" (docs/production.md). Throttle: "The first add at or after the window's end adds a
 * task".
 */
export const reviewDedupeEdges = (name: string, store: StoreFactory) =>
  describe(`review 26b, deduplication edges — pins (passing): ${name}`, () => {
    it.live(
      "debounce with a ttl of 1,000 years: the second add moves the task's runAt to its add + ttl, keeps priority and args",
      () =>
        withStore(store, (store) =>
          Effect.gen(function*() {
            let runs = 0
            const job = TaskManager.define("job", { args: Schema.String, run: () => Effect.sync(() => void runs++) })
            const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
            const ttl = 1_000 * 365.25 * 24 * 60 * 60 * 1_000
            const dedupe = { key: "k", ttl, mode: "debounce" } as const
            const id = yield* manager.add(job, "first", { dedupe, priority: 7 })
            const before = yield* manager.status(id)
            yield* Effect.sleep("20 millis")
            const again = yield* manager.add(job, "second", { dedupe, priority: 1 })
            yield* Effect.sleep("200 millis")
            const after = yield* manager.status(id)
            const moved = after.runAt! - before.runAt!
            assert.deepStrictEqual(
              {
                again,
                state: after.state,
                priority: after.priority,
                args: after.args,
                runs,
                movedLater: moved >= 20 && moved < 1_000
              },
              { again: id, state: "queued", priority: 7, args: "first", runs: 0, movedLater: true },
              `runAt ${before.runAt} then ${after.runAt}`
            )
            yield* manager.cancel(id)
          })),
      20_000
    )

    it.live(
      "throttle with a ttl of 1 ms: an add 20 ms later adds a new task",
      () =>
        withStore(store, (store) =>
          Effect.gen(function*() {
            const job = TaskManager.define("job", { args: Schema.String, run: () => Effect.void })
            const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
            const dedupe = { key: "k", ttl: "1 millis" } as const
            const first = yield* manager.add(job, "a", { dedupe })
            yield* Effect.sleep("20 millis")
            const second = yield* manager.add(job, "b", { dedupe })
            yield* within("join", manager.join)
            assert.notStrictEqual(second, first)
          })),
      20_000
    )

    it.live(
      "debounce: an add once the window's task is running adds a new task; the running one is not moved",
      () =>
        withStore(store, (store) =>
          Effect.gen(function*() {
            const gate = yield* Deferred.make<void>()
            const started: Array<string> = []
            const job = TaskManager.define("job", {
              args: Schema.String,
              run: (label) =>
                Effect.gen(function*() {
                  started.push(label)
                  if (label === "a") yield* Deferred.await(gate)
                })
            })
            const manager = yield* TaskManager.make({ tasks: [job], concurrency: 2, store })
            const dedupe = { key: "k", ttl: "50 millis", mode: "debounce" } as const
            const first = yield* manager.add(job, "a", { dedupe })
            yield* eventually("a started", Effect.sync(() => started.includes("a")))
            const second = yield* manager.add(job, "b", { dedupe })
            yield* eventually("b started", Effect.sync(() => started.includes("b")))
            yield* Deferred.succeed(gate, undefined)
            yield* within("join", manager.join)
            const record = yield* manager.status(first)
            assert.deepStrictEqual({ differs: second !== first, state: record.state }, {
              differs: true,
              state: "succeeded"
            })
          })),
      20_000
    )
  })
