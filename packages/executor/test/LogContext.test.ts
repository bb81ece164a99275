import { assert, describe, it } from "@effect/vitest"
import { Effect, Logger, References } from "effect"
import type * as Executor from "../src/Executor.js"
import * as FiberPool from "../src/FiberPool.js"
import * as WorkerPool from "../src/WorkerPool.js"

/** A logger that keeps each line as `LEVEL message [annotations] [spans]`. */
const capture = () => {
  const lines: Array<string> = []
  const logger = Logger.make(({ fiber, logLevel, message }) => {
    const annotations = fiber.getRef(References.CurrentLogAnnotations)
    const tags = Object.entries(annotations).map(([key, value]) => `${key}=${String(value)}`)
    const names = fiber.getRef(References.CurrentLogSpans).map(([label]) => label)
    lines.push(`${logLevel.toUpperCase()} ${String(message)} [${tags.join(" ")}] [${names.join(" ")}]`)
  })
  return { lines, layer: Logger.layer([logger]) }
}

/** A caller with its own log annotation, log span, log level and minimum log level. */
const asCaller = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  effect.pipe(
    Effect.annotateLogs("request", "r-1"),
    Effect.withLogSpan("handler"),
    Effect.provideService(References.MinimumLogLevel, "Debug"),
    Effect.provideService(References.CurrentLogLevel, "Warn")
  )

const task = (where: string) => Effect.andThen(Effect.log(where), Effect.logDebug(`${where} details`))

/** Submits and maps `task` as the caller, then once without the caller's settings. */
const logFrom = (executor: Executor.Executor) =>
  Effect.gen(function*() {
    yield* (yield* asCaller(executor.submit(task("submit")))).result
    yield* asCaller(executor.map(["map"], task))
    yield* (yield* executor.submit(task("plain"))).result
  })

const expected = [
  "WARN submit [request=r-1] [handler]",
  "DEBUG submit details [request=r-1] [handler]",
  "WARN map [request=r-1] [handler]",
  "DEBUG map details [request=r-1] [handler]",
  // the pool's own settings are untouched
  "INFO plain [] []"
]

describe("a task logs with its submitter's annotations, log spans and log levels", () => {
  it.effect("on a FiberPool", () =>
    Effect.gen(function*() {
      const { layer, lines } = capture()
      yield* Effect.scoped(Effect.flatMap(FiberPool.make({ concurrency: 2 }), logFrom)).pipe(Effect.provide(layer))
      assert.deepStrictEqual(lines, expected)
    }))

  it.live("on a WorkerPool (effects that run on the main thread)", () =>
    Effect.gen(function*() {
      const { layer, lines } = capture()
      const module = new URL("./fixtures/tasks.js", import.meta.url)
      yield* Effect.scoped(Effect.flatMap(WorkerPool.make({ module, concurrency: 1 }), logFrom)).pipe(
        Effect.provide(layer)
      )
      assert.deepStrictEqual(lines, expected)
    }), 60_000)
})
