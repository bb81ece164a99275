/**
 * Review regression tests (issue 27, second round): each failed before its fix (checked by
 * stashing `src/`).
 *
 * Review (round 2): a Timeline (`@fiberkit/observe`) in force inside the dashboard's layer.
 *
 * `Dashboard.layer`: "turns on what it shows for everything made under it: `Telemetry` and a
 * recorder for the Timeline"; the module doc: "installs a recorder (forwarding to a Timeline
 * already in force)". The forwarding goes one way only: a Timeline made *inside* the dashboard —
 * `program.pipe(Effect.provide(Timeline.layer()), Effect.provide(Dashboard.layer()))`, or
 * `Timeline.recording(timeline)(effect)` under the dashboard — replaces the dashboard's recorder
 * (`Context.add(Recorder.currentRecorder, timeline.recorder)`; the Timeline's recorder keeps to its
 * ring and forwards nothing). A pool made there is on the page's figures (Telemetry is on), but
 * its tasks never reach the page's Timeline.
 */
import { assert, describe, it } from "@effect/vitest"
import * as FiberPool from "@fiberkit/executor/FiberPool"
import * as Timeline from "@fiberkit/observe/Timeline"
import { Effect } from "effect"
import * as Dashboard from "../src/Dashboard.js"

describe("review2: a Timeline inside the dashboard", () => {
  it.live("a pool made under a Timeline under the dashboard has its tasks on the page's Timeline", () =>
    Effect.gen(function*() {
      const dashboard = yield* Dashboard.Dashboard
      const inTimeline = yield* Effect.gen(function*() {
        const pool = yield* FiberPool.make({ concurrency: 1, name: "under-a-timeline" })
        yield* Effect.flatMap(pool.submit(Effect.void), (future) => future.result)
        return (yield* Effect.flatMap(Timeline.Timeline, (timeline) => timeline.records)).length
      }).pipe(Effect.scoped, Effect.provide(Timeline.layer()))

      const snapshot = yield* dashboard.snapshot()
      const onPage = snapshot.records.filter((r) => r.group === "under-a-timeline").length
      const onFigures = snapshot.instances.filter((i) => i.group === "under-a-timeline").length
      assert.deepStrictEqual(
        { timeline: inTimeline, figures: onFigures, pageTimeline: onPage },
        { timeline: 1, figures: 1, pageTimeline: 1 }
      )
    }).pipe(Effect.scoped, Effect.provide(Dashboard.layer({ port: 0 }))))
})
