import { assert, describe, it } from "@effect/vitest"
import { Gen, TestTime } from "@fiberkit/testkit"
import { Cause, Deferred, Effect, Exit, Fiber, Schedule, Schema, type Scope, Stream } from "effect"
import { TestClock } from "effect/testing"
import * as TaskManager from "../src/TaskManager.js"
import * as TaskStore from "../src/TaskStore.js"
import { emails } from "./contract.js"

// the contract's email task: it takes `ms`, and bounces for an address in `bouncing`

describe("TaskManager", () => {
  it.effect("runs added tasks on its workers; every outcome is published once; status tells the rest", () =>
    Effect.gen(function*() {
      const send = emails()
      const manager = yield* TaskManager.make({ tasks: [send], concurrency: 2 })
      const results = yield* manager.subscribe
      const collected = yield* Effect.forkChild(Stream.runCollect(Stream.take(results, 3)))
      const ids = yield* Effect.forEach(["a@x", "b@x", "c@x"], (to) => manager.add(send, { to, ms: 100 }))
      yield* TestTime.run(manager.join)
      const outcomes = yield* Fiber.join(collected)
      assert.deepStrictEqual(outcomes.map((r) => r.state), ["succeeded", "succeeded", "succeeded"])
      assert.deepStrictEqual([...outcomes.map((r) => r.id)].sort(), [...ids].sort())
      // two workers: the third started when the first ended
      const status = yield* manager.status(ids[2]!)
      assert.strictEqual(status.state, "succeeded")
      assert.strictEqual(status.attempts, 1)
      assert.strictEqual(status.startedAt, 100)
      assert.strictEqual(status.finishedAt, 200)
    }).pipe(Effect.provide(TaskStore.layerMemory)))

  it.effect("a drained shutdown publishes every outcome, then ends the results streams", () =>
    Effect.gen(function*() {
      const send = emails()
      const manager = yield* TaskManager.make({ tasks: [send], concurrency: 2 })
      const results = yield* manager.subscribe
      const all = yield* Effect.forkChild(Stream.runCollect(results))
      yield* Effect.forEach(["a@x", "b@x", "c@x"], (to) => manager.add(send, { to, ms: 10 }))
      yield* TestTime.run(manager.shutdown({ drain: true }))
      assert.strictEqual((yield* Fiber.join(all)).length, 3)
    }).pipe(Effect.provide(TaskStore.layerMemory)))

  it.effect("a failed attempt is retried on the schedule; attempts are counted; the last failure is kept", () =>
    Effect.gen(function*() {
      const send = emails(new Map([["flaky@x", 1], ["dead@x", 10]]))
      const manager = yield* TaskManager.make({
        tasks: [send],
        concurrency: 2,
        retry: Schedule.max([Schedule.spaced("1 second"), Schedule.recurs(2)])
      })
      const flaky = yield* manager.add(send, { to: "flaky@x", ms: 10 })
      const dead = yield* manager.add(send, { to: "dead@x", ms: 10 })
      yield* TestTime.run(manager.join)
      const ok = yield* manager.status(flaky)
      assert.strictEqual(ok.state, "succeeded")
      assert.strictEqual(ok.attempts, 2)
      const failed = yield* manager.status(dead)
      assert.strictEqual(failed.state, "failed")
      assert.strictEqual(failed.attempts, 3)
      assert.match(failed.error ?? "", /Bounced/)
    }).pipe(Effect.provide(TaskStore.layerMemory)))

  it.effect("an attempt over the timeout fails TaskTimeout", () =>
    Effect.gen(function*() {
      const send = emails()
      const manager = yield* TaskManager.make({ tasks: [send], timeout: "50 millis" })
      const results = yield* manager.subscribe
      const first = yield* Effect.forkChild(Stream.runHead(results))
      yield* manager.add(send, { to: "slow@x", ms: 100 })
      yield* TestTime.run(manager.join)
      const result = (yield* Fiber.join(first)).pipe((o) => o._tag === "Some" ? o.value : undefined)!
      assert(result.state === "failed", result.state)
      assert.strictEqual(result.error._tag, "TaskTimeout")
    }).pipe(Effect.provide(TaskStore.layerMemory)))

  it.effect("cancel: a queued task never runs; a running one is interrupted; an ended one stays", () =>
    Effect.gen(function*() {
      const started: Array<string> = []
      const block = yield* Deferred.make<void>()
      const job = TaskManager.define("job", {
        args: Schema.String,
        run: (name) => Effect.andThen(Effect.sync(() => started.push(name)), Deferred.await(block))
      })
      const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1 })
      const running = yield* manager.add(job, "running")
      const queued = yield* manager.add(job, "queued")
      yield* TestClock.adjust(1)
      assert.isTrue(yield* manager.cancel(queued))
      assert.isTrue(yield* manager.cancel(running))
      yield* manager.join
      assert.deepStrictEqual(started, ["running"])
      assert.strictEqual((yield* manager.status(queued)).state, "cancelled")
      assert.strictEqual((yield* manager.status(running)).state, "cancelled")
      assert.isFalse(yield* manager.cancel(running))
      assert.strictEqual((yield* Effect.flip(manager.cancel("nope")))._tag, "TaskNotFound")
    }).pipe(Effect.provide(TaskStore.layerMemory)))

  it.effect("bad input fails at add: arguments the Schema rejects, an unknown task; after shutdown, no add", () =>
    Effect.gen(function*() {
      const send = emails()
      const manager = yield* TaskManager.make({ tasks: [send] })
      const bad = yield* Effect.flip(manager.add(send, { to: 42, ms: 1 } as never))
      assert.strictEqual(bad._tag, "InvalidTaskArgs")
      assert.match(bad.message, /send-email/)
      assert.strictEqual((yield* Effect.flip(manager.add("nope" as never, {} as never)))._tag, "UnknownTask")
      yield* manager.shutdown({ drain: true })
      assert.strictEqual((yield* Effect.flip(manager.add(send, { to: "a@x", ms: 1 })))._tag, "TaskManagerShutDown")
      assert.strictEqual(
        (yield* Effect.flip(TaskManager.make({ tasks: [send], concurrency: 0 })))._tag,
        "InvalidOptions"
      )
      // a timeout that is not a duration ≥ 0 (it died in every task, or meant no limit)
      for (const timeout of ["soon", -5]) {
        const invalid = yield* Effect.flip(TaskManager.make({ tasks: [send], timeout: timeout as "1 second" }))
        assert.strictEqual(invalid._tag === "InvalidOptions" ? invalid.field : invalid._tag, "timeout")
      }
    }).pipe(Effect.provide(TaskStore.layerMemory)))

  it.effect("addAll adds many at once, all or nothing", () =>
    Effect.gen(function*() {
      const send = emails()
      const manager = yield* TaskManager.make({ tasks: [send], concurrency: 2 })
      const bad = yield* Effect.flip(manager.addAll(send, [{ to: "a@x", ms: 1 }, { to: 1, ms: 1 } as never]))
      assert.strictEqual(bad._tag, "InvalidTaskArgs")
      const ids = yield* manager.addAll(send, ["a@x", "b@x", "c@x"].map((to) => ({ to, ms: 10 })))
      yield* TestTime.run(manager.join)
      const states = yield* Effect.forEach(ids, (id) => Effect.map(manager.status(id), (s) => s.state))
      assert.deepStrictEqual(states, ["succeeded", "succeeded", "succeeded"])
    }).pipe(Effect.provide(TaskStore.layerMemory)))

  it.effect("shutdown without drain: running tasks stop and go back to the queue; queued ones stay queued", () =>
    Effect.gen(function*() {
      const send = emails()
      const manager = yield* TaskManager.make({ tasks: [send], concurrency: 1 })
      const first = yield* manager.add(send, { to: "a@x", ms: 100 })
      const second = yield* manager.add(send, { to: "b@x", ms: 100 })
      yield* TestClock.adjust(50)
      yield* manager.shutdown({ drain: false })
      const a = yield* manager.status(first)
      assert.strictEqual(a.state, "queued")
      assert.strictEqual(a.attempts, 1)
      assert.strictEqual((yield* manager.status(second)).state, "queued")
    }).pipe(Effect.provide(TaskStore.layerMemory)))
})

describe("TaskManager: the store is explicit", () => {
  // Failed before (as a compile error: an unused @ts-expect-error): without a store in the
  // options, make quietly kept tasks in memory when no TaskStore was provided.
  it.effect("without options.store, make requires the TaskStore service; with it, it does not", () =>
    Effect.gen(function*() {
      const send = emails()
      // @ts-expect-error the TaskStore service is in R: a program that forgets its store does not compile
      const forgotten: Effect.Effect<unknown, unknown, Scope.Scope> = TaskManager.make({ tasks: [send] })
      const explicit: Effect.Effect<unknown, unknown, Scope.Scope> = TaskManager.make({
        tasks: [send],
        store: yield* TaskStore.memory
      })
      // at run time too: the service is looked up, never replaced by a memory store
      const exit = yield* Effect.exit(Effect.scoped(forgotten as Effect.Effect<unknown, unknown, Scope.Scope>))
      assert.isTrue(Exit.hasDies(exit), "no TaskStore provided: make dies naming the missing service")
      assert.include(String(Exit.isFailure(exit) && Cause.squash(exit.cause)), "TaskStore")
      yield* Effect.scoped(explicit)
    }))
})

describe("TaskManager properties", () => {
  it.effect.prop(
    "every added task ends in exactly one final state, published exactly once — or stays queued after a stop",
    [
      Gen.array(
        Gen.record({
          ms: Gen.integer({ min: 0, max: 50 }),
          bounces: Gen.integer({ min: 0, max: 4 }),
          cancelAt: Gen.option(Gen.integer({ min: 0, max: 150 }), { nil: undefined })
        }),
        { maxLength: 15 }
      ),
      Gen.integer({ min: 1, max: 4 }),
      Gen.integer({ min: 0, max: 3 }),
      Gen.option(Gen.record({ at: Gen.integer({ min: 0, max: 200 }), drain: Gen.boolean }), {
        nil: undefined
      })
    ],
    ([specs, workers, retries, shutdown]) =>
      Effect.scoped(Effect.gen(function*() {
        const bouncing = new Map(specs.map((spec, i) => [`${i}@x`, spec.bounces] as const))
        const send = emails(bouncing)
        const manager = yield* TaskManager.make({
          tasks: [send],
          concurrency: workers,
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
          spec.cancelAt === undefined
            ? Effect.void
            : Effect.forkChild(Effect.andThen(Effect.sleep(spec.cancelAt), manager.cancel(ids[i]!))))
        const stop = shutdown === undefined
          ? manager.join
          : Effect.andThen(Effect.sleep(shutdown.at), manager.shutdown({ drain: shutdown.drain }))
        yield* TestTime.run(stop)
        // the results stream ends after the last outcome once the manager shuts down (again, if it
        // already has): the subscriber has then seen every outcome
        yield* TestTime.run(manager.shutdown({ drain: true }))
        yield* Fiber.join(subscriber)
        const stopped = shutdown !== undefined && !shutdown.drain
        for (const [i, id] of ids.entries()) {
          const status = yield* manager.status(id)
          if (status.state === "queued") {
            assert.isTrue(stopped, `task ${i} still queued without a stop`)
            assert.isUndefined(published.get(id), `task ${i} queued but published`)
            continue
          }
          assert.oneOf(status.state, ["succeeded", "failed", "cancelled"], `task ${i}`)
          assert.strictEqual(published.get(id), 1, `task ${i} published once`)
          if (status.state === "succeeded") assert.strictEqual(status.attempts, specs[i]!.bounces + 1)
          if (status.state === "failed") assert.strictEqual(status.attempts, retries + 1)
        }
        assert.strictEqual(published.size, ids.filter((id) => published.has(id)).length)
      })).pipe(Effect.provide(TaskStore.layerMemory)),
    { arbitrary: { runs: 60 }, timeout: 60_000 }
  )
})
