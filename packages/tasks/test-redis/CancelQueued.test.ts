/**
 * Found by an outside review of issue 20: each test failed before its fix (what the review saw
 * is described below); the README promise it checks is quoted first.
 *
 * README, Cancelling / BullMQ "The same API": a queued task is marked "so that no worker runs
 * it"; TaskRecord.attempts: "Attempts started so far".
 *
 * A task cancelled while queued never runs, and `status` says attempts 0 — until a worker takes
 * the job and fails it with the mark: then `status` and its published outcome say attempts 1
 * (BullMQ's attemptsStarted), though no attempt of it started. (The memory and SQLite stores
 * report 0 for the same cancel.)
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Schema, Stream } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import { freshStore } from "./redis.js"

describe("BullMQ, a task cancelled while queued", () => {
  it.live("has started no attempt, in status and in its outcome", () =>
    Effect.scoped(Effect.gen(function*() {
      const store = yield* freshStore()
      let runs = 0
      const job = TaskManager.define("job", { args: Schema.Number, run: () => Effect.sync(() => void runs++) })
      const producer = yield* TaskManager.make({ tasks: [job], concurrency: 0, store })
      const results = yield* producer.subscribe
      const id = yield* producer.add(job, 1, { id: "queued" })
      assert.isTrue(yield* producer.cancel(id))
      // a worker comes, takes the job, and ends it with the cancel's mark
      yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
      const outcome = (yield* Stream.runCollect(Stream.take(results, 1)))[0]!
      const status = yield* producer.status(id)
      assert.strictEqual(runs, 0, "it never ran")
      assert.deepStrictEqual([outcome.state, status.state], ["cancelled", "cancelled"])
      assert.deepStrictEqual([status.attempts, outcome.attempts], [0, 0], "attempts: status, outcome")
    })))
})

describe("BullMQ, a task cancelled while queued under strict priorities", () => {
  // README, BullMQ "The same API": a queued task "is taken out of the queue in one atomic step
  // with marking it ... and ends cancelled at once: its outcome is published, and join no longer
  // waits for it, however many tasks of higher priority are queued". Before: it stayed in
  // BullMQ's prioritized set, marked, until a worker reached it at its priority — its outcome
  // (and join) waited for every task above it, under strict priorities possibly for ever.
  it.live(
    "ends at once: its outcome published while the only worker is busy and a higher task waits",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const store = yield* freshStore()
        const started = yield* Deferred.make<void>()
        const gate = yield* Deferred.make<void>()
        const job = TaskManager.define("job", {
          args: Schema.String,
          run: (label) =>
            label === "busy" ? Effect.andThen(Deferred.succeed(started, undefined), Deferred.await(gate)) : Effect.void
        })
        const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
        const results = yield* manager.subscribe
        yield* manager.add(job, "busy")
        yield* Deferred.await(started)
        yield* manager.add(job, "high", { priority: 5 })
        const low = yield* manager.add(job, "low", { priority: -5 })
        assert.isTrue(yield* manager.cancel(low))
        // the only worker is still busy, a higher task still queued: the outcome comes anyway
        const first = yield* Stream.runHead(results).pipe(
          Effect.timeoutOrElse({ duration: "10 seconds", orElse: () => Effect.fail(new Error("no outcome")) })
        )
        assert.deepStrictEqual(
          first.pipe((o) => o._tag === "Some" ? [o.value.id, o.value.state, o.value.attempts] : []),
          [low, "cancelled", 0]
        )
        const status = yield* manager.status(low)
        assert.deepStrictEqual([status.state, status.attempts], ["cancelled", 0])
        yield* Deferred.succeed(gate, undefined)
        yield* manager.join
      })),
    30_000
  )

  // cancels racing the workers that take the jobs (the cancel's atomic step against BullMQ's
  // take): each task ends once, cancelled exactly when its cancel answered true
  it.live(
    "cancels racing takes: one outcome per task, cancelled exactly when cancel says so",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const store = yield* freshStore()
        const started = new Set<string>()
        const job = TaskManager.define("job", {
          args: Schema.Number,
          run: (n) => Effect.andThen(Effect.sync(() => void started.add(String(n))), Effect.sleep(`${n % 5} millis`))
        })
        const manager = yield* TaskManager.make({ tasks: [job], concurrency: 4, store })
        const results = yield* manager.subscribe
        const collected = yield* Effect.forkChild(Stream.runCollect(Stream.take(results, 40)))
        const answers = yield* Effect.forEach(
          Array.from({ length: 40 }, (_, n) => n),
          (n) =>
            Effect.flatMap(
              manager.add(job, n, { id: String(n), priority: n % 3 }),
              (id) =>
                n % 2 === 0
                  ? Effect.map(manager.cancel(id), (cancelled) => [id, cancelled] as const)
                  : Effect.succeed([id, false] as const)
            ),
          { concurrency: 8 }
        )
        const outcomes = yield* Fiber.join(collected)
        const byId = new Map(outcomes.map((o) => [o.id, o.state]))
        assert.strictEqual(byId.size, 40, "one outcome per task")
        for (const [id, cancelled] of answers) {
          assert.strictEqual(byId.get(id) === "cancelled", cancelled, `task ${id}`)
          assert.strictEqual((yield* manager.status(id)).state, byId.get(id))
        }
        yield* manager.join
      })),
    60_000
  )
})
