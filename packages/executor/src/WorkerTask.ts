/**
 * Tasks a `WorkerPool` runs on worker threads, declared once for both sides. A task has a name,
 * an `effect/Schema` for its payload, its success and its failure, and the effect that runs it,
 * which may require services. Calling a task makes a `Call`: an effect that runs the task on the
 * current thread, or on a worker thread when a `WorkerPool` runs it — so the same call site runs
 * on a `FiberPool`, on a `WorkerPool`, or inline. Payloads, results and failures cross the thread
 * boundary Schema-encoded: a class instance or a `Date` arrives as itself.
 *
 * The module that declares the tasks is the worker module. It runs `WorkerTask.serve(tasks)`, an
 * effect that serves them in a pool's worker thread — with the services of its `layer`, built
 * once per worker — and succeeds at once anywhere else, so the main thread imports the same
 * module for the task definitions and nothing happens there.
 *
 * Where a task's services come from:
 * - inline (a `Call` yielded outside a `WorkerPool`, or run on a `FiberPool`), from the caller:
 *   a `Call<A, E, R>` requires its task's `R`;
 * - on a worker, from the worker: `serve(tasks, { layer })` builds the layer in each worker
 *   thread. A `WorkerPool` asked to run a call itself (`pool.submit(call)`,
 *   `pool.map(items, (item) => call)`) does not require the call's `R`: the worker provides it,
 *   and `serve`'s type requires every served task's `R` to be provided there. An effect that is
 *   not a call (an `Effect.gen` yielding calls) keeps its `R` even on a `WorkerPool`: the type
 *   cannot tell which calls it makes.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Schema from "effect/Schema"
import type { WorkerCrashed, WorkerSpawnFailed } from "./Errors.js"
import * as server from "./internal/workerServer.js"
import * as internal from "./internal/workerTask.js"

/**
 * **Example**
 *
 * ```ts
 * import { WorkerTask } from "@fiberkit/executor"
 *
 * declare const u: object
 * const isTask = WorkerTask.TaskTypeId in u // a task made by `WorkerTask.make`
 * ```
 *
 * @since 0.1.0
 * @category symbols
 */
export const TaskTypeId: unique symbol = internal.TaskTypeId

/**
 * @since 0.1.0
 * @category symbols
 */
export type TaskTypeId = typeof TaskTypeId

/**
 * **Example**
 *
 * ```ts
 * import { WorkerTask } from "@fiberkit/executor"
 *
 * declare const u: object
 * const isCall = WorkerTask.CallTypeId in u // what `WorkerTask.isCall` checks
 * ```
 *
 * @since 0.1.0
 * @category symbols
 */
export const CallTypeId: unique symbol = internal.CallTypeId

/**
 * @since 0.1.0
 * @category symbols
 */
export type CallTypeId = typeof CallTypeId

/**
 * A task: call it with a payload to get a {@link Call}. `R` is what its `run` requires: the
 * caller provides it when the call runs inline, the worker's layer when it runs on a worker.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { WorkerTask } from "@fiberkit/executor"
 *
 * // a task as a parameter: any task from strings to numbers that cannot fail and needs nothing
 * const measureAll = (task: WorkerTask.WorkerTask<string, string, number>, texts: ReadonlyArray<string>) =>
 *   Effect.forEach(texts, (text) => task(text))
 *
 * const length = WorkerTask.make("length", {
 *   payload: Schema.String,
 *   success: Schema.Number,
 *   run: (text) => Effect.succeed(text.length)
 * })
 * const lengths = measureAll(length, ["a", "bc"]) // inline: [1, 2]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface WorkerTask<Name extends string, P, A, E = never, R = never> extends WorkerTask.Any {
  (...payload: [P] extends [void] ? [] : [payload: P]): Call<A, E, R>
  readonly taskName: Name
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any encoded form
  readonly payload: Schema.Codec<P, any>
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any encoded form
  readonly success: Schema.Codec<A, any>
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any encoded form
  readonly failure: Schema.Codec<E, any>
  /** The task itself, as it runs on whichever thread it is called. */
  readonly run: (payload: P) => Effect.Effect<A, E, R>
}

/**
 * @since 0.1.0
 */
export declare namespace WorkerTask {
  /**
   * Any task, whatever its types.
   *
   * @since 0.1.0
   * @category models
   */
  export interface Any {
    readonly [TaskTypeId]: TaskTypeId
    readonly taskName: string
    /** The task itself (any task's `run`, whatever its payload, result and services). */
    readonly run: (payload: never) => Effect.Effect<unknown, unknown, unknown>
  }

  /**
   * The services the tasks `T` (a union of tasks) require.
   *
   * @since 0.2.0
   * @category models
   */
  export type Services<T extends Any> = T extends Any ? Effect.Services<ReturnType<T["run"]>> : never

  /**
   * The options of {@link serve}.
   *
   * @since 0.2.0
   * @category models
   */
  export interface ServeOptions<ROut, E, RIn> {
    /**
     * The services of the tasks, built once in each worker thread before it is ready (before the
     * pool's `initializer`), kept for the worker's life, and released when the pool ends the
     * worker (its scope closes, or `maxTasksPerWorker` retires it). Never built on the main
     * thread. If it fails to build, the worker does not start: the pool fails
     * `WorkerSpawnFailed`, naming the cause.
     */
    readonly layer?: Layer.Layer<ROut, E, RIn> | undefined
  }
}

/**
 * A call of a task. As an effect it runs the task: inline, or on a worker thread when a
 * `WorkerPool` runs it (submitted to the pool, or made by an effect the pool runs). On a worker
 * it can also fail with `WorkerCrashed` or `WorkerSpawnFailed`. `R` is its task's requirement,
 * needed where the call runs inline; `WorkerPool`'s `submit`, `map` and `mapStream` drop it for
 * a call they run on a worker, whose `serve` layer provides it.
 *
 * **Example**
 *
 * ```ts
 * import { Context, Effect, Schema } from "effect"
 * import { WorkerTask } from "@fiberkit/executor"
 *
 * class Rates extends Context.Service<Rates, { readonly rate: (currency: string) => number }>()("app/Rates") {}
 *
 * const convert = WorkerTask.make("convert", {
 *   payload: Schema.Struct({ amount: Schema.Number, currency: Schema.String }),
 *   success: Schema.Number,
 *   run: ({ amount, currency }) => Effect.map(Rates, (rates) => amount * rates.rate(currency))
 * })
 *
 * const call: WorkerTask.Call<number, never, Rates> = convert({ amount: 10, currency: "EUR" })
 * // inline, the caller provides Rates
 * const inline = call.pipe(Effect.provideService(Rates, { rate: () => 1.1 }))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Call<A, E = never, R = never> extends Effect.Effect<A, E | WorkerCrashed | WorkerSpawnFailed, R> {
  readonly [CallTypeId]: CallTypeId
}

/**
 * Declares a task. Without `failure`, the task cannot fail (its `run` must have `never` as its
 * error type): every typed failure needs a schema to cross the thread boundary. A thrown error
 * or a defect reaches the caller as a defect (an `Error` with the same name and message). `run`
 * may require services (`R`): see {@link serve}'s `layer`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { WorkerTask } from "@fiberkit/executor"
 *
 * class TooLarge extends Schema.TaggedError<TooLarge>()("TooLarge", { n: Schema.Number }) {}
 *
 * const slowFib = (n: number): number => (n < 2 ? n : slowFib(n - 1) + slowFib(n - 2))
 *
 * export const fib = WorkerTask.make("fib", {
 *   payload: Schema.Number,
 *   success: Schema.Number,
 *   failure: TooLarge,
 *   run: (n) => (n > 45 ? Effect.fail(new TooLarge({ n })) : Effect.sync(() => slowFib(n)))
 * })
 *
 * // in a worker thread this serves `fib`; on the main thread it succeeds at once
 * Effect.runFork(WorkerTask.serve([fib]))
 *
 * const inline = fib(20) // Effect<number, TooLarge | WorkerCrashed | WorkerSpawnFailed>
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: {
  <const Name extends string, P, PI, A, AI, R = never>(
    name: Name,
    options: {
      readonly payload: Schema.Codec<P, PI>
      readonly success: Schema.Codec<A, AI>
      readonly failure?: undefined
      readonly run: (payload: P) => Effect.Effect<A, never, R>
    }
  ): WorkerTask<Name, P, A, never, R>
  <const Name extends string, P, PI, A, AI, E, EI, R = never>(
    name: Name,
    options: {
      readonly payload: Schema.Codec<P, PI>
      readonly success: Schema.Codec<A, AI>
      readonly failure: Schema.Codec<E, EI>
      readonly run: (payload: P) => Effect.Effect<A, E, R>
    }
  ): WorkerTask<Name, P, A, E, R>
} = internal.make as never

/**
 * Serves `tasks` in a `WorkerPool`'s worker thread: the effect the worker module runs, with
 * `Effect.runFork` or a platform runner (`NodeRuntime.runMain`). In a pool's worker it builds
 * `options.layer` once, runs every task (and the pool's `initializer`) with the layer's services
 * and the context the effect runs with, and goes on until the pool ends the worker, which then
 * releases the layer. Anywhere else — the main thread importing the module for its tasks, a
 * thread no pool started — it succeeds at once and does nothing.
 *
 * A worker module may import another worker module to reuse its tasks (list them in its own
 * `serve`). In a worker thread one `serve` serves: the last one run while the pool's module loads,
 * which is that module's own (ES modules evaluate their imports first); every other one succeeds
 * then, doing nothing. A `serve` run once the worker serves dies. So `serve` starts once the
 * module has loaded: run it, do not await it at the module's top level.
 *
 * Its `R` is what the served tasks require and the layer does not provide, plus what the layer
 * requires: a runner accepts it only once nothing is missing. Give the services through `layer`,
 * not with `Effect.provide(layer)` around `serve`, which would build them on the main thread too.
 *
 * A call submitted to the pool under a span runs here under the pool's `WorkerPool.call` span for
 * it (its trace id and span id cross the thread): the spans a task opens join the submitter's
 * trace. They go to this thread's tracer — each thread exports its own spans, so install the
 * worker's tracer (an OpenTelemetry SDK layer, say) with `layer` too; without one they are made
 * and dropped.
 *
 * **Example**
 *
 * ```ts
 * import { Context, Effect, Layer, Schema } from "effect"
 * import { WorkerTask } from "@fiberkit/executor"
 *
 * class Model extends Context.Service<Model, { readonly score: (text: string) => number }>()("app/Model") {}
 *
 * // loaded once per worker thread, never on the main thread
 * const ModelLive = Layer.sync(Model, () => ({ score: (text: string) => text.length / 100 }))
 *
 * export const score = WorkerTask.make("score", {
 *   payload: Schema.String,
 *   success: Schema.Number,
 *   run: (text) => Effect.map(Model, (model) => model.score(text))
 * })
 *
 * Effect.runFork(WorkerTask.serve([score], { layer: ModelLive }))
 * ```
 *
 * **Example** (Spans in the worker: its tracer comes with the layer)
 *
 * ```ts
 * import { Effect, Layer, Schema, Tracer } from "effect"
 * import { WorkerTask } from "@fiberkit/executor"
 *
 * // stands for an exporter's tracer, e.g. `NodeSdk.layer(...)` of `@effect/opentelemetry`
 * const WorkerTracing = Layer.succeed(Tracer.Tracer, Tracer.nativeTracer)
 *
 * export const parse = WorkerTask.make("parse", {
 *   payload: Schema.String,
 *   success: Schema.Number,
 *   // under the submitter's trace when it was submitted under a span
 *   run: (text) => Effect.withSpan(Effect.sync(() => text.split(",").length), "parse.split")
 * })
 *
 * Effect.runFork(WorkerTask.serve([parse], { layer: WorkerTracing }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const serve: <const Tasks extends ReadonlyArray<WorkerTask.Any>, ROut = never, E = never, RIn = never>(
  tasks: Tasks,
  options?: WorkerTask.ServeOptions<ROut, E, RIn>
) => Effect.Effect<void, never, RIn | Exclude<WorkerTask.Services<Tasks[number]>, ROut>> = server.serve as never

/**
 * Whether `u` is a `Call` of a task.
 *
 * **Example**
 *
 * ```ts
 * import { WorkerTask } from "@fiberkit/executor"
 *
 * declare const u: unknown
 * const call = WorkerTask.isCall(u) ? u : undefined // a Call is an Effect: yield it to run the task
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isCall = (u: unknown): u is Call<unknown, unknown, unknown> => internal.isCall(u)
