/**
 * Review regression tests (issue 27, second round): each failed before its fix (checked by
 * stashing `src/`).
 *
 * Review (round 2): the dashboard under a `TestClock` (a program's test, `it.effect`,
 * `TestTime.run`). The recorder is made for it (`Recorder.nowOf`: "any other's (a TestClock) as it
 * tells them"), but the server's own timers run on the program's clock too:
 *
 * - `every` — "How often an open page gets new figures" — is a `Stream.tick` on the TestClock:
 *   an open page gets its first snapshot and then nothing (unless the test moves the clock);
 * - a store that does not answer — README: "A task manager's store that fails, or does not
 *   answer within 3 seconds, while the page reads it is shown on the page …, never raised and
 *   never waited for" — is waited for for ever: the 3 seconds are TestClock seconds.
 *
 * The HTTP calls below run on real time (fetch with a real abort timer): deterministic.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Dashboard from "../src/Dashboard.js"

/** The events an `/events` stream sends within `millis` of real time. */
const eventsWithin = (url: string, millis: number) =>
  Effect.promise(async () => {
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), millis)
    let text = ""
    try {
      const response = await fetch(`${url}events`, { signal: controller.signal })
      const reader = response.body!.getReader()
      const decoder = new TextDecoder()
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        text += decoder.decode(value)
      }
    } catch {
      // aborted: what came so far counts
    } finally {
      clearTimeout(timer)
    }
    return text.split("\n\n").filter((event) => event.startsWith("data: ")).length
  })

/** An `/api/snapshot` answer's status within `millis` of real time, or "no answer". */
const snapshotWithin = (url: string, millis: number) =>
  Effect.promise(async () => {
    try {
      const response = await fetch(`${url}api/snapshot`, { signal: AbortSignal.timeout(millis) })
      return String(response.status)
    } catch {
      return "no answer"
    }
  })

describe("review2: the dashboard under a TestClock", () => {
  it.effect("an open page gets new figures every `every` (50 ms): several in 1.5 s", () =>
    Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      const events = yield* eventsWithin(url, 1_500)
      assert.isAtLeast(events, 3, `${events} event(s) in 1.5 s with every = 50 ms`)
    }).pipe(Effect.scoped, Effect.provide(Dashboard.layer({ port: 0, every: "50 millis" }))))

  it.effect(
    "a store that never answers does not keep the snapshot waiting beyond 3 seconds",
    () =>
      Effect.gen(function*() {
        const { url } = yield* Dashboard.Dashboard
        yield* Dashboard.watchTasks("stuck", {
          list: () => Effect.never,
          status: () => Effect.never,
          cancel: () => Effect.never,
          retry: () => Effect.never,
          retryAll: () => Effect.never
        })
        const status = yield* snapshotWithin(url, 6_000)
        assert.strictEqual(status, "200")
      }).pipe(Effect.scoped, Effect.provide(Dashboard.layer({ port: 0 }))),
    15_000
  )
})
