/**
 * Basic threading — fibers are Effect's threads.
 *
 * Python starts a `threading.Thread` and `join`s it; Effect forks a fiber and joins it. Then
 * the guide's "multiple threads" pattern: three tasks at once, and the total time shows they
 * overlapped (about the longest task, not the sum). The guide's sleeps are cut to a fifth, so
 * that the tour stays short: its workers of 2 s and 1 s take 400 and 200 ms here, its tasks of
 * 1.5, 1 and 2 s take 300, 200 and 400 ms.
 *
 * `--timeline FILE.svg` draws each fiber's work in FILE.svg, one row per thread — the two workers,
 * then the three tasks side by side; `--chart` prints the same chart here (see `timeline.ts`).
 *
 * Run: pnpm tsx examples/01-basic-threads.ts
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Timeline } from "@fiberkit/observe"
import { Clock, Console, Duration, Effect, Fiber } from "effect"
import { withTimeline } from "./timeline.js"

/** A worker's body; under `--timeline`, recorded as a bar on its own row of `group`. */
const workerTask = (name: string, duration: Duration.Input, group: string) =>
  Effect.gen(function*() {
    const fiber = `#${yield* Effect.fiberId}`
    yield* Console.log(`Worker ${name} starting... (fiber ${fiber})`)
    yield* Effect.sleep(duration)
    yield* Console.log(`Worker ${name} completed!`)
  }).pipe(Timeline.recorded(name, { source: "fiber", group, lane: name }))

const seconds = (millis: number) => `${(millis / 1000).toFixed(2)}s`

// Method 1: fork two workers by hand, then wait for both (thread.start(); thread.join()).
const twoWorkers = Effect.gen(function*() {
  const thread1 = yield* Effect.forkChild(workerTask("Thread-1", "400 millis", "forked"))
  const thread2 = yield* Effect.forkChild(workerTask("Thread-2", "200 millis", "forked"))
  yield* Fiber.join(thread1)
  yield* Fiber.join(thread2)
})

// The "multiple threads" pattern: start every task, then wait for all of them.
const runMultipleTasks = (tasks: ReadonlyArray<readonly [name: string, millis: number]>) =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    yield* Effect.forEach(tasks, ([name, millis]) => workerTask(name, Duration.millis(millis), "at once"), {
      concurrency: "unbounded",
      discard: true
    })
    const total = (yield* Clock.currentTimeMillis) - start
    const sum = tasks.reduce((acc, [, millis]) => acc + millis, 0)
    yield* Console.log(
      `Total: ${seconds(total)} for ${tasks.length} tasks that take ${seconds(sum)} one after another ` +
        `— they overlapped (${(sum / total).toFixed(2)}x)`
    )
  })

const program = Effect.gen(function*() {
  yield* Console.log("Two workers, forked and joined:")
  yield* twoWorkers
  yield* Console.log("\nSeveral tasks at once:")
  yield* runMultipleTasks([["Task-A", 300], ["Task-B", 200], ["Task-C", 400]])
})

NodeRuntime.runMain(
  withTimeline(program, { title: "01 · Basic threading: two forked workers, then three tasks at once" })
)
