import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { InvalidOptions, TaskManagerShutDown, TaskNotFound, type TaskStoreError } from "../Errors.js"
import type * as TaskStore from "../TaskStore.js"
import type { Ends } from "./ends.js"
import type { Joins } from "./joins.js"
import type { TaskMetrics } from "./taskMetrics.js"

/**
 * Dead letters and their replay, on any engine: what a manager's `list`, `retry` and `retryAll`
 * do with the store's `list`, `replay` and `get`. Shared by the local and the BullMQ manager.
 *
 * @internal
 */
export interface ReplayOps {
  readonly list: (filter?: TaskStore.ListFilter) => Effect.Effect<ReadonlyArray<TaskStore.TaskRecord>, TaskStoreError>
  readonly replay: (id: string) => Effect.Effect<boolean, TaskStoreError>
  readonly get: (id: string) => Effect.Effect<Option.Option<TaskStore.TaskRecord>, TaskStoreError>
}

const states: ReadonlySet<string> = new Set(["queued", "running", "succeeded", "failed", "cancelled"])

/** The filter, checked: a state of a task, a string name, a limit that is an integer ≥ 1. @internal */
export const checkedFilter = (
  filter: TaskStore.ListFilter | undefined
): Effect.Effect<TaskStore.ListFilter | undefined, InvalidOptions> => {
  const invalid = (field: string, expected: string, value: unknown) =>
    Effect.fail(new InvalidOptions({ operation: "TaskManager.list", field, expected, value }))
  if (filter === undefined) return Effect.succeed(undefined)
  if (filter.state !== undefined && !states.has(filter.state)) {
    return invalid("state", "queued, running, succeeded, failed or cancelled", filter.state)
  }
  if (filter.name !== undefined && typeof filter.name !== "string") return invalid("name", "a string", filter.name)
  const limit = filter.limit
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 1)) {
    return invalid("limit", "an integer ≥ 1", limit)
  }
  return Effect.succeed(filter)
}

/** `list`, its filter checked first. @internal */
export const list = (ops: ReplayOps) => (filter?: TaskStore.ListFilter) =>
  Effect.flatMap(checkedFilter(filter), ops.list)

/**
 * Replays one failed task: `true` once it is queued again; `false` if it is not failed (queued,
 * running, succeeded, cancelled — or replayed by someone else first); `TaskNotFound` if the store
 * holds no such task.
 *
 * @internal
 */
export const retry = (ops: ReplayOps) => (id: string): Effect.Effect<boolean, TaskNotFound | TaskStoreError> =>
  Effect.flatMap(
    ops.replay(id),
    (replayed) =>
      replayed ?
        Effect.succeed(true) :
        Effect.flatMap(
          ops.get(id),
          (found) => Option.isNone(found) ? Effect.fail(new TaskNotFound({ id })) : Effect.succeed(false)
        )
  )

/**
 * `ops` whose replays count in the manager's metrics (when they are on): a replayed task is
 * waiting again, `pending` + 1 for its name (read before the replay: a name never changes), as an
 * add counts — so the take that follows brings it back to where it was. The BullMQ manager's (a
 * local manager counts inside its uninterruptible replay): a `retry` interrupted while BullMQ
 * writes the replay may miss its + 1 — a Redis write is not made uninterruptible here, so that an
 * interrupt is never held up by an unreachable Redis.
 *
 * @internal
 */
export const counted = (ops: ReplayOps, metrics: () => TaskMetrics | undefined): ReplayOps => ({
  ...ops,
  replay: (id) =>
    Effect.suspend(() => {
      const counting = metrics()
      if (counting === undefined) return ops.replay(id)
      return Effect.flatMap(ops.get(id), (found) =>
        Effect.map(ops.replay(id), (replayed) => {
          if (replayed && Option.isSome(found)) counting.added(found.value.name, 1)
          return replayed
        }))
    })
})

/**
 * A local manager's replay of one task, in one uninterruptible piece: the task counts as
 * unfinished (`joins`) from the step that asked for it — the count given back however the replay
 * ends — and as waiting in the metrics from the step that replayed it (its name read first, only
 * when the metrics are on); a cancel no longer takes it for a task that ended. `false` once the
 * manager is closed.
 *
 * @internal
 */
export const localReplay = (
  id: string,
  manager: {
    readonly store: TaskStore.TaskStore
    readonly closed: () => boolean
    readonly joins: Joins
    readonly ends: Ends
    readonly metrics: TaskMetrics | undefined
  }
): Effect.Effect<boolean, TaskStoreError> =>
  Effect.uninterruptible(Effect.suspend(() => {
    if (manager.closed()) return Effect.succeed(false)
    const { ends, joins, metrics, store } = manager
    joins.count(1)
    const before = ends.lastEnd(id)
    let replayed = false
    const named = metrics === undefined
      ? Effect.succeed(undefined)
      : Effect.map(store.get(id), (found) => Option.isSome(found) ? found.value.name : undefined)
    return Effect.flatMap(named, (name) =>
      Effect.map(store.replay(id), (done) => {
        replayed = done
        if (done) {
          // (unless its replay has ended already)
          ends.replayed(id, before)
          if (name !== undefined) metrics!.added(name, 1)
        }
        return done
      })).pipe(Effect.ensuring(Effect.sync(() => joins.written(replayed ? 1 : 0, 1))))
  }))

/** The most dead letters one `retryAll` replays. */
const RETRY_ALL_LIMIT = 2 ** 31 - 1

/**
 * Replays every task failed when it starts (of definition `name`, if given), each once; returns
 * how many it queued again. A task that fails again meanwhile is not replayed a second time.
 *
 * @internal
 */
export const retryAll =
  (ops: ReplayOps) =>
  (filter?: { readonly name?: string | undefined }): Effect.Effect<number, InvalidOptions | TaskStoreError> =>
    Effect.flatMap(
      checkedFilter({ state: "failed", name: filter?.name, limit: RETRY_ALL_LIMIT }),
      (checked) =>
        Effect.flatMap(
          ops.list(checked),
          (failed) =>
            Effect.reduce(failed, () =>
              0, (count, record) =>
              Effect.map(ops.replay(record.id), (replayed) => replayed ? count + 1 : count))
        )
    )

/**
 * A manager's `list`, `retry` and `retryAll` on `ops`; once `closed()` says the manager is shut
 * down, the replays fail `TaskManagerShutDown` (`list` still reads).
 *
 * @internal
 */
export const operations = (ops: ReplayOps, closed: () => boolean) => {
  const retryOne = retry(ops)
  const retryMany = retryAll(ops)
  return {
    list: list(ops),
    retry: (id: string): Effect.Effect<boolean, TaskNotFound | TaskManagerShutDown | TaskStoreError> =>
      Effect.suspend((): Effect.Effect<boolean, TaskNotFound | TaskManagerShutDown | TaskStoreError> =>
        closed() ? Effect.fail(new TaskManagerShutDown()) : retryOne(id)
      ),
    retryAll: (
      filter?: { readonly name?: string | undefined }
    ): Effect.Effect<number, InvalidOptions | TaskManagerShutDown | TaskStoreError> =>
      Effect.suspend((): Effect.Effect<number, InvalidOptions | TaskManagerShutDown | TaskStoreError> =>
        closed() ? Effect.fail(new TaskManagerShutDown()) : retryMany(filter)
      )
  }
}
