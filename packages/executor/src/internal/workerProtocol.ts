/**
 * The messages between a WorkerPool and its worker threads, and the shared-memory cells (given to
 * the thread in its `workerData`) that decide, without a message, whether a queued task is
 * cancelled before it starts, and whether the thread's `serve` runs (see `SERVE`).
 *
 * Main → worker: `[INIT, initializer?, payload]`, then `[RUN, flat, traces?]` where `flat` holds
 * `seq, cell, task, payload` for each task, many tasks per message, and `traces` (present only when
 * one of them was submitted under a span) holds `seq, traceId, spanId, sampled` for each task
 * submitted under a span: the span the task runs under in the worker; `[RESUME]` after a halt that
 * ended without a terminate (see `HALT`); `[CLOSE]` when the pool ends a worker whose `serve`
 * runs (idle, or still starting): the worker ends `serve`, which releases its layer (a layer
 * still building, an initializer still running, are interrupted).
 * Worker → main: `[READY]` or `[INIT_FAILED, reason]` (the layer or the initializer failed:
 * `serve` then ends by itself), then `[RESULTS, flat]` where `flat` holds
 * `seq, status, value, micros` for each finished task, in the order they were sent; `[CLOSED]`
 * once `serve` has ended and released its layer (the pool then terminates the thread).
 *
 * @internal
 */

/** The key of the pool's entry in `workerData`; its presence marks a fiberkit worker. @internal */
export const WORKER_DATA_KEY = "@fiberkit/executor/WorkerPool"

/** @internal */
export interface WorkerData {
  readonly module: string
  readonly loader: string | undefined
}

/** What one worker thread is given: the pool's `WorkerData`, and its own shared cells. @internal */
export interface ThreadData extends WorkerData {
  /** `SHARED` cells of `Int32Array.BYTES_PER_ELEMENT` bytes. */
  readonly cells: SharedArrayBuffer
}

/**
 * The `Symbol.for` key of the thread-global registry through which the worker thread's bootstrap
 * and the `serve` effects that run in the thread (from every copy of the executor loaded there)
 * decide which `serve` serves: the last one to run while the pool's module was evaluated (ES
 * modules evaluate their dependencies first, so a worker module that imports another one for its
 * tasks runs its own `serve` after that one's), or else the first one to run after.
 *
 * @internal
 */
export const SERVE_REGISTRY_KEY = "@fiberkit/executor/serve"

/** @internal */
export interface ServeRegistry {
  /** Set by the bootstrap once the pool's module has been evaluated (its `import` resolved). */
  loaded: boolean
  /** Called by the bootstrap then. */
  readonly onLoaded: Array<() => void>
  /** The `serve` effects waiting for the decision, in the order they ran: each is told whether it serves. */
  readonly waiting: Array<(serves: boolean) => void>
  /** Set once a `serve` serves this thread: any `serve` that runs later dies. */
  elected: boolean
}

/** @internal */
export const INIT = 0
/** @internal */
export const RUN = 1
/** @internal */
export const RESUME = 2
/** @internal */
export const CLOSE = 3

/** @internal */
export type Request =
  | readonly [typeof INIT, string | undefined, unknown]
  | readonly [typeof RUN, ReadonlyArray<unknown>]
  | readonly [typeof RUN, ReadonlyArray<unknown>, ReadonlyArray<unknown>]
  | readonly [typeof RESUME]
  | readonly [typeof CLOSE]

/** @internal */
export const READY = 0
/** @internal */
export const INIT_FAILED = 1
/** @internal */
export const RESULTS = 2
/** @internal */
export const CLOSED = 4

/** @internal */
export type Response =
  | readonly [typeof READY]
  | readonly [typeof INIT_FAILED, string]
  | readonly [typeof RESULTS, ReadonlyArray<unknown>]
  | readonly [typeof CLOSED]

/** Entries per task in a RUN message and in a RESULTS message. @internal */
export const STRIDE = 4

/**
 * One cell per task a worker holds: the most tasks a worker is sent ahead of its replies. A
 * cell is reused only after its previous task's reply arrived (replies come in order).
 *
 * @internal
 */
export const CELLS = 64

/**
 * The cell after the task cells: non-zero while the pool is deciding whether to terminate the
 * worker for a cancel. The worker looks at it before it starts each task and starts none while it
 * is set: so a worker terminated because its running task was cancelled never has another task
 * under way (each one it holds is still QUEUED, and runs elsewhere). Sequentially consistent
 * atomics make it exact: if the pool, after setting it, still sees the task STARTED, the worker
 * will see it set when that task ends.
 *
 * @internal
 */
export const HALT = CELLS

/**
 * The cell after `HALT`: whether the thread's `serve` runs. The `serve` that serves moves it from
 * 0 to `SERVE_RUNS` before it builds anything; a pool that ends a thread still starting moves it
 * from 0 to `SERVE_BARRED`. Whichever comes first decides, with no race: a thread whose `serve`
 * runs is closed (CLOSE), so that it releases what it built; one barred is terminated, and its
 * `serve`, if it comes to run, builds nothing.
 *
 * @internal
 */
export const SERVE = CELLS + 1
/** @internal */
export const SERVE_RUNS = 1
/** @internal */
export const SERVE_BARRED = 2

/** The number of shared cells: the task cells, `HALT` and `SERVE`. @internal */
export const SHARED = CELLS + 2

/** Cell states. The worker moves QUEUED → STARTED → FINISHED; the pool moves QUEUED → CANCELLED. @internal */
export const QUEUED = 0
/** @internal */
export const STARTED = 1
/** @internal */
export const CANCELLED = 2
/** @internal */
export const FINISHED = 3

/** Result statuses. @internal */
export const SUCCEEDED = 0
/** @internal */
export const FAILED = 1
/** @internal */
export const DIED = 2
/** @internal */
export const INTERRUPTED = 3
/** The task was cancelled before it started: the worker skipped it. @internal */
export const SKIPPED = 4
