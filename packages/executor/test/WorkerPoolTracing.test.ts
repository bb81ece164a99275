/**
 * Traces across threads: a call submitted under a span gets a `WorkerPool.call <task>` span (a
 * child of the submitter's) and its `WorkerPool.wait`; its task runs in the worker thread under
 * the call span, so the spans it opens there (recorded by the tracer the worker module's `serve`
 * layer installs, see `fixtures/traced.ts`) belong to the submitter's trace. Without a span,
 * nothing is made and nothing crosses.
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen } from "@fiberkit/testkit"
import type { Tracer } from "effect"
import { Clock, Effect, Option } from "effect"
import * as WorkerThreads from "node:worker_threads"
import * as WorkerPool from "../src/WorkerPool.js"
import { cells, how, release, started } from "./fixtures/handshake.js"
import { sharedPool } from "./fixtures/sharedPool.js"
import { heldSpan, parentOf, recordingTracer, traced, view, workerSpans } from "./fixtures/traced.js"

const module = new URL("./fixtures/traced.js", import.meta.url)

/** Runs `body` with an in-memory tracer on the main thread; gives it the spans made so far. */
const withSpans = <A, E, R>(body: (spans: () => Array<Tracer.NativeSpan>) => Effect.Effect<A, E, R>) => {
  const spans: Array<Tracer.NativeSpan> = []
  return Effect.withTracer(body(() => spans), recordingTracer(spans))
}

const named = (spans: ReadonlyArray<Tracer.NativeSpan>, name: string): Array<Tracer.NativeSpan> =>
  spans.filter((span) => span.name === name)

const parentId = (span: Tracer.NativeSpan): string | undefined => Option.getOrUndefined(span.parent)?.spanId

/** The `WorkerPool.call` and `WorkerPool.wait` spans of the call submitted under the span `caller`, if any. */
const callOf = (spans: ReadonlyArray<Tracer.NativeSpan>, caller: string) => {
  const of = named(spans, caller)[0]
  const call = of && spans.find((span) => parentId(span) === of.spanId)
  const wait = call && spans.find((span) => parentId(span) === call.spanId)
  return { caller: of, call, wait }
}

/** The RUN messages (see `Protocol.RUN`) posted to worker threads while `effect` runs. */
const runMessages = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.suspend(() => {
    const posted: Array<ReadonlyArray<unknown>> = []
    const post = WorkerThreads.Worker.prototype.postMessage
    return Effect.acquireUseRelease(
      Effect.sync(() => {
        WorkerThreads.Worker.prototype.postMessage = function(this: WorkerThreads.Worker, message: unknown) {
          if (Array.isArray(message) && message[0] === 1) posted.push(message)
          return post.call(this, message)
        }
      }),
      () => Effect.map(effect, (a) => [a, posted] as const),
      () => Effect.sync(() => WorkerThreads.Worker.prototype.postMessage = post)
    )
  })

describe("WorkerPool traces across threads", { timeout: 60_000, concurrent: false }, () => {
  it.live("a call's spans are children of its submitter's span; the task's spans in the worker, of the call's", () =>
    withSpans((spans) =>
      Effect.scoped(Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module, concurrency: 1, name: "crunch" })
        const inner = yield* Effect.withSpan(Effect.flatMap(pool.submit(traced("a")), (f) => f.result), "caller")
        const [caller] = named(spans(), "caller")
        const [call] = named(spans(), "WorkerPool.call traced")
        const [wait] = named(spans(), "WorkerPool.wait")
        assert.deepStrictEqual(spans().map((span) => span.name).sort(), [
          "WorkerPool.call traced",
          "WorkerPool.wait",
          "caller"
        ])
        assert.strictEqual(parentId(call!), caller!.spanId)
        assert.strictEqual(parentId(wait!), call!.spanId)
        assert.deepStrictEqual([call!.traceId, wait!.traceId], [caller!.traceId, caller!.traceId])
        assert.deepStrictEqual(
          Object.fromEntries(call!.attributes),
          { "fiberkit.task.name": "traced", "fiberkit.pool.name": "crunch", "fiberkit.worker.slot": 0 }
        )
        assert.deepStrictEqual([view(call!).status, view(wait!).status], ["success", "success"])
        // the span the task opened in the worker: in the caller's trace, under the call's span
        assert.deepStrictEqual(inner, {
          name: "inner a",
          traceId: caller!.traceId,
          spanId: inner.spanId,
          parentSpanId: call!.spanId,
          status: "started"
        })
        // and it reached the worker's own tracer (the one its `serve` layer installs), ended
        const recorded = yield* Effect.flatMap(pool.submit(workerSpans()), (f) => f.result)
        assert.deepStrictEqual(recorded, [{ ...inner, status: "success" }])
        // the calls made without a span made none, here or there
        assert.strictEqual(spans().length, 3)
      }))
    ))

  it.live("calls sent together to one worker each run under their own call's span", () =>
    withSpans((spans) =>
      Effect.scoped(Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module, concurrency: 1 })
        const labels = ["a", "b", "c", "d", "e", "f"]
        // all submitted before any runs: the worker is sent several in one message
        const futures = yield* Effect.forEach(labels, (label) => Effect.withSpan(pool.submit(traced(label)), label))
        const inners = yield* Effect.forEach(futures, (future) => future.result)
        const calls = named(spans(), "WorkerPool.call traced")
        labels.forEach((label, i) => {
          const [caller] = named(spans(), label)
          const call = calls.find((call) => parentId(call) === caller!.spanId)!
          assert.strictEqual(inners[i]!.name, `inner ${label}`)
          assert.strictEqual(inners[i]!.parentSpanId, call.spanId, label)
          assert.strictEqual(inners[i]!.traceId, caller!.traceId, label)
        })
      }))
    ))

  it.live("a call's wait ends when it starts on the worker: before it is seen running, after the call before ends", () => {
    const first = cells()
    return withSpans((spans) =>
      Effect.scoped(Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module, concurrency: 1 })
        const held = yield* Effect.withSpan(pool.submit(heldSpan(first)), "first")
        const next = yield* Effect.withSpan(pool.submit(traced("next")), "next")
        yield* started(first)
        const seenRunning = yield* Clock.currentTimeNanos
        const releasedAt = yield* Clock.currentTimeNanos
        yield* release(first)
        yield* held.result
        yield* next.result
        const waitOf = (caller: string) => {
          const { wait } = callOf(spans(), caller)
          assert.strictEqual(wait!.status._tag, "Ended")
          return wait!.status as Extract<Tracer.SpanStatus, { _tag: "Ended" }>
        }
        // sent to an idle worker: its wait ended when it was sent, before the test saw it run
        assert.isTrue(waitOf("first").endTime <= seenRunning)
        // held behind it on the worker: it waited until the first one ended
        assert.isTrue(waitOf("next").endTime >= releasedAt)
        assert.isTrue(waitOf("next").endTime >= waitOf("next").startTime)
      })).pipe(Effect.ensuring(release(first)))
    )
  })

  it.live("without a span no span is made and the RUN message carries no trace; with one, it does", () =>
    withSpans((spans) =>
      Effect.scoped(Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module, concurrency: 1 })
        const [plain, plainRuns] = yield* runMessages(Effect.flatMap(pool.submit(parentOf()), (f) => f.result))
        assert.isNull(plain)
        assert.deepStrictEqual(spans(), [])
        assert.deepStrictEqual(plainRuns.map((message) => message.length), [2])
        const [underSpan, tracedRuns] = yield* runMessages(
          Effect.withSpan(Effect.flatMap(pool.submit(parentOf()), (f) => f.result), "caller")
        )
        const [call] = named(spans(), "WorkerPool.call parentOf")
        assert.strictEqual(underSpan, call!.spanId)
        assert.deepStrictEqual(tracedRuns.map((message) => message.length), [3])
        assert.deepStrictEqual((tracedRuns[0]![2] as ReadonlyArray<unknown>).slice(1), [
          call!.traceId,
          call!.spanId,
          true
        ])
      }))
    ))

  it.live("a call cancelled while it runs, and one cancelled while it waits, end their spans interrupted", () => {
    const running = cells()
    return withSpans((spans) =>
      Effect.scoped(Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module, concurrency: 1 })
        const held = yield* Effect.withSpan(pool.submit(heldSpan(running)), "running")
        const queued = yield* Effect.withSpan(pool.submit(traced("queued")), "queued")
        yield* started(running)
        assert.isTrue(yield* queued.cancel)
        // the worker is terminated under it
        assert.isTrue(yield* held.cancel)
        assert.deepStrictEqual([how(yield* held.await), how(yield* queued.await)], [
          "FutureCancelled",
          "FutureCancelled"
        ])
        const statuses = Object.fromEntries(["running", "queued"].map((caller) => {
          const { call, wait } = callOf(spans(), caller)
          return [caller, [view(call!).status, view(wait!).status]]
        }))
        // the running one had stopped waiting; the queued one never did
        assert.deepStrictEqual(statuses, {
          running: ["interrupted", "success"],
          queued: ["interrupted", "interrupted"]
        })
        // nothing left open, and the replacement worker serves traced calls
        const again = yield* Effect.withSpan(Effect.flatMap(pool.submit(traced("again")), (f) => f.result), "again")
        assert.strictEqual(again.traceId, named(spans(), "again")[0]!.traceId)
        assert.deepStrictEqual(spans().filter((span) => span.status._tag === "Started").map((span) => span.name), [])
      })).pipe(Effect.ensuring(release(running)))
    )
  })

  it.live("a call held behind another on the worker, cancelled once it runs, had stopped waiting", () => {
    const first = cells()
    const second = cells()
    return withSpans((spans) =>
      Effect.scoped(Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module, concurrency: 1 })
        const one = yield* Effect.withSpan(pool.submit(heldSpan(first)), "one")
        // sent to the worker behind the first (a worker holds two calls at least)
        const two = yield* Effect.withSpan(pool.submit(heldSpan(second)), "two")
        yield* started(first)
        yield* release(first)
        yield* one.result
        yield* started(second)
        assert.isTrue(yield* two.cancel)
        const { call, wait } = callOf(spans(), "two")
        // it never replied: the pool knew it started from the reply before it
        assert.deepStrictEqual([view(call!).status, view(wait!).status], ["interrupted", "success"])
      })).pipe(Effect.ensuring(Effect.andThen(release(first), release(second))))
    )
  })

  it.live("a call made by an effect the pool runs is a child of that effect's span, itself the submitter's child", () =>
    withSpans((spans) =>
      Effect.scoped(Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module, concurrency: 1 })
        const inner = yield* Effect.withSpan(
          Effect.flatMap(pool.submit(Effect.withSpan(traced("routed"), "main-thread effect")), (f) => f.result),
          "caller"
        )
        const [caller] = named(spans(), "caller")
        const [effect] = named(spans(), "main-thread effect")
        const [call] = named(spans(), "WorkerPool.call traced")
        assert.strictEqual(parentId(effect!), caller!.spanId)
        assert.strictEqual(parentId(call!), effect!.spanId)
        assert.strictEqual(inner.parentSpanId, call!.spanId)
        assert.strictEqual(inner.traceId, caller!.traceId)
      }))
    ))

  describe("at random", () => {
    const Shared = sharedPool(2, module)

    it.live.prop(
      "every call under a span runs under its own call span, every other under none; every span ends",
      [Gen.array(
        Gen.record({ traced: Gen.boolean, cancel: Gen.constantFrom("no", "at once", "after the previous ended") }),
        { maxLength: 30 }
      )],
      ([specs]) =>
        withSpans((spans) =>
          Effect.gen(function*() {
            const pool = yield* Shared
            const futures = yield* Effect.forEach(specs, (spec, i) => {
              const submit = pool.submit(traced(String(i)))
              return spec.traced ? Effect.withSpan(submit, `caller ${i}`) : submit
            })
            yield* Effect.forEach(specs, (spec, i) => {
              if (spec.cancel === "no") return Effect.void
              const wait = spec.cancel === "at once" || i === 0 ? Effect.void : futures[i - 1]!.await
              return Effect.andThen(wait, futures[i]!.cancel)
            }, { discard: true })
            const exits = yield* Effect.forEach(futures, (future) => future.await)
            exits.forEach((exit, i) => {
              const { call, caller, wait } = callOf(spans(), `caller ${i}`)
              assert.strictEqual(caller !== undefined, specs[i]!.traced, `call ${i}`)
              if (call !== undefined) {
                assert.strictEqual(view(call).status, how(exit) === "success" ? "success" : "interrupted", `call ${i}`)
                assert.strictEqual(wait?.name, "WorkerPool.wait", `call ${i}`)
              }
              if (exit._tag === "Success") {
                assert.strictEqual(exit.value.parentSpanId, call?.spanId ?? null, `call ${i}`)
                if (call !== undefined) assert.strictEqual(exit.value.traceId, call.traceId, `call ${i}`)
              }
            })
            // the caller's, the call's and the wait's, for each traced call: nothing more, nothing open
            assert.strictEqual(spans().length, 3 * specs.filter((spec) => spec.traced).length)
            assert.deepStrictEqual(
              spans().filter((span) => span.status._tag === "Started").map((span) => span.name),
              []
            )
          })
        ),
      { arbitrary: { runs: 30 } }
    )
  })
})
