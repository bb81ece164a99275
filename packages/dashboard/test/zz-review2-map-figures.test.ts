/**
 * Review (round 2): a `FiberPool.map` on the page — the README's own first example
 * (`pool.map([1, 2, 3, 4, 5, 6], (n) => Effect.sleep(...))`).
 *
 * `Snapshot.Instance.outcomes`: "Items ended so far, by outcome"; README: "Succeeded, failed,
 * interrupted, refused | `fiberkit_outcomes_total`", and the Timeline: "a bar per task that
 * ended". A map runs its items in lanes (FiberPool: "yet each item is a task"), and what reaches
 * the page is per lane, not per item: a map of 4 items, all of which succeed, on 2 workers shows
 * 2 or 3 succeeded and 1 or 2 interrupted (lanes left waiting in line, cancelled at the end), and
 * 2 or 3 bars. Nothing was interrupted.
 *
 * Fails on every run (the exact figures vary with timing: 2/1, 2/2, 3/2 seen).
 */
import { assert, describe, it } from "@effect/vitest"
import * as FiberPool from "@fiberkit/executor/FiberPool"
import { Effect } from "effect"
import * as Dashboard from "../src/Dashboard.js"

const mapped = Effect.gen(function*() {
  const dashboard = yield* Dashboard.Dashboard
  const pool = yield* FiberPool.make({ concurrency: 2, name: "mapped" })
  yield* pool.map([1, 2, 3, 4], (n) => Effect.sleep(`${n} millis`))
  const snapshot = yield* dashboard.snapshot()
  return {
    outcomes: snapshot.instances.find((i) => i.group === "mapped")!.outcomes,
    records: snapshot.records.filter((r) => r.group === "mapped")
  }
})

describe("review2: a map's items on the page", () => {
  it.live("a map of 4 items that all succeed shows 4 succeeded and none interrupted", () =>
    Effect.gen(function*() {
      const { outcomes } = yield* mapped
      assert.deepStrictEqual(
        { succeeded: outcomes.succeeded, failed: outcomes.failed, interrupted: outcomes.interrupted },
        { succeeded: 4, failed: 0, interrupted: 0 }
      )
    }).pipe(Effect.scoped, Effect.provide(Dashboard.layer({ port: 0 }))))

  it.live("a map of 4 items puts 4 successful bars on the Timeline", () =>
    Effect.gen(function*() {
      const { records } = yield* mapped
      assert.deepStrictEqual(records.map((r) => r.outcome), ["success", "success", "success", "success"])
    }).pipe(Effect.scoped, Effect.provide(Dashboard.layer({ port: 0 }))))
})
