/**
 * From the third review (failed before the fix: the calls about to start are now the first in
 * line, bounded or not): `maxPending` counting when `submit` and `map` share the line.
 *
 * README, Bounded submission: "`maxPending: m` bounds the tasks from `submit` that wait … A task
 * an idle worker would take at once is never held or refused by it … `map`, `mapStream` and the
 * calls an effect makes are not bounded". `Workers.waitingBounded` counts the calls idle workers
 * are about to take as unbounded ones first, whatever their place in line: with B1 (from `submit`)
 * first in line for the idle worker and a map's calls behind it, B1 is counted as waiting and the
 * map's calls as starting — so a second `submit` is refused although, once the idle worker has
 * taken B1, no task from `submit` waits.
 *
 * Deterministic: B1, the map's start and B2 happen in one synchronous run (the map's fiber is
 * started immediately), before the dispatch that sends B1 (a microtask).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import * as WorkerPool from "../src/WorkerPool.js"
import { cells, how, release, started } from "./fixtures/handshake.js"
import { tasks, within } from "./fixtures/steering.js"
import { hold, whoAmI } from "./fixtures/tasks.js"

describe("WorkerPool: maxPending with a map in line", { timeout: 60_000, concurrent: false }, () => {
  it.live("a map's calls behind a submit the idle worker takes do not count against maxPending", () => {
    const h = cells()
    return Effect.scoped(
      Effect.gen(function*() {
        const pool = yield* WorkerPool.make({ module: tasks, concurrency: 1, maxPending: 1, onFull: "fail" })
        const b1 = yield* pool.submit(hold(h)) // the idle worker takes it at once
        const map = yield* Effect.forkChild(pool.map([1, 2], () => whoAmI()), { startImmediately: true })
        const b2 = yield* Effect.exit(pool.submit(whoAmI())) // the only task from submit that waits
        yield* within("B1 started", started(h))
        yield* release(h)
        yield* within("B1", b1.result)
        yield* within("the map", Fiber.join(map))
        assert.isTrue(
          Exit.isSuccess(b2),
          `B2 ${
            Exit.isSuccess(b2) ? "accepted" : `refused (${how(b2)}: ${Exit.isFailure(b2) ? String(b2.cause) : ""})`
          }`
        )
      }).pipe(Effect.ensuring(release(h)))
    )
  })
})
