/**
 * Review regression tests (issue 27, second round): each failed before its fix (checked by
 * stashing `src/`).
 *
 * Review (round 2): a `cursor` kept across a restart of the dashboard (a script polling
 * `GET /api/snapshot?from=N`, the program restarted, or its layer rebuilt).
 *
 * README (Routes): "`from` is a snapshot's cursor: records already read are not sent again";
 * `Snapshot.cursor`: "Where the next snapshot's records start". The numbering starts again at 0
 * in a new dashboard, and a `from` past the newest record (which no snapshot of this dashboard can
 * have given) is taken at its word: every record of the new dashboard numbered below the old
 * cursor — never read by anyone — is withheld, until the new dashboard has recorded as many tasks
 * as the old one had. A `from` beyond `cursor` can only come from another dashboard; it should
 * be read as "everything kept".
 *
 * Deterministic.
 */
import { assert, describe, it } from "@effect/vitest"
import * as FiberPool from "@fiberkit/executor/FiberPool"
import { Effect, type Scope } from "effect"
import * as Dashboard from "../src/Dashboard.js"
import { snapshotOf } from "./fixtures.js"

const runTasks = (name: string, count: number) =>
  Effect.gen(function*() {
    const pool = yield* FiberPool.make({ concurrency: 1, name })
    for (let i = 0; i < count; i++) yield* Effect.flatMap(pool.submit(Effect.void), (future) => future.result)
  })

const served = <A, E>(effect: Effect.Effect<A, E, Dashboard.Dashboard | Scope.Scope>) =>
  effect.pipe(Effect.provide(Dashboard.layer({ port: 0 })), Effect.scoped)

describe("review2: a cursor from a dashboard that has since restarted", () => {
  it.live("the records of the new dashboard are sent to a poller that holds the old one's cursor", () =>
    Effect.gen(function*() {
      const oldCursor = yield* served(Effect.gen(function*() {
        const { url } = yield* Dashboard.Dashboard
        yield* runTasks("before-restart", 5)
        return (yield* snapshotOf(url)).cursor
      }))
      assert.strictEqual(oldCursor, 5)
      const records = yield* served(Effect.gen(function*() {
        const { url } = yield* Dashboard.Dashboard
        yield* runTasks("after-restart", 2)
        return (yield* snapshotOf(url, oldCursor)).records
      }))
      assert.strictEqual(
        records.filter((r) => r.group === "after-restart").length,
        2,
        "the 2 tasks that ended after the restart, never read, were not sent"
      )
    }))
})
