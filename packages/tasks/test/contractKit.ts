/** What the contract suites share: a store per test, waits that fail instead of hanging. */
import { Effect, Schedule, type Scope } from "effect"
import type * as TaskStore from "../src/TaskStore.js"

/** A store for one test: a fresh one each time (a new file, a new queue). */
export type StoreFactory = Effect.Effect<TaskStore.TaskStore, unknown, Scope.Scope>

/** Runs `body` with a fresh store, in a scope of its own. */
export const withStore = <A, E>(
  store: StoreFactory,
  body: (store: TaskStore.TaskStore) => Effect.Effect<A, E, Scope.Scope>
) => Effect.scoped(Effect.flatMap(Effect.orDie(store), body))

/** Fails the test, instead of hanging it, if `effect` has not ended within 10 s. */
export const within = <A, E, R>(label: string, effect: Effect.Effect<A, E, R>) =>
  Effect.timeoutOrElse(effect, { duration: "10 seconds", orElse: () => Effect.fail(new Error(`${label} hung`)) })

/** Waits until `check` succeeds with true (re-checked every 5 ms), for 10 s at most. */
export const eventually = <E, R>(label: string, check: Effect.Effect<boolean, E, R>) =>
  within(label, Effect.repeat(check, { until: (ok) => ok, schedule: Schedule.spaced("5 millis") }))
