/**
 * The TaskManager contract: what every store must give a manager, run against each of them
 * (memory, SQLite, BullMQ) on the live clock, with Deferred handshakes instead of sleeps.
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen } from "@fiberkit/testkit"
import { Deferred, Effect, Fiber, Option, Schedule, Schema, type Scope, Stream } from "effect"
import { TaskDefect, TaskTimeout } from "../src/Errors.js"
import * as TaskManager from "../src/TaskManager.js"
import type * as TaskStore from "../src/TaskStore.js"

export class Bounced extends Schema.TaggedError<Bounced>()("Bounced", { to: Schema.String }) {}

/** Sends an email: takes `ms`, and bounces for an address in `bouncing` (a countdown per address). */
export const emails = (bouncing: Map<string, number> = new Map()) =>
  TaskManager.define("send-email", {
    args: Schema.Struct({ to: Schema.String, ms: Schema.Number }),
    success: Schema.String,
    failure: Bounced,
    run: ({ ms, to }) =>
      Effect.andThen(
        Effect.sleep(ms),
        Effect.suspend(() => {
          const left = bouncing.get(to) ?? 0
          if (left === 0) return Effect.succeed(`sent to ${to}`)
          bouncing.set(to, left - 1)
          return Effect.fail(new Bounced({ to }))
        })
      )
  })

/** A store for one test: a fresh one each time (a new file, a new queue). */
export interface Harness {
  readonly store: Effect.Effect<TaskStore.TaskStore, unknown, Scope.Scope>
  /** Cases of the property test (each runs real tasks on the live clock). */
  readonly propertyRuns: number
}

/** Waits until `check` holds, re-checking every few milliseconds. */
const eventually = (check: () => boolean) =>
  Effect.repeat(Effect.sync(check), { until: (ok) => ok, schedule: Schedule.spaced("2 millis") })

const first = <A, E>(stream: Stream.Stream<A, E>) =>
  Effect.map(Stream.runHead(stream), Option.getOrThrowWith(() => new Error("the stream ended empty")))

export const contract = (name: string, harness: Harness) =>
  describe(`TaskManager contract: ${name}`, () => {
    const withStore = <A, E>(
      body: (store: TaskStore.TaskStore) => Effect.Effect<A, E, Scope.Scope>
    ) => Effect.scoped(Effect.flatMap(Effect.orDie(harness.store), body))

    it.live("runs added tasks on its workers; every outcome is published once, with its value; status tells the rest", () =>
      withStore((store) =>
        Effect.gen(function*() {
          const send = emails()
          const manager = yield* TaskManager.make({ tasks: [send], concurrency: 2, store })
          const results = yield* manager.subscribe
          const collected = yield* Effect.forkChild(Stream.runCollect(Stream.take(results, 3)))
          const ids = yield* Effect.forEach(["a@x", "b@x", "c@x"], (to) => manager.add(send, { to, ms: 5 }))
          yield* manager.join
          const outcomes = yield* Fiber.join(collected)
          assert.deepStrictEqual(outcomes.map((r) => r.state), ["succeeded", "succeeded", "succeeded"])
          assert.deepStrictEqual([...outcomes.map((r) => r.id)].sort(), [...ids].sort())
          assert.deepStrictEqual([...outcomes.map((r) => r.state === "succeeded" ? r.value : "")].sort(), [
            "sent to a@x",
            "sent to b@x",
            "sent to c@x"
          ])
          for (const id of ids) {
            const status = yield* manager.status(id)
            assert.strictEqual(status.state, "succeeded")
            assert.strictEqual(status.attempts, 1)
            assert.isAtLeast(status.finishedAt!, status.startedAt!)
            assert.isAtLeast(status.startedAt!, status.addedAt)
          }
        })
      ))

    it.live("a drained shutdown runs every task, publishes every outcome, then ends the results streams", () =>
      withStore((store) =>
        Effect.gen(function*() {
          const send = emails()
          const manager = yield* TaskManager.make({ tasks: [send], concurrency: 2, store })
          const results = yield* manager.subscribe
          const all = yield* Effect.forkChild(Stream.runCollect(results))
          yield* Effect.forEach(["a@x", "b@x", "c@x"], (to) => manager.add(send, { to, ms: 5 }))
          yield* manager.shutdown({ drain: true })
          assert.strictEqual((yield* Fiber.join(all)).length, 3)
        })
      ))

    it.live("a failed attempt is retried on the schedule; attempts are counted; the typed error comes back", () =>
      withStore((store) =>
        Effect.gen(function*() {
          const send = emails(new Map([["flaky@x", 1], ["dead@x", 10]]))
          const manager = yield* TaskManager.make({
            tasks: [send],
            concurrency: 2,
            store,
            retry: Schedule.max([Schedule.spaced("10 millis"), Schedule.recurs(2)])
          })
          const results = yield* manager.subscribe
          const collected = yield* Effect.forkChild(Stream.runCollect(Stream.take(results, 2)))
          const flaky = yield* manager.add(send, { to: "flaky@x", ms: 1 })
          const dead = yield* manager.add(send, { to: "dead@x", ms: 1 })
          yield* manager.join
          const ok = yield* manager.status(flaky)
          assert.strictEqual(ok.state, "succeeded")
          assert.strictEqual(ok.attempts, 2)
          const failed = yield* manager.status(dead)
          assert.strictEqual(failed.state, "failed")
          assert.strictEqual(failed.attempts, 3)
          assert.match(failed.error ?? "", /Bounced/)
          const outcome = (yield* Fiber.join(collected)).find((r) => r.id === dead)!
          assert(outcome.state === "failed", outcome.state)
          assert.instanceOf(outcome.error, Bounced)
          assert.strictEqual(outcome.error._tag === "Bounced" ? outcome.error.to : "", "dead@x")
        })
      ))

    it.live("an attempt over the timeout fails TaskTimeout", () =>
      withStore((store) =>
        Effect.gen(function*() {
          const send = emails()
          const manager = yield* TaskManager.make({ tasks: [send], timeout: "20 millis", store })
          const results = yield* manager.subscribe
          const outcome = yield* Effect.forkChild(first(results))
          yield* manager.add(send, { to: "slow@x", ms: 2_000 })
          const result = yield* Fiber.join(outcome)
          assert(result.state === "failed", result.state)
          assert.instanceOf(result.error, TaskTimeout) // decoded as itself, also across processes
          assert.strictEqual(result.error.message, "task " + result.id + ": attempt 1 ran over its 20 ms timeout")
        })
      ))

    it.live("a task that dies fails with a TaskDefect naming what it died with", () =>
      withStore((store) =>
        Effect.gen(function*() {
          const dies = TaskManager.define("dies", { args: Schema.Number, run: () => Effect.die(new RangeError("bad")) })
          const manager = yield* TaskManager.make({ tasks: [dies], store })
          const results = yield* manager.subscribe
          const outcome = yield* Effect.forkChild(first(results))
          const id = yield* manager.add(dies, 1)
          const result = yield* Fiber.join(outcome)
          assert(result.state === "failed", result.state)
          assert.instanceOf(result.error, TaskDefect)
          assert.strictEqual(result.error.message, `task ${id} died: RangeError: bad`)
        })
      ))

    it.live("cancel: a queued task never runs; a running one is interrupted; an ended one stays", () =>
      withStore((store) =>
        Effect.gen(function*() {
          const started: Array<string> = []
          const block = yield* Deferred.make<void>()
          const job = TaskManager.define("job", {
            args: Schema.String,
            run: (name) => Effect.andThen(Effect.sync(() => started.push(name)), Deferred.await(block))
          })
          const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
          const results = yield* manager.subscribe
          const outcomes = yield* Effect.forkChild(Stream.runCollect(Stream.take(results, 2)))
          const running = yield* manager.add(job, "running")
          yield* eventually(() => started.length === 1)
          const queued = yield* manager.add(job, "queued")
          assert.isTrue(yield* manager.cancel(queued))
          assert.isTrue(yield* manager.cancel(running))
          yield* manager.join
          assert.deepStrictEqual(started, ["running"])
          assert.strictEqual((yield* manager.status(queued)).state, "cancelled")
          assert.strictEqual((yield* manager.status(running)).state, "cancelled")
          assert.deepStrictEqual((yield* Fiber.join(outcomes)).map((r) => r.state), [
            "cancelled",
            "cancelled"
          ])
          assert.isFalse(yield* manager.cancel(running))
          assert.strictEqual((yield* Effect.flip(manager.cancel("nope")))._tag, "TaskNotFound")
        })
      ))

    it.live("bad input fails: arguments the Schema rejects, an unknown task, a negative worker count; after shutdown, no add", () =>
      withStore((store) =>
        Effect.gen(function*() {
          const send = emails()
          const manager = yield* TaskManager.make({ tasks: [send], store })
          const bad = yield* Effect.flip(manager.add(send, { to: 42, ms: 1 } as never))
          assert.strictEqual(bad._tag, "InvalidTaskArgs")
          assert.match(bad.message, /send-email/)
          assert.strictEqual((yield* Effect.flip(manager.add("nope" as never, {} as never)))._tag, "UnknownTask")
          yield* manager.shutdown({ drain: true })
          assert.strictEqual((yield* Effect.flip(manager.add(send, { to: "a@x", ms: 1 })))._tag, "TaskManagerShutDown")
          const invalid = yield* Effect.flip(TaskManager.make({ tasks: [send], concurrency: -1, store }))
          assert.strictEqual(invalid._tag, "InvalidOptions")
        })
      ))

    it.live("addAll adds many at once, all or nothing", () =>
      withStore((store) =>
        Effect.gen(function*() {
          const send = emails()
          const manager = yield* TaskManager.make({ tasks: [send], concurrency: 2, store })
          const bad = yield* Effect.flip(manager.addAll(send, [{ to: "a@x", ms: 1 }, { to: 1, ms: 1 } as never]))
          assert.strictEqual(bad._tag, "InvalidTaskArgs")
          const ids = yield* manager.addAll(send, ["a@x", "b@x", "c@x"].map((to) => ({ to, ms: 1 })))
          yield* manager.join
          const states = yield* Effect.forEach(ids, (id) => Effect.map(manager.status(id), (s) => s.state))
          assert.deepStrictEqual(states, ["succeeded", "succeeded", "succeeded"])
        })
      ))

    it.live("a task added twice under one id runs once", () =>
      withStore((store) =>
        Effect.gen(function*() {
          let runs = 0
          const job = TaskManager.define("job", { args: Schema.Number, run: () => Effect.sync(() => runs++) })
          const manager = yield* TaskManager.make({ tasks: [job], concurrency: 2, store })
          assert.strictEqual(yield* manager.add(job, 1, { id: "order-1" }), "order-1")
          yield* manager.join
          assert.strictEqual(yield* manager.add(job, 1, { id: "order-1" }), "order-1")
          yield* manager.join
          assert.strictEqual(runs, 1)
          assert.strictEqual((yield* manager.status("order-1")).attempts, 1)
        })
      ))

    it.live("shutdown without drain: running tasks stop and go back to the queue; queued ones stay queued", () =>
      withStore((store) =>
        Effect.gen(function*() {
          const started = yield* Deferred.make<void>()
          const job = TaskManager.define("job", {
            args: Schema.String,
            run: () => Effect.andThen(Deferred.succeed(started, undefined), Effect.never)
          })
          const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store })
          const first = yield* manager.add(job, "a")
          const second = yield* manager.add(job, "b")
          yield* Deferred.await(started)
          yield* manager.shutdown({ drain: false })
          const a = yield* manager.status(first)
          assert.strictEqual(a.state, "queued")
          assert.strictEqual(a.attempts, 1)
          assert.strictEqual((yield* manager.status(second)).state, "queued")
        })
      ))

    it.live.prop(
      "every added task ends in exactly one final state, published exactly once",
      [
        Gen.array(
          Gen.record({
            ms: Gen.integer({ min: 0, max: 5 }),
            bounces: Gen.integer({ min: 0, max: 3 }),
            cancel: Gen.boolean
          }),
          { maxLength: 8 }
        ),
        Gen.integer({ min: 1, max: 3 }),
        Gen.integer({ min: 0, max: 2 })
      ],
      ([specs, workers, retries]) =>
        withStore((store) =>
          Effect.gen(function*() {
            const send = emails(new Map(specs.map((spec, i) => [`${i}@x`, spec.bounces] as const)))
            const manager = yield* TaskManager.make({
              tasks: [send],
              concurrency: workers,
              store,
              retry: Schedule.recurs(retries)
            })
            const results = yield* manager.subscribe
            const published = new Map<string, number>()
            const subscriber = yield* Effect.forkChild(
              Stream.runForEach(results, (result) =>
                Effect.sync(() => published.set(result.id, (published.get(result.id) ?? 0) + 1)))
            )
            const ids = yield* Effect.forEach(specs, (spec, i) =>
              manager.add(send, { to: `${i}@x`, ms: spec.ms }))
            yield* Effect.forEach(specs, (spec, i) =>
              spec.cancel ? Effect.asVoid(manager.cancel(ids[i]!)) : Effect.void, {
              concurrency: "unbounded"
            })
            yield* manager.shutdown({ drain: true })
            yield* Fiber.join(subscriber)
            for (const [i, id] of ids.entries()) {
              const status = yield* manager.status(id)
              assert.oneOf(status.state, ["succeeded", "failed", "cancelled"], `task ${i}`)
              assert.strictEqual(published.get(id), 1, `task ${i} published once`)
              if (status.state === "succeeded") {
                assert.strictEqual(status.attempts, specs[i]!.bounces + 1)
              }
              if (status.state === "failed") {
                assert.strictEqual(status.attempts, retries + 1)
              }
            }
            assert.strictEqual(published.size, ids.length)
          })
        ),
      { arbitrary: { runs: harness.propertyRuns } }
    )
  })
