/**
 * Review regression tests (issue 27, second round): each failed before its fix (checked by
 * stashing `src/`).
 *
 * Review (round 2): `DashboardService.snapshot(from)` — "What the page would be sent now: the
 * task records numbered `from` or later (default: every one kept)". It is an
 * `Effect<Snapshot>` (no error channel), yet a `from` that is not a safe integer (NaN, a
 * fraction) kills the fiber with `RangeError: Invalid array length` (from `RecordRing.since`).
 * The HTTP route guards `from` (`fromOf`); the service, which scripts call directly, does not.
 */
import { assert, describe, it } from "@effect/vitest"
import * as FiberPool from "@fiberkit/executor/FiberPool"
import { Effect, Exit } from "effect"
import * as Dashboard from "../src/Dashboard.js"

describe("review2: snapshot(from) with odd values", () => {
  for (const from of [Number.NaN, 1.5]) {
    it.live(`snapshot(${from}) answers a snapshot instead of dying`, () =>
      Effect.gen(function*() {
        const dashboard = yield* Dashboard.Dashboard
        const pool = yield* FiberPool.make({ concurrency: 1, name: "from-edge" })
        for (let i = 0; i < 3; i++) yield* Effect.flatMap(pool.submit(Effect.void), (future) => future.result)
        const all = yield* dashboard.snapshot(0)
        assert.strictEqual(all.cursor, 3, "three records kept")
        const exit = yield* Effect.exit(dashboard.snapshot(from))
        assert.isTrue(Exit.isSuccess(exit), `snapshot(${from}) ended ${String(exit)}`)
      }).pipe(Effect.scoped, Effect.provide(Dashboard.layer({ port: 0 }))))
  }
})
