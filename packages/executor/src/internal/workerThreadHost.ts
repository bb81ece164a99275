import type * as Duration from "effect/Duration"
import type * as Exit from "effect/Exit"
import type { WorkerSpawnFailed } from "../Errors.js"
import type { FutureImpl } from "./future.js"
import type { Thread } from "./workerPoolThread.js"
import type * as Protocol from "./workerProtocol.js"
import type { CallJob, WorkerRecording } from "./workerSlot.js"
import type { ThreadOptions } from "./workerThread.js"

/** What starting a worker thread takes. @internal */
export interface ThreadSettings {
  readonly spawnTimeout: Duration.Duration
  readonly module: string
  readonly data: Protocol.WorkerData
  readonly threadOptions: ThreadOptions
  readonly initializer: { readonly name: string; readonly payload: unknown } | undefined
  /** Calls a worker runs before it is replaced; `undefined`: no limit. */
  readonly maxTasksPerWorker: number | undefined
}

/**
 * The pool, as its threads see it: what a thread needs to start, and where what a thread
 * hands back goes.
 *
 * @internal
 */
export interface ThreadHost {
  readonly settings: ThreadSettings
  /** Where each job that ran on a worker is recorded; `undefined`: nowhere. */
  readonly recording: WorkerRecording | undefined
  readonly settle: (future: FutureImpl<unknown, unknown>, exit: Exit.Exit<unknown, unknown>) => void
  /** Puts jobs that never started back in line, in their places. */
  readonly requeue: (jobs: Array<CallJob>) => void
  /** Dispatches once after the current synchronous run (a worker is ready, has room, or is gone). */
  readonly schedule: () => void
  /** `thread` has stopped, or was dismissed by a shrink: it leaves its slot (it may not have ended yet). */
  readonly vacate: (thread: Thread) => void
  /** `thread` has ended (its `exit` event), after it left its slot. */
  readonly exited: (thread: Thread) => void
  /** `thread` could not start (it has stopped). */
  readonly startFailed: (thread: Thread, error: WorkerSpawnFailed) => void
}
