import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { TaskNotFound, type TaskStoreError } from "../Errors.js"
import type { TaskResult } from "../TaskResult.js"
import type * as TaskStore from "../TaskStore.js"
import type { Ends } from "./ends.js"
import type { Holder } from "./localQueue.js"
import type { Outcomes } from "./outcomes.js"

const isFinal = (state: TaskStore.TaskState): boolean =>
  state === "succeeded" || state === "failed" || state === "cancelled"

/**
 * A local manager's `cancel`: it says, once the task is over, whether the task ended cancelled.
 * A queued task is cancelled in the store (and its outcome published); one a worker holds, or
 * is getting from the store right now, is stopped there — or never started — and answers `true`
 * only if it did not end otherwise first. After a shutdown a queued task stays queued: `false`.
 * Each check is made in the step that acts on it.
 *
 * @internal
 */
export const cancelTask = (manager: {
  readonly store: TaskStore.TaskStore
  readonly ends: Ends
  readonly outcomes: Outcomes
  readonly publish: (result: TaskResult) => Effect.Effect<void>
  /** The other managers on the same local store. */
  readonly others: () => ReadonlyArray<Holder>
}) => {
  const { ends, outcomes, store } = manager
  /**
   * A task the store no longer holds as queued, that no worker here holds: on its way to a worker
   * here (the cancel waits for it there), or held — or about to be — by another manager on the
   * same store, whose worker is then told (looked for every millisecond until one holds it or it
   * ended there).
   */
  const notHere = (id: string): Effect.Effect<boolean> => {
    const others = manager.others()
    if (others.length === 0) return Effect.interruptible(ends.cancel(id, undefined))
    const elsewhere: Effect.Effect<boolean> = Effect.suspend(() => {
      for (const other of others) {
        const cancelled = other.cancelHeld(id)
        if (cancelled !== undefined) return cancelled
        if (other.endedLately(id)) return Effect.succeed(false)
      }
      return Effect.andThen(Effect.sleep("1 millis"), elsewhere)
    })
    return Effect.interruptible(Effect.raceFirst(ends.cancel(id, undefined), elsewhere))
  }
  const fromStore = (id: string): Effect.Effect<boolean, TaskNotFound | TaskStoreError> =>
    // read first: once the store has cancelled it, nothing may fail before it is published
    Effect.flatMap(store.get(id), (found): Effect.Effect<boolean, TaskNotFound | TaskStoreError> => {
      if (Option.isNone(found)) return Effect.fail(new TaskNotFound({ id }))
      const record = found.value
      const held = ends.held.get(id)
      if (held !== undefined) return Effect.interruptible(ends.cancel(id, held))
      if (isFinal(record.state) || ends.endedLately(id)) return Effect.succeed(false)
      // running in another manager on this store
      if (record.state === "running") {
        for (const other of manager.others()) {
          const cancelled = other.cancelHeld(id)
          if (cancelled !== undefined) return Effect.interruptible(cancelled)
        }
      }
      return Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.flatMap(store.cancel(id, now), (cancelled): Effect.Effect<boolean> => {
          if (cancelled) {
            return Effect.as(
              manager.publish({
                id,
                name: record.name,
                state: "cancelled",
                attempts: record.attempts,
                addedAt: record.addedAt,
                startedAt: undefined,
                finishedAt: now
              }),
              true
            )
          }
          // not queued in the store: a worker holds it by now, or is getting it
          const held = ends.held.get(id)
          if (held === undefined && ends.endedLately(id)) {
            return Effect.succeed(false)
          }
          return held === undefined ? notHere(id) : Effect.interruptible(ends.cancel(id, held))
        }))
    })
  return (id: string): Effect.Effect<boolean, TaskNotFound | TaskStoreError> =>
    Effect.suspend(() => {
      // shut down: the results streams have ended, and a queued task stays queued (in a durable
      // store, for the next start)
      if (outcomes.ended) return Effect.succeed(false)
      const held = ends.held.get(id)
      if (held !== undefined) return Effect.interruptible(ends.cancel(id, held))
      return ends.track(fromStore(id))
    }).pipe(Effect.uninterruptible)
}

/** A manager's `Holder`: it cancels the tasks its workers hold (`ends`). @internal */
export const holderOf = (ends: Ends): Holder => ({
  cancelHeld: (id) => {
    const held = ends.held.get(id)
    return held === undefined ? undefined : ends.cancel(id, held)
  },
  endedLately: (id) => ends.endedLately(id)
})
