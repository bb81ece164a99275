import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Api from "../Dashboard.js"
import type * as Snapshot from "../Snapshot.js"

const active: ReadonlyArray<Snapshot.TaskState> = ["queued", "running"]
const finished: ReadonlyArray<Snapshot.TaskState> = ["failed", "cancelled", "succeeded"]
/** How many finished tasks of a state are read to find the newest ones (`list`'s default limit). */
const finishedRead = 1_000

const messageOf = (error: unknown): string =>
  typeof error === "object" && error !== null && "message" in error && typeof error.message === "string"
    ? error.message
    : String(error)

/** @internal */
export const taskOf = (record: Api.TaskSourceRecord): Snapshot.Task => ({
  id: record.id,
  name: record.name,
  state: record.state,
  attempts: record.attempts,
  addedAt: record.addedAt,
  startedAt: record.startedAt,
  finishedAt: record.finishedAt,
  error: record.error,
  progress: record.progress,
  replays: record.replays
})

/**
 * One manager's tasks: the oldest `perState` queued and running ones (the next to run), the newest
 * `perState` of each finished state (among the oldest 1,000 the store lists), and which states
 * have more. Its store's failure is shown, not raised: one failing store leaves the page alive.
 *
 * @internal
 */
export const view = (name: string, source: Api.TaskSource, perState: number): Effect.Effect<Snapshot.TaskManager> =>
  Effect.forEach(
    [...active, ...finished],
    (state) =>
      Effect.map(
        source.list({ state, limit: active.includes(state) ? perState + 1 : finishedRead }),
        (records) => ({
          state,
          more: records.length > perState,
          shown: active.includes(state) ? records.slice(0, perState) : records.slice(-perState)
        })
      ),
    { concurrency: "unbounded" }
  ).pipe(
    Effect.map((states): Snapshot.TaskManager => ({
      name,
      tasks: states.flatMap((state) => state.shown.map(taskOf)),
      more: states.filter((state) => state.more).map((state) => state.state),
      error: undefined
    })),
    Effect.catchCause((cause) =>
      Effect.succeed<Snapshot.TaskManager>({ name, tasks: [], more: [], error: messageOf(Cause.squash(cause)) })
    )
  )

/** @internal */
export { messageOf }
