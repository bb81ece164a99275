/**
 * The TaskManager contract at its edges — where an outside review found the promises broken:
 * a task without arguments, a cancel just after `add` or just as the task ends, a task that
 * interrupts itself, a shutdown racing `add`, another shutdown or a subscription, and `join`
 * after a stop. Run against each store; each case failed before its fix.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Option, Schedule, Schema, SchemaGetter, type Scope, Stream } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import type * as TaskStore from "../src/TaskStore.js"

/** Fails the test, instead of hanging it, if `effect` has not ended within 2 s. */
const within = <A, E, R>(label: string, effect: Effect.Effect<A, E, R>) =>
  Effect.timeoutOrElse(effect, { duration: "2 seconds", orElse: () => Effect.fail(new Error(`${label} hung`)) })

class Boom extends Schema.TaggedError<Boom>()("Boom", {}) {}

/** Waits until `check` succeeds with true, re-checking every few milliseconds. */
const eventually = <E>(check: Effect.Effect<boolean, E>) =>
  Effect.repeat(check, { until: (ok) => ok, schedule: Schedule.spaced("5 millis") })

export const contractEdges = (
  name: string,
  store: Effect.Effect<TaskStore.TaskStore, unknown, Scope.Scope>,
  options: {
    /**
     * The manager hands a task to its worker itself (a local store): a cancel right after `add`
     * always comes before the task starts. On BullMQ a worker may have started it already.
     */
    readonly localHandOff: boolean
  }
) =>
  describe(`TaskManager contract at the edges: ${name}`, () => {
    const withManager = <T extends TaskManager.TaskDefinition.Any, A, E>(
      tasks: ReadonlyArray<T>,
      body: (manager: TaskManager.TaskManager<T>) => Effect.Effect<A, E, Scope.Scope>
    ) =>
      Effect.scoped(Effect.gen(function*() {
        const manager = yield* TaskManager.make({ tasks, concurrency: 1, store: yield* Effect.orDie(store) })
        return yield* body(manager)
      }))

    /**
     * Two managers, one after the other, on one store: the first runs `before` and is stopped
     * (a shutdown without drain); the second waits for every task, and the status of the one
     * `before` returned is the result.
     */
    const onOneStore = <T extends TaskManager.TaskDefinition.Any, E>(
      tasks: ReadonlyArray<T>,
      retry: Schedule.Schedule<unknown, unknown>,
      before: (manager: TaskManager.TaskManager<T>) => Effect.Effect<string, E, Scope.Scope>
    ) =>
      Effect.scoped(Effect.gen(function*() {
        const shared = yield* Effect.orDie(store)
        const run = <A, E2>(body: (manager: TaskManager.TaskManager<T>) => Effect.Effect<A, E2, Scope.Scope>) =>
          Effect.scoped(Effect.flatMap(TaskManager.make({ tasks, concurrency: 1, store: shared, retry }), body))
        const id = yield* run((manager) => Effect.tap(before(manager), () => manager.shutdown({ drain: false })))
        const status = yield* run((manager) => Effect.andThen(within("join", manager.join), manager.status(id)))
        return { id, status }
      }))

    // SQLite stored `JSON.stringify(undefined)` into a NOT NULL column, and INSERT OR IGNORE hid
    // the failure: `add` returned an id for a task that was never stored nor run.
    it.live("a task without arguments (Schema.Void) is stored and runs", () => {
      let ran = 0
      const ping = TaskManager.define("ping", { args: Schema.Void, run: () => Effect.sync(() => ran++) })
      return withManager([ping], (manager) =>
        Effect.gen(function*() {
          const id = yield* manager.add(ping, undefined)
          yield* within("join", manager.join)
          assert.strictEqual((yield* manager.status(id)).state, "succeeded")
          assert.strictEqual(ran, 1)
        }))
    })

    // With a worker waiting, `add` hands the task straight to it; `cancel` found it neither
    // running nor cancellable in the store, answered false, and the task ran.
    it.live("a cancel right after add tells the truth (locally: the task never runs, cancel answers true)", () => {
      let ran = 0
      const job = TaskManager.define("job", { args: Schema.Number, run: () => Effect.sync(() => ran++) })
      return withManager([job], (manager) =>
        Effect.gen(function*() {
          const results = yield* manager.subscribe
          const id = yield* manager.add(job, 1)
          const cancelled = yield* within("cancel", manager.cancel(id))
          if (options.localHandOff) assert.isTrue(cancelled)
          yield* within("join", manager.join)
          const [outcome] = yield* Stream.runCollect(Stream.take(results, 1))
          const expected = cancelled ? [0, "cancelled", "cancelled"] : [1, "succeeded", "succeeded"]
          assert.deepStrictEqual([ran, outcome!.state, (yield* manager.status(id)).state], expected)
        }))
    })

    // The task's fiber had ended, its worker not yet resumed: the interruption did nothing, yet
    // cancel answered true, and the outcome published was "succeeded".
    it.live("a cancel as the task ends answers what happened: true and cancelled, or false and succeeded", () =>
      Effect.gen(function*() {
        const done = yield* Deferred.make<void>()
        const job = TaskManager.define("job", {
          args: Schema.Number,
          run: (n) => Effect.as(Deferred.succeed(done, undefined), n)
        })
        yield* withManager([job], (manager) =>
          Effect.gen(function*() {
            const results = yield* manager.subscribe
            const id = yield* manager.add(job, 1)
            yield* Deferred.await(done)
            const cancelled = yield* within("cancel", manager.cancel(id))
            yield* within("join", manager.join)
            const [outcome] = yield* Stream.runCollect(Stream.take(results, 1))
            const expected = cancelled ? "cancelled" : "succeeded"
            assert.deepStrictEqual([outcome!.state, (yield* manager.status(id)).state], [expected, expected])
          }))
      }))

    // Taken for "stopped by a shutdown", it went back to the front of the queue and was taken
    // again at once: 50,000 runs in 4 s, the event loop starved.
    it.live("a task that interrupts itself fails TaskInterrupted, once", () => {
      let runs = 0
      const job = TaskManager.define("job", {
        args: Schema.Number,
        run: () =>
          Effect.gen(function*() {
            if (++runs > 5) return "looping" // keeps the test from spinning if it is put back
            const helper = yield* Effect.forkChild(Effect.never)
            yield* Fiber.interrupt(helper)
            return yield* Fiber.join(helper)
          })
      })
      return withManager([job], (manager) =>
        Effect.gen(function*() {
          const id = yield* manager.add(job, 1)
          yield* within("join", manager.join)
          const status = yield* manager.status(id)
          assert.deepStrictEqual([runs, status.state, status.attempts], [1, "failed", 1])
          assert.include(status.error, "interrupted by the task itself")
        }))
    })

    // The drained shutdown waited on `join` for ever once a shutdown without drain had put the
    // running task back in the queue.
    it.live("a drained shutdown returns when a shutdown without drain follows it; join then fails TaskManagerShutDown", () =>
      Effect.gen(function*() {
        const started = yield* Deferred.make<void>()
        const job = TaskManager.define("job", {
          args: Schema.Number,
          run: () => Effect.andThen(Deferred.succeed(started, undefined), Effect.never)
        })
        yield* withManager([job], (manager) =>
          Effect.gen(function*() {
            yield* manager.addAll(job, [1, 2])
            yield* Deferred.await(started)
            const draining = yield* Effect.forkChild(manager.shutdown({ drain: true }))
            yield* within("shutdown", manager.shutdown())
            yield* within("drained shutdown", Fiber.join(draining))
            const joined = yield* Effect.flip(within("join", manager.join))
            assert.strictEqual("_tag" in joined ? joined._tag : joined.message, "TaskManagerShutDown")
          }))
      }))

    // An add counted its task only after writing it: a drained shutdown starting in between
    // saw nothing to wait for, and the task was never run (memory: lost).
    it.live("a drained shutdown waits for an add in flight and runs its task", () => {
      let ran = 0
      // arguments whose encoding suspends (an async check), so the add is still in flight
      const Slow = Schema.Number.pipe(Schema.decodeTo(Schema.Number, {
        decode: SchemaGetter.passthrough(),
        encode: SchemaGetter.transformEffect((n: number) => Effect.as(Effect.sleep("10 millis"), n))
      }))
      const job = TaskManager.define("job", { args: Slow, run: () => Effect.sync(() => ran++) })
      return withManager([job], (manager) =>
        Effect.gen(function*() {
          // started at once, up to its encoding's sleep: on Effect 4 a forked fiber starts on a
          // later tick (setImmediate), which a 1 ms timer may beat
          const adding = yield* Effect.forkChild(manager.add(job, 1), { startImmediately: true })
          yield* Effect.sleep("1 millis")
          yield* within("drained shutdown", manager.shutdown({ drain: true }))
          const id = yield* Fiber.join(adding)
          assert.strictEqual(ran, 1)
          assert.strictEqual((yield* manager.status(id)).state, "succeeded")
        }))
    })

    // The end mark was published once; a stream subscribed afterwards waited for it for ever.
    it.live("results subscribed after a shutdown end at once", () => {
      const job = TaskManager.define("job", { args: Schema.Number, run: Effect.succeed })
      return withManager([job], (manager) =>
        Effect.gen(function*() {
          yield* manager.add(job, 1)
          yield* manager.shutdown({ drain: true })
          assert.deepStrictEqual(
            yield* within("results", Stream.runCollect(manager.results)),
            []
          )
          const late = yield* manager.subscribe
          assert.isTrue(Option.isNone(yield* within("subscribe", Stream.runHead(late))))
        }))
    })

    // BullMQ refused "42" and "order:42", which the local stores took; "" returned an id that
    // `status` could not find, and added twice, ran twice; "meta" or "wait" wrote the job onto
    // one of the queue's own keys (lost, or the queue broken).
    const ids = ["42", "order:42", "fk~1", "100%", "meta", "active", "wait", "id", "events", "marker"]
    it.live("one id rule on every store: \"42\" and \"order:42\" are ids; \"\" fails InvalidTaskId", () => {
      const job = TaskManager.define("job", { args: Schema.Number, run: Effect.succeed })
      return withManager([job], (manager) =>
        Effect.gen(function*() {
          for (const id of ids) {
            assert.strictEqual(yield* manager.add(job, 1, { id }), id)
            assert.strictEqual(yield* manager.add(job, 2, { id }), id) // the second adds nothing
          }
          yield* within("join", manager.join)
          for (const id of ids) {
            const status = yield* manager.status(id)
            assert.deepStrictEqual([status.id, status.state, status.attempts], [id, "succeeded", 1])
          }
          for (const id of ["", "x".repeat(257), "a\nb"]) {
            assert.strictEqual((yield* Effect.flip(manager.add(job, 1, { id })))._tag, "InvalidTaskId")
          }
        }))
    })

    // The retry Schedule started over when a task stopped by a shutdown was taken again: with
    // `recurs(1)` (two attempts), a task that failed once and then was stopped failed again and
    // was retried once more. The stored count of failures was not consulted.
    it.live("retries resume after a restart: stopped after one failure, a task with recurs(1) fails at its next", () => {
      let runs = 0
      return Effect.gen(function*() {
        const started = yield* Deferred.make<void>()
        const job = TaskManager.define("job", {
          args: Schema.Number,
          failure: Boom,
          run: () =>
            Effect.suspend(() =>
              ++runs === 2 ? Effect.andThen(Deferred.succeed(started, undefined), Effect.never) : new Boom()
            )
        })
        const { status } = yield* onOneStore([job], Schedule.recurs(1), (manager) =>
          Effect.gen(function*() {
            const id = yield* manager.add(job, 1)
            yield* within("the second attempt", Deferred.await(started))
            return id
          }))
        assert.deepStrictEqual(
          [runs, status.state, status.attempts, status.failures],
          [3, "failed", 3, 2],
          "runs, state, attempts, failures"
        )
      })
    })

    // Outside review: a typed failure out of concurrent code (`Effect.all` with concurrency)
    // ends with the failure and its sibling's interruption; the local manager took that for
    // "not a typed failure" and did not retry it (BullMQ did).
    it.live("a typed failure raised in concurrent code is retried like any typed failure", () => {
      let runs = 0
      const job = TaskManager.define("job", {
        args: Schema.Void,
        failure: Boom,
        run: () =>
          Effect.suspend(() =>
            ++runs === 1
              ? Effect.as(Effect.all([Effect.fail(new Boom()), Effect.never], { concurrency: 2 }), "never")
              : Effect.succeed("ok")
          )
      })
      return Effect.scoped(Effect.gen(function*() {
        const manager = yield* TaskManager.make({
          tasks: [job],
          concurrency: 1,
          retry: Schedule.recurs(1),
          store: yield* Effect.orDie(store)
        })
        const id = yield* manager.add(job, undefined)
        yield* within("join", manager.join)
        const status = yield* manager.status(id)
        assert.deepStrictEqual(
          [runs, status.state, status.attempts, status.failures],
          [2, "succeeded", 2, 1],
          "runs, state, attempts, failures"
        )
      }))
    })

    // The failure was recorded only when the retry started, after its delay: stopped during the
    // delay, the task forgot it had failed, and its Schedule started over.
    it.live("a stop during a retry's delay keeps the failure: the task is not retried more than its Schedule says", () => {
      let runs = 0
      const job = TaskManager.define("job", {
        args: Schema.Number,
        failure: Boom,
        run: () => Effect.suspend(() => Effect.as(new Boom(), runs++))
      })
      return Effect.gen(function*() {
        const retry = Schedule.addDelay(Schedule.recurs(1), () => Effect.succeed("300 millis"))
        const { status } = yield* onOneStore([job], retry, (manager) =>
          Effect.gen(function*() {
            const id = yield* manager.add(job, 1)
            yield* within("the first failure", eventually(Effect.map(manager.status(id), (s) => s.failures === 1)))
            return id
          }))
        assert.deepStrictEqual([runs, status.state, status.failures], [2, "failed", 2], "runs, state, failures")
      })
    })

    // What a timeout guarantees is Effect's interruption: work a task runs uninterruptibly is not
    // cut short. The review saw it complete and the attempt reported timed out: that stays (Effect
    // reports it interrupted, its value unseen), and this pins the rest of the promise — the
    // timeout is reported once the attempt has stopped, and a retry never runs alongside it.
    it.live("a timeout ends an attempt once it has stopped: uninterruptible work runs out, no retry overlaps it", () => {
      let inside = 0
      let most = 0
      let completed = 0
      const job = TaskManager.define("job", {
        args: Schema.Number,
        run: () =>
          Effect.uninterruptible(Effect.gen(function*() {
            most = Math.max(most, ++inside)
            yield* Effect.sleep("60 millis")
            completed++
            inside--
          }))
      })
      return Effect.scoped(Effect.gen(function*() {
        const manager = yield* TaskManager.make({
          tasks: [job],
          concurrency: 2,
          timeout: "10 millis",
          retry: Schedule.recurs(1),
          store: yield* Effect.orDie(store)
        })
        const results = yield* manager.subscribe
        const id = yield* manager.add(job, 1)
        const [outcome] = yield* within("the outcome", Stream.runCollect(Stream.take(results, 1)))
        // published after both attempts ran their work out, one after the other
        assert.deepStrictEqual([completed, most, outcome!.state], [2, 1, "failed"], "completed, most inside, state")
        assert(outcome!.state === "failed", outcome!.state)
        assert.strictEqual(outcome!.error._tag, "TaskTimeout")
        assert.strictEqual((yield* manager.status(id)).failures, 2)
      }))
    })

    // BullMQ put the arguments through JSON: NaN came back null, -0 as 0, a Date as a string (the
    // task failed InvalidTaskArgs), and a bigint failed the add.
    it.live("arguments reach the task as the Schema encoded them: NaN, -0, a Date, a bigint, undefined", () => {
      const seen: Array<unknown> = []
      const job = TaskManager.define("job", {
        args: Schema.Tuple([Schema.Number, Schema.Number, Schema.Date, Schema.BigInt, Schema.Undefined]),
        run: (args) => Effect.sync(() => void seen.push(args))
      })
      return withManager([job], (manager) =>
        Effect.gen(function*() {
          const id = yield* manager.add(job, [NaN, -0, new Date(0), 1n, undefined])
          yield* within("join", manager.join)
          assert.strictEqual((yield* manager.status(id)).state, "succeeded")
          const [[nan, zero, date, big, none]] = seen as Array<[number, number, Date, bigint, undefined]>
          assert.isTrue(
            Number.isNaN(nan) && Object.is(zero, -0) && date instanceof Date && big === 1n && none === undefined
          )
        }))
    })
  })
