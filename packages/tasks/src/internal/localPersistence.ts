import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type { TaskStoreError } from "../Errors.js"
import type * as Api from "../TaskStore.js"
import type { WindowRow } from "./localDedupe.js"

/**
 * Where a local store writes its changes: nowhere (memory), or a database. Each write has
 * happened when its effect succeeds, and has not happened when it fails.
 *
 * @internal
 */
export interface Persistence {
  /**
   * Writes the records whose id it does not hold yet; returns their ids. With `window`: the
   * window too, if its task is written (one transaction).
   */
  readonly insert: (
    records: ReadonlyArray<Api.TaskRecord>,
    window?: WindowRow | undefined
  ) => Effect.Effect<ReadonlySet<string>, TaskStoreError>
  /** A debounce: the task's `runAt` becomes `at`, and `window` is written (one transaction). */
  readonly reschedule: (id: string, at: number, window: WindowRow) => Effect.Effect<void, TaskStoreError>
  /** The deduplication window of `key`, if one was written. */
  readonly window: (key: string) => Effect.Effect<Option.Option<WindowRow>, TaskStoreError>
  readonly update: (record: Api.TaskRecord) => Effect.Effect<void, TaskStoreError>
  /**
   * The unfinished tasks, all queued, in the order they are taken (priority, then the order
   * they were added): those left running by a process that ended are queued again first, on
   * disk — or failed, when found running too often.
   */
  readonly recover: Effect.Effect<ReadonlyArray<Api.TaskRecord>, TaskStoreError>
  /** The tasks `filter` selects, the oldest first. */
  readonly list: (filter: Api.ListFilter | undefined) => Effect.Effect<ReadonlyArray<Api.TaskRecord>, TaskStoreError>
  /** A schedule's last tick. */
  readonly lastTick: (schedule: string) => Effect.Effect<number | undefined, TaskStoreError>
  /** Records a schedule's tick, unless a later one is recorded. */
  readonly advanceTick: (schedule: string, at: number) => Effect.Effect<void, TaskStoreError>
  /** A task no longer held in memory (finished). */
  readonly get: (id: string) => Effect.Effect<Option.Option<Api.TaskRecord>, TaskStoreError>
}
