import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Api from "../Dashboard.js"
import type * as Snapshot from "../Snapshot.js"

const active: ReadonlyArray<Snapshot.TaskState> = ["queued", "running"]
const finished: ReadonlyArray<Snapshot.TaskState> = ["failed", "cancelled", "succeeded"]
/** How many finished tasks of a state are read to find the newest ones (`list`'s default limit). */
const finishedRead = 1_000
/** How long a store may take to list a manager's tasks before the page says it did not answer. */
const answerWithin = 3_000

/** An error as text for the page: its message, else its tag, else what it is — never empty. @internal */
export const messageOf = (error: unknown): string => {
  const message = typeof error === "object" && error !== null && "message" in error &&
      typeof error.message === "string"
    ? error.message
    : typeof error === "string"
    ? error
    : ""
  if (message !== "") return message
  const tag = typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : ""
  return tag !== "" ? tag : `${Object.prototype.toString.call(error)} (no message)`
}

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

// a task goes queued → running → an end: when the lists, read one after another, saw it in two
// states (it started between two answers), its latest state is kept
const rank: Readonly<Record<Snapshot.TaskState, number>> = {
  queued: 0,
  running: 1,
  succeeded: 2,
  failed: 2,
  cancelled: 2
}
const oneStateEach = (tasks: ReadonlyArray<Snapshot.Task>): Array<Snapshot.Task> => {
  const latest = new Map<string, Snapshot.Task>()
  for (const task of tasks) {
    const seen = latest.get(task.id)
    if (seen === undefined || rank[task.state] > rank[seen.state]) latest.set(task.id, task)
  }
  return tasks.filter((task) => latest.get(task.id) === task)
}

/**
 * One manager's tasks: the oldest `perState` queued and running ones (the next to run), the newest
 * `perState` of each finished state (among the oldest 1,000 the store lists — more when
 * `perState` is larger), and which states have more. A store that fails, or does not answer
 * within 3 seconds, is shown with the tasks it last listed and why they are not fresh: never
 * raised, never waited for — one store leaves the page and the other managers alive.
 *
 * @internal
 */
export const view = (
  name: string,
  source: Api.TaskSource,
  perState: number,
  last: Snapshot.TaskManager | undefined
): Effect.Effect<Snapshot.TaskManager> =>
  Effect.forEach(
    [...active, ...finished],
    (state) =>
      Effect.map(
        source.list({ state, limit: active.includes(state) ? perState + 1 : Math.max(finishedRead, perState + 1) }),
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
      tasks: oneStateEach(states.flatMap((state) => state.shown.map(taskOf))),
      more: states.filter((state) => state.more).map((state) => state.state),
      error: undefined
    })),
    Effect.timeoutOrElse({
      duration: answerWithin,
      orElse: () => Effect.fail(`its store did not answer within ${answerWithin / 1000} seconds`)
    }),
    Effect.catchCause((cause) =>
      Effect.succeed<Snapshot.TaskManager>({
        name,
        tasks: last?.tasks ?? [],
        more: last?.more ?? [],
        error: messageOf(Cause.squash(cause))
      })
    )
  )
