/**
 * Advanced pool patterns — submit, Future and Executor.asCompleted.
 *
 * The guide's `process_with_results`: five tasks submitted to a pool of 3 workers, task N
 * taking N × 0.1 s, and each result handled as soon as its task completes (`as_completed`),
 * shortest first. Task 3 fails with a typed error: `future.result` fails with it, the loop
 * reports it and carries on with the others. Then the guide's `safe_worker` tip (handle thread
 * exceptions properly): a risky task wrapped so that its failure is logged and becomes `None`,
 * the results gathered with `pool.map`. Last, what Python cannot do: `cancel` a task that is
 * already running — it is interrupted, and its `result` fails `FutureCancelled`.
 *
 * `--timeline FILE.svg` draws the tasks of the three pools in FILE.svg, one row per worker — the
 * waits on 3 workers, task 3's failure, the cancelled task interrupted; `--chart` prints the same
 * chart here (see `timeline.ts`).
 *
 * Run: pnpm tsx examples/07-as-completed.ts
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import type { Future } from "@fiberkit/executor"
import { Executor, FiberPool } from "@fiberkit/executor"
import { Console, Data, Effect, Option, Result, Stream } from "effect"
import { withTimeline } from "./timeline.js"

class TaskFailed extends Data.TaggedError("TaskFailed")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

const taskWithResult = (taskId: number) =>
  Effect.gen(function*() {
    yield* Effect.sleep(`${taskId * 100} millis`)
    if (taskId === 3) return yield* new TaskFailed({ reason: `task ${taskId} hit a bad record` })
    return `Task ${taskId} result`
  })

// Handle individual task completion.
const processWithResults = Effect.scoped(Effect.gen(function*() {
  const pool = yield* FiberPool.make({ concurrency: 3 })
  // Submit tasks and remember which future runs which task (the guide's future_to_task)
  const futureToTask = new Map<Future.Future<string, TaskFailed>, number>()
  for (let i = 1; i <= 5; i++) futureToTask.set(yield* pool.submit(taskWithResult(i)), i)

  // Process results as they complete
  yield* Executor.asCompleted(futureToTask.keys()).pipe(
    Stream.runForEach((future) =>
      Effect.gen(function*() {
        const taskId = futureToTask.get(future)!
        const result = yield* Effect.result(future.result)
        yield* Result.match(result, {
          onSuccess: (value) => Console.log(`Completed: ${value}`),
          onFailure: (error) => Console.log(`Task ${taskId} failed: ${error.message}`)
        })
      })
    )
  )
}))

const riskyTask = (n: number) =>
  n % 2 === 0 ? Effect.fail(new TaskFailed({ reason: `${n} is even` })) : Effect.succeed(n * n)

// The guide's safe_worker: a failure is logged and becomes None instead of failing the caller.
// (`Effect.option(task)` does the same without the log line.)
const safeWorker = <A>(task: Effect.Effect<A, TaskFailed>) =>
  task.pipe(
    Effect.map(Option.some),
    Effect.catch((error) => Effect.as(Console.log(`Task failed: ${error.message}`), Option.none<A>()))
  )

const safeWorkers = Effect.scoped(Effect.gen(function*() {
  const pool = yield* FiberPool.make() // default worker count, as ThreadPoolExecutor()
  const results = yield* pool.map([1, 2, 3, 4, 5], (arg) => safeWorker(riskyTask(arg)))
  yield* Console.log(
    `Results: [${results.map(Option.match({ onNone: () => "None", onSome: String })).join(", ")}]`
  )
}))

// Cancel a running task: it is interrupted (its finalizers run), its result fails FutureCancelled.
const cancelRunning = Effect.scoped(Effect.gen(function*() {
  const pool = yield* FiberPool.make({ concurrency: 1 })
  const longTask = Effect.sleep("1 minute").pipe(
    Effect.as("finished"),
    Effect.onInterrupt(() => Console.log("Long task interrupted: its finalizers run"))
  )
  const future = yield* pool.submit(longTask)
  yield* Effect.sleep("50 millis")
  yield* Console.log(`Long task running: ${yield* future.isRunning}`)
  yield* Console.log(`Cancelled a running task: ${yield* future.cancel}`)
  const result = yield* Effect.result(future.result)
  yield* Console.log(
    `Its result: ${Result.match(result, { onFailure: (e) => `fails ${e._tag} (${e.message})`, onSuccess: String })}`
  )
}))

const program = Effect.gen(function*() {
  yield* Console.log("5 tasks (task N takes N × 0.1 s; task 3 fails) on 3 workers, handled as they complete:")
  yield* processWithResults
  yield* Console.log("\nsafe_worker: a failed task is logged and becomes None:")
  yield* safeWorkers
  yield* Console.log("\nCancel:")
  yield* cancelRunning
})

NodeRuntime.runMain(
  withTimeline(program, { title: "07 · Advanced pool patterns: submit, as_completed, cancel on FiberPools" })
)
