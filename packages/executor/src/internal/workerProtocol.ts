/**
 * The messages between a WorkerPool and its worker threads, and the shared-memory cells that
 * decide, without a message, whether a queued task is cancelled before it starts.
 *
 * Main → worker: `[INIT, ring, initializer?, payload]`, then `[RUN, flat]` where `flat` holds
 * `seq, cell, task, payload` for each task, many tasks per message; `[RESUME]` after a halt that
 * ended without a terminate (see `HALT`); `[CLOSE]` when the pool ends an idle worker: the
 * worker ends `serve`, which releases its layer.
 * Worker → main: `[SERVING]` as soon as `serve` runs (before its layer is built), then `[READY]`
 * or `[INIT_FAILED, reason]` (the layer or the initializer failed), then `[RESULTS, flat]` where
 * `flat` holds `seq, status, value, micros` for each finished task, in the order they were sent;
 * `[CLOSED]` once `serve` has ended and released its layer (the pool then terminates the thread).
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
  | readonly [typeof INIT, SharedArrayBuffer, string | undefined, unknown]
  | readonly [typeof RUN, ReadonlyArray<unknown>]
  | readonly [typeof RESUME]
  | readonly [typeof CLOSE]

/** @internal */
export const READY = 0
/** @internal */
export const INIT_FAILED = 1
/** @internal */
export const RESULTS = 2
/** @internal */
export const SERVING = 3
/** @internal */
export const CLOSED = 4

/** @internal */
export type Response =
  | readonly [typeof READY]
  | readonly [typeof INIT_FAILED, string]
  | readonly [typeof RESULTS, ReadonlyArray<unknown>]
  | readonly [typeof SERVING]
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
