/**
 * A FiberPool task runs under its submitter's span, as a fiber the submitter forked would: the
 * spans it opens are children of the submitter's span, also when the pool's worker fiber that
 * runs it was started by another submitter, under another span.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Option, type Tracer } from "effect"
import * as FiberPool from "../src/FiberPool.js"
import { recordingTracer } from "./fixtures/traced.js"

describe("FiberPool traces", () => {
  it.live("a task's spans are children of its submitter's span, whichever worker fiber runs it", () => {
    const spans: Array<Tracer.NativeSpan> = []
    const byName = (name: string) => spans.find((span) => span.name === name)!
    const parentOf = (name: string) => Option.getOrUndefined(byName(name).parent)?.spanId
    return Effect.scoped(Effect.gen(function*() {
      const pool = yield* FiberPool.make({ concurrency: 1 })
      const gate = yield* Deferred.make<void>()
      // the only worker fiber is started by A's submit, and runs B's task after A's
      const a = yield* Effect.withSpan(pool.submit(Effect.withSpan(Deferred.await(gate), "task A")), "A")
      const b = yield* Effect.withSpan(pool.submit(Effect.withSpan(Effect.void, "task B")), "B")
      yield* Deferred.succeed(gate, undefined)
      yield* a.result
      yield* b.result
      // a map's tasks: each under the span the map was called in
      yield* Effect.withSpan(pool.map([1, 2, 3], (n) => Effect.withSpan(Effect.void, `item ${n}`)), "mapper")
      assert.strictEqual(parentOf("task A"), byName("A").spanId)
      assert.strictEqual(parentOf("task B"), byName("B").spanId)
      assert.strictEqual(byName("task B").traceId, byName("B").traceId)
      assert.notStrictEqual(byName("task B").traceId, byName("A").traceId)
      for (const n of [1, 2, 3]) assert.strictEqual(parentOf(`item ${n}`), byName("mapper").spanId)
    })).pipe(Effect.withTracer(recordingTracer(spans)))
  })
})
