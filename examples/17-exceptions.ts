/**
 * Handle thread exceptions properly — typed failures and defects on a FiberPool.
 *
 * The guide's `safe_worker` wraps a task in `try/except Exception`, prints the error and returns
 * `None`, so that one failing task cannot spoil the results of the others. Python has one kind of
 * exception; Effect has two. A typed failure (`ParseError`, a `Data.TaggedError`) is expected:
 * it is in the task's type, `Effect<number, ParseError>`, and `Effect.catchTag("ParseError", …)`
 * handles it — and removes it from the type. A defect (a thrown `Error`, a bug) is in no type;
 * `catchTag` lets it through, `Effect.catchDefect` (or `Effect.exit`, which sees both) catches it.
 *
 * 1. Five risky tasks submitted to a FiberPool: one fails with a `ParseError`, one throws. The
 *    failures stay in their futures — the other tasks run on — and each future is inspected
 *    with `future.exception` (Python's `future.exception()`): `None` for a success, else the
 *    `Cause`, which tells a failure from a defect.
 * 2. `pool.map` with nothing caught: the first failure fails the whole map at once and
 *    interrupts the tasks still running, whose finalizers run (Effect's `forEach` semantics;
 *    Python's `executor.map` raises when its result is reached, and the others run to the end).
 * 3. The guide's `safe_worker` on `pool.map`: each task's failure caught, so every task runs.
 *
 * `--timeline FILE.svg` draws the three pools' tasks in FILE.svg, one row per worker — the
 * failed, the died and the interrupted ones marked; `--chart` prints the same chart here (see
 * `timeline.ts`).
 *
 * Run: pnpm tsx examples/17-exceptions.ts
 */
import { NodeRuntime } from "@effect/platform-node"
import { FiberPool } from "@fiberkit/executor"
import { Cause, Console, Data, Effect, Exit, Option, Ref, Result } from "effect"
import { withTimeline } from "./timeline.js"

/** The typed failure of `parse`: expected, handled by name. */
class ParseError extends Data.TaggedError("ParseError")<{ readonly input: string }> {
  override get message() {
    return `"${this.input}" is not a number`
  }
}

/**
 * The risky task: parses `input` after `millis`. Fails `ParseError` on a non-number — and throws
 * on "boom", a bug: a defect, not in its type.
 */
const parse = (input: string, millis: number): Effect.Effect<number, ParseError> =>
  Effect.gen(function*() {
    yield* Effect.sleep(millis)
    if (input === "boom") {
      return yield* Effect.sync((): never => {
        throw new Error("boom")
      })
    }
    const n = Number(input)
    if (!Number.isInteger(n)) return yield* new ParseError({ input })
    return n
  })

const describeError = (error: { readonly _tag: string; readonly message: string }) => `${error._tag}: ${error.message}`
const describeDefect = (defect: unknown) => String(defect) // "Error: boom"

/** Each input with how long its task takes: the failing ones end first. */
const tasks: ReadonlyArray<readonly [input: string, millis: number]> = [
  ["12", 150],
  ["7", 200],
  ["x1", 50],
  ["boom", 80],
  ["30", 250]
]

// 1. Submit every task; a failure stays in its future. Inspect each with `future.exception`.
const inspectFutures = Effect.scoped(Effect.gen(function*() {
  const pool = yield* FiberPool.make({ concurrency: tasks.length, name: "submit" })
  const finished: Array<string> = []
  const futures = yield* Effect.forEach(
    tasks,
    ([input, millis]) => pool.submit(Effect.ensuring(parse(input, millis), Effect.sync(() => finished.push(input))))
  )
  const failed: Array<string> = []
  const died: Array<string> = []
  const succeeded: Array<string> = []
  for (const [i, future] of futures.entries()) {
    const input = tasks[i]![0]
    const label = `"${input}"`.padEnd(6)
    // None: it succeeded; Some(cause): it failed — with a typed error (a Fail) or a defect (a Die)
    const exception = yield* future.exception
    if (Option.isNone(exception)) {
      succeeded.push(input)
      yield* Console.log(`  ${label} → ${yield* future.result}`)
    } else {
      const error = Cause.findErrorOption(exception.value)
      if (Option.isSome(error)) {
        failed.push(describeError(error.value))
        yield* Console.log(`  ${label} → failed: ${describeError(error.value)}`)
      } else {
        const defect = describeDefect(Option.getOrUndefined(Result.getSuccess(Cause.findDefect(exception.value))))
        died.push(defect)
        yield* Console.log(`  ${label} → died: ${defect}`)
      }
    }
  }
  yield* Console.log(`  Finished in this order: ${finished.join(", ")}`)
  // the successes finished after the failures: a failed task stopped nothing
  const firstSuccess = Math.min(...succeeded.map((input) => finished.indexOf(input)))
  const keptRunning = firstSuccess >= failed.length + died.length
  yield* Console.log(
    `${tasks.length} tasks: ${succeeded.length} succeeded, ${failed.length} failed (${failed.join(", ")}), ` +
      `${died.length} died (${died.join(", ")}) — ${keptRunning ? "the others kept running" : "?!"}`
  )
}))

// 2. pool.map with nothing caught: fails with the first failure, interrupts the rest.
const mapFailsFast = Effect.scoped(Effect.gen(function*() {
  const pool = yield* FiberPool.make({ concurrency: 3, name: "map" })
  // 3 workers: "12" and "7" run with "x1", which fails after 50 ms; "30" and "41" wait for a worker
  const inputs: ReadonlyArray<readonly [input: string, millis: number]> = [
    ["12", 300],
    ["7", 300],
    ["x1", 50],
    ["30", 300],
    ["41", 300]
  ]
  const started = yield* Ref.make(0)
  const completed = yield* Ref.make(0)
  const interrupted = yield* Ref.make(0)
  const increment = (counter: Ref.Ref<number>) => Ref.update(counter, (n) => n + 1)
  const exit = yield* Effect.exit(
    pool.map(inputs, ([input, millis]) =>
      Effect.andThen(increment(started), parse(input, millis)).pipe(
        Effect.tap(() => increment(completed)),
        Effect.onInterrupt(() => increment(interrupted))
      ))
  )
  const error = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.findErrorOption(exit.cause)) : undefined
  yield* Console.log(
    `pool.map failed with ${error === undefined ? "nothing?!" : describeError(error)} — ` +
      `${yield* Ref.get(interrupted)} running tasks interrupted (their finalizers ran), ` +
      `${inputs.length - (yield* Ref.get(started))} never started, ${yield* Ref.get(completed)} completed`
  )
}))

// 3. The guide's safe_worker: a failure logged and turned into None. Its type shows it handled:
// Effect<A, ParseError> becomes Effect<Option<A>, never>.
const catchFailure = <A>(task: Effect.Effect<A, ParseError>): Effect.Effect<Option.Option<A>> =>
  task.pipe(
    Effect.map(Option.some),
    Effect.catchTag("ParseError", (error) =>
      Effect.as(Console.log(`  Task failed: ${describeError(error)}`), Option.none()))
  )

// Python's `except Exception` catches bugs too: so does safe_worker, with catchDefect.
const safeWorker = <A>(task: Effect.Effect<A, ParseError>): Effect.Effect<Option.Option<A>> =>
  catchFailure(task).pipe(
    Effect.catchDefect((defect) => Effect.as(Console.log(`  Task died: ${describeDefect(defect)}`), Option.none()))
  )

const safeWorkers = Effect.scoped(Effect.gen(function*() {
  const pool = yield* FiberPool.make({ concurrency: 3, name: "safe_worker" })
  const results = yield* pool.map(tasks, ([input, millis]) => safeWorker(parse(input, millis)))
  yield* Console.log(`  Results: [${results.map(Option.match({ onNone: () => "None", onSome: String })).join(", ")}]`)
  // catchTag alone handles the ParseError only: a defect passes through
  const exit = yield* Effect.exit(catchFailure(parse("boom", 0)))
  const defect = Exit.isFailure(exit)
    ? Option.getOrUndefined(Result.getSuccess(Cause.findDefect(exit.cause)))
    : undefined
  yield* Console.log(`catchTag alone does not catch a defect: "boom" still dies with ${describeDefect(defect)}`)
}))

const program = Effect.gen(function*() {
  yield* Console.log("1. Five risky tasks on a FiberPool; each future inspected with future.exception:")
  yield* inspectFutures
  yield* Console.log("\n2. pool.map with nothing caught: the first failure ends the map, the rest are interrupted")
  yield* mapFailsFast
  yield* Console.log(
    "\n3. The guide's safe_worker on pool.map: catchTag(\"ParseError\") and catchDefect, logged, None"
  )
  yield* safeWorkers
})

NodeRuntime.runMain(
  withTimeline(program, { title: "17 · Handle thread exceptions: typed failures and defects on FiberPools" })
)
