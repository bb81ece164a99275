/**
 * Dashboard review regression tests: each failed before its fix (checked by stashing `src/`).
 *
 * `DashboardService.watchTasks` decides whether the name is free when the effect is made,
 * not when it runs — an effect made once and run twice watches one name twice, and the first
 * watch's end removes the second.
 */
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber } from "effect"
import * as Dashboard from "../src/Dashboard.js"

const source = (id: string): Dashboard.TaskSource => ({
  list: ({ state }) =>
    Effect.succeed(
      state === "queued"
        ? [{
          id,
          name: "job",
          state: "queued" as const,
          attempts: 0,
          addedAt: 0,
          startedAt: undefined,
          finishedAt: undefined,
          error: undefined,
          progress: undefined,
          replays: 0
        }]
        : []
    ),
  status: () => Effect.fail("none"),
  cancel: () => Effect.succeed(false),
  retry: () => Effect.succeed(false),
  retryAll: () => Effect.succeed(0)
})

describe("review: watchTasks", () => {
  it.live("the same watch effect run while its name is watched fails InvalidOptions", () =>
    Effect.gen(function*() {
      const dashboard = yield* Dashboard.Dashboard
      const watchJobs = dashboard.watchTasks("jobs", source("a-1"))
      const watching = yield* Deferred.make<void>()
      const first = yield* Effect.forkChild(
        Effect.scoped(Effect.andThen(watchJobs, Effect.andThen(Deferred.succeed(watching, undefined), Effect.never)))
      )
      yield* Deferred.await(watching)
      // "A name already watched fails `InvalidOptions`"
      const again = yield* Effect.exit(Effect.scoped(watchJobs))
      assert.isTrue(Exit.isFailure(again), "watching \"jobs\" a second time succeeded")
      // and the first watch is still on the page
      assert.deepStrictEqual((yield* dashboard.snapshot()).taskManagers.map((m) => m.name), ["jobs"])
      yield* Fiber.interrupt(first)
    }).pipe(Effect.provide(Dashboard.layer({ port: 0 }))))

  it.live("a watch effect made while its name was taken watches once the name is free", () =>
    Effect.gen(function*() {
      const dashboard = yield* Dashboard.Dashboard
      const firstWatch = yield* Effect.forkChild(
        Effect.scoped(Effect.andThen(dashboard.watchTasks("jobs", source("a-1")), Effect.never))
      )
      yield* Effect.yieldNow
      while ((yield* dashboard.snapshot()).taskManagers.length === 0) yield* Effect.sleep("10 millis")
      const later = dashboard.watchTasks("jobs", source("b-1")) // made now, run after the first watch ends
      yield* Fiber.interrupt(firstWatch)
      const exit = yield* Effect.exit(Effect.scoped(Effect.andThen(later, dashboard.snapshot())))
      assert.isTrue(Exit.isSuccess(exit), `the name is free, yet: ${JSON.stringify(exit)}`)
    }).pipe(Effect.provide(Dashboard.layer({ port: 0 }))))
})
