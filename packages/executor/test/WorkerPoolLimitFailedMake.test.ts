/**
 * Review regression tests (issue 27, second round): each failed before its fix (checked by
 * stashing `src/`).
 *
 * Review of `fiberkit_limit` as the pools publish it. Fails against the current code.
 */
import { assert, describe, it } from "@effect/vitest"
import { Telemetry } from "@fiberkit/sync"
import { Effect, Exit, Metric } from "effect"
import * as WorkerPool from "../src/WorkerPool.js"
import { cells } from "./fixtures/handshake.js"
import { admitFirst } from "./fixtures/tasks.js"

const tasks = new URL("./fixtures/tasks.js", import.meta.url)

const metered = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.scoped(effect).pipe(Effect.provideService(Metric.MetricRegistry, new Map()), Effect.provide(Telemetry.layer()))

describe("review: WorkerPool fiberkit_limit", { timeout: 30_000 }, () => {
  // Promise (Telemetry module docs): `fiberkit_limit` is "the instance's limit now: as made, or as
  // last resized" — "set when the instance is made and at every change"; executor README: "a grow
  // that fails goes back to the old size, and so does the limit". A WorkerPool whose make fails (a
  // worker cannot start) is no instance, yet it sets the limit of its group before its workers
  // start, and leaves it: the live pool of that name now reads 4 while it keeps 1 worker.
  it.live("a make that fails (a worker cannot start) leaves the limit of the live pool of its name", () =>
    metered(Effect.gen(function*() {
      const admitted = cells()
      const live = yield* WorkerPool.make({
        module: tasks,
        concurrency: 1,
        name: "cpu",
        initializer: admitFirst({ cells: admitted, workers: 2 })
      })
      const limit = Effect.map(Telemetry.values("WorkerPool", "cpu"), (v) => v.limit)
      assert.strictEqual(yield* limit, 1)
      // a second pool of the same name (a restart, a second deployment): its third worker is refused
      const second = yield* Effect.exit(Effect.scoped(WorkerPool.make({
        module: tasks,
        concurrency: 4,
        name: "cpu",
        initializer: admitFirst({ cells: admitted, workers: 2 })
      })))
      assert.isTrue(Exit.isFailure(second))
      assert.strictEqual(live.concurrency, 1)
      // expected 1 (the only pool of the group keeps 1 worker); observed 4
      assert.strictEqual(yield* limit, live.concurrency)
    })))
})
