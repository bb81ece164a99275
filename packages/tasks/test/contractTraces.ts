/**
 * The TaskManager contract for traces (issue 26): a task added under a span is traced as one
 * trace — the producer's span, `TaskManager.add`, then `TaskManager.wait` and `TaskManager.run`
 * (its children, wherever the task runs: the span ids travel in the record, through SQLite or a
 * BullMQ job), and the spans the task opens under `run`. A task added under no span makes none.
 * An in-memory tracer records the spans; every store.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option, Schedule, Schema, Tracer } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import { type StoreFactory, within, withStore } from "./contractKit.js"

class Once extends Schema.TaggedError<Once>()("Once", {}) {}

const recordingTracer = (spans: Array<Tracer.NativeSpan>): Tracer.Tracer =>
  Tracer.make({
    span(options) {
      const span = new Tracer.NativeSpan(options)
      spans.push(span)
      return span
    }
  })

const parentId = (span: Tracer.NativeSpan): string | undefined => Option.getOrUndefined(span.parent)?.spanId

const only = (spans: ReadonlyArray<Tracer.NativeSpan>, name: string): Tracer.NativeSpan => {
  const found = spans.filter((span) => span.name === name)
  assert.strictEqual(found.length, 1, `one span ${name}, found ${found.length}`)
  return found[0]!
}

export const contractTraces = (name: string, store: StoreFactory) =>
  describe(`TaskManager contract, traces: ${name}`, () => {
    it.live("producer → add → wait and run (and the task's own spans), one trace, wherever the task runs", () => {
      const spans: Array<Tracer.NativeSpan> = []
      return withStore(store, (store) =>
        Effect.gen(function*() {
          let failed = false
          const job = TaskManager.define("traced", {
            args: Schema.Number,
            failure: Once,
            run: (n) =>
              Effect.withSpan(
                Effect.suspend(() => n === 1 && !failed ? (failed = true, Effect.fail(new Once())) : Effect.void),
                "inside"
              )
          })
          const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store, retry: Schedule.recurs(1) })
          const id = yield* Effect.withSpan(manager.add(job, 1), "producer")
          yield* manager.add(job, 2)
          yield* within("join", manager.join)
          const producer = only(spans, "producer")
          const add = only(spans, "TaskManager.add traced")
          const wait = only(spans, "TaskManager.wait traced")
          const runs = spans.filter((span) => span.name === "TaskManager.run traced")
          assert.strictEqual(parentId(add), producer.spanId)
          assert.strictEqual(add.kind, "producer")
          assert.strictEqual(parentId(wait), add.spanId)
          // one run span per attempt: the first failed, the retry succeeded
          assert.strictEqual(runs.length, 2)
          for (const run of runs) {
            assert.strictEqual(parentId(run), add.spanId)
            assert.strictEqual(run.traceId, producer.traceId)
            assert.strictEqual(run.attributes.get("fiberkit.task.id"), id)
          }
          assert.deepStrictEqual(runs.map((run) => run.attributes.get("fiberkit.task.attempt")), [1, 2])
          assert.deepStrictEqual(runs.map((run) => run.status._tag === "Ended" && run.status.exit._tag), [
            "Failure",
            "Success"
          ])
          const [first] = runs
          if (wait.status._tag === "Ended" && first!.status._tag === "Ended") {
            assert.isTrue(wait.status.startTime <= wait.status.endTime)
            assert.isTrue(wait.status.endTime <= first!.status.startTime + BigInt(1_000_000))
          }
          // the task's own spans are children of its run span; the untraced task's are in a trace of their own
          const insides = spans.filter((span) => span.name === "inside")
          assert.strictEqual(insides.length, 3)
          const runIds = new Set(runs.map((run) => run.spanId))
          assert.strictEqual(insides.filter((inside) => runIds.has(parentId(inside)!)).length, 2)
          const untraced = insides.find((inside) => !runIds.has(parentId(inside) ?? ""))!
          assert.notStrictEqual(untraced.traceId, producer.traceId)
          assert.strictEqual(spans.filter((span) => span.name.startsWith("TaskManager.")).length, 4)
          assert.deepStrictEqual((yield* manager.status(id)).trace, {
            traceId: add.traceId,
            spanId: add.spanId,
            sampled: add.sampled
          })
        })).pipe(Effect.withTracer(recordingTracer(spans)))
    })
  })
