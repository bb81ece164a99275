import { assert, describe, it } from "@effect/vitest"
import { ConcurrencyProbe, Gen, TaskSet, TestTime } from "@fiberkit/testkit"
import { Cause, Clock, Effect, Exit, Option, Stream } from "effect"
import * as Executor from "../src/Executor.js"
import * as FiberPool from "../src/FiberPool.js"

describe("Executor.asCompleted", () => {
  it.effect("yields each future once, first finished first", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 4 })
      const futures = yield* Effect.forEach([30, 10, 40, 20], (ms) => pool.submit(Effect.as(Effect.sleep(ms), ms)))
      const order = yield* TestTime.run(Stream.runCollect(
        Executor.asCompleted([...futures, futures[0]!]).pipe(Stream.mapEffect((future) => future.result))
      ))
      assert.deepStrictEqual(order, [10, 20, 30, 40])
    })))

  it.effect("an empty set completes at once; failures are yielded like the others", () =>
    Effect.scoped(Effect.gen(function*() {
      assert.strictEqual((yield* Stream.runCollect(Executor.asCompleted([]))).length, 0)
      const pool = yield* FiberPool.make({ concurrency: 2 })
      const futures = yield* Effect.forEach(
        [1, 2],
        (i) => pool.submit(i === 1 ? Effect.fail("bad") : Effect.succeed(i))
      )
      const exits = yield* Stream.runCollect(Executor.asCompleted(futures).pipe(Stream.mapEffect((f) => f.await)))
      assert.strictEqual(exits.length, 2)
    })))
})

describe("Executor.wait", () => {
  const setup = Effect.gen(function*() {
    const pool = yield* FiberPool.make({ concurrency: 4 })
    return yield* Effect.forEach([
      Effect.as(Effect.sleep(10), 1),
      Effect.andThen(Effect.sleep(20), Effect.fail("boom")),
      Effect.as(Effect.sleep(30), 3),
      Effect.as(Effect.sleep(40), 4)
    ], (task) => pool.submit(task))
  })

  for (
    const [returnWhen, done] of [["FIRST_COMPLETED", 1], ["FIRST_EXCEPTION", 2], ["ALL_COMPLETED", 4]] as const
  ) {
    it.effect(`${returnWhen} returns when its condition holds`, () =>
      // the whole scope runs under TestTime: closing it waits for the tasks still running
      TestTime.run(Effect.scoped(Effect.gen(function*() {
        const futures = yield* setup
        const result = yield* Executor.wait(futures, { returnWhen })
        assert.strictEqual(result.done.length, done)
        assert.strictEqual(result.notDone.length, 4 - done)
      }))))
  }

  it.effect("FIRST_EXCEPTION without any failure waits for all", () =>
    Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 2 })
      const futures = yield* Effect.forEach([10, 20], (ms) => pool.submit(Effect.sleep(ms)))
      const result = yield* TestTime.run(Executor.wait(futures, { returnWhen: "FIRST_EXCEPTION" }))
      assert.strictEqual(result.done.length, 2)
    })))
})

describe("FiberPool properties", () => {
  it.effect.prop(
    "every task ends once as success, failure or cancellation; ≤ concurrency run; starts follow submission",
    [
      TaskSet.arbitrary({ maxTasks: 12, maxDuration: 40 }),
      Gen.integer({ min: 1, max: 4 }),
      Gen.option(Gen.record({ at: Gen.integer({ min: 0, max: 60 }), cancel: Gen.boolean }), {
        nil: undefined
      })
    ],
    ([tasks, concurrency, shutdown]) =>
      Effect.scoped(Effect.gen(function*() {
        const pool = yield* FiberPool.make({ concurrency })
        const probe = yield* ConcurrencyProbe.make
        const ends = new Map<number, number>()
        const futures = yield* Effect.forEach(tasks, (spec) =>
          pool.submit(probe.track(TaskSet.toEffect(spec), String(spec.id))))
        yield* Effect.forEach(futures, (future) =>
          future.onDone(() =>
            Effect.sync(() =>
              ends.set(future.id, (ends.get(future.id) ?? 0) + 1)
            )
          ))
        // cancellations: each task with `interruptAfter` is cancelled at that time
        yield* Effect.forEach(tasks, (spec, i) =>
          spec.interruptAfter === undefined
            ? Effect.void
            : Effect.forkChild(Effect.andThen(Effect.sleep(spec.interruptAfter), futures[i]!.cancel)))
        if (shutdown !== undefined) {
          yield* Effect.forkChild(
            Effect.andThen(Effect.sleep(shutdown.at), pool.shutdown({ cancelFutures: shutdown.cancel }))
          )
        }
        const exits = yield* TestTime.run(Effect.forEach(futures, (future) => future.await))
        // every task ended exactly once
        assert.deepStrictEqual([...ends.values()], futures.map(() => 1))
        // … as success, its own failure, or cancellation
        exits.forEach((exit, i) => {
          const how = Exit.isSuccess(exit)
            ? "success"
            : Option.match(Cause.findErrorOption(exit.cause), { onNone: () => "defect", onSome: (e) => e._tag })
          assert.oneOf(how, ["success", "TaskFailed", "FutureCancelled"], `task ${i}`)
        })
        assert.isAtMost(yield* probe.peak, concurrency)
        const started = (yield* probe.starts).map(Number)
        assert.deepStrictEqual(started, [...started].sort((a, b) => a - b))
      })),
    { arbitrary: { runs: 50 } }
  )

  it.effect.prop(
    "asCompleted yields each future once, in completion order",
    [TaskSet.arbitrary({ maxTasks: 10, maxDuration: 50, interruptions: false }), Gen.integer({ min: 1, max: 4 })],
    ([tasks, concurrency]) =>
      TestTime.run(Effect.scoped(Effect.gen(function*() {
        const pool = yield* FiberPool.make({ concurrency })
        const futures = yield* Effect.forEach(tasks, (spec) => pool.submit(TaskSet.toEffect(spec)))
        const finishedAt = new Map<number, number>()
        yield* Effect.forEach(futures, (future) =>
          future.onDone(() =>
            Effect.map(Clock.currentTimeMillis, (now) => void finishedAt.set(future.id, now))
          ))
        const order = (yield* Stream.runCollect(Executor.asCompleted(futures))).map((f) => f.id)
        assert.deepStrictEqual([...order].sort((a, b) => a - b), futures.map((f) => f.id))
        const times = order.map((id) => finishedAt.get(id)!)
        assert.deepStrictEqual(times, [...times].sort((a, b) => a - b))
      }))),
    { arbitrary: { runs: 40 } }
  )
})
