import * as Telemetry from "@fiberkit/sync/Telemetry"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { InvalidOptions, TaskStoreError } from "../Errors.js"
import type * as Api from "../TaskManager.js"
import * as TaskStore from "../TaskStore.js"
import { Manager } from "./manager.js"
import { defaults, invalidOptions } from "./options.js"
import { Outcomes } from "./outcomes.js"
import { startSchedules } from "./scheduler.js"

type Definition = Api.TaskDefinition.Any

/** @internal */
export { defaults }

/** @internal */
export const make = <T extends Definition>(
  options: Api.TaskManager.Options<T>
): Effect.Effect<
  Api.TaskManager<T>,
  InvalidOptions | TaskStoreError,
  Scope.Scope | TaskStore.TaskStore | Api.TaskDefinition.Context<T>
> =>
  Effect.gen(function*() {
    const store: TaskStore.TaskStore = options.store ?? (yield* TaskStore.TaskStore)
    // a store that runs tasks itself (BullMQ) makes the whole manager, and checks its options
    if (store.engine !== undefined) return yield* store.engine.make(options)
    const invalid = invalidOptions(options, 1)
    if (invalid !== undefined) return yield* invalid
    const workers = options.concurrency ?? defaults.concurrency
    const outcomes = yield* Outcomes.make(options.resultsBuffer ?? defaults.resultsBuffer)
    const context = yield* Effect.context<Api.TaskDefinition.Context<T>>()
    // a Timeline and the metrics name the manager alike (its name, or its number)
    const observers = yield* Telemetry.observers("TaskManager", options.name)
    const recorder = observers?.recorder
    const manager = new Manager<T>(
      store,
      outcomes,
      context as Context.Context<unknown>,
      options,
      recorder === undefined ? undefined : { recorder, group: observers!.group },
      observers?.instrument
    )
    manager.stopSchedules = yield* startSchedules(options.schedules, manager.definitions, {
      add: manager.add,
      ticks: store.ticks,
      storeRetry: options.storeRetry ?? defaults.storeRetry
    })
    const recovered = yield* store.recover
    // (a local store counts its tasks itself)
    const shared = manager.joins.shared
    // the tasks left by a previous run wait here as if added here — unless a manager with metrics
    // on has held this store (in this process): its series count them already (`pending`: what
    // the managers added, less what they took; the sum over managers is the store's queue)
    if (observers?.instrument !== undefined) {
      if (shared === undefined || (!shared.counted && shared.holders.size === 0)) manager.metrics?.recovered(recovered)
      if (shared !== undefined) shared.counted = true
    }
    if (shared === undefined) manager.joins.count(recovered.length)
    else {
      const unwatch = shared.watchIdle(() => manager.joins.wakeIfDone())
      shared.holders.add(manager.holder)
      yield* Effect.addFinalizer(() => Effect.sync(() => void shared.holders.delete(manager.holder)))
      yield* Effect.addFinalizer(() => Effect.sync(unwatch))
    }
    // its limit, on the manager's series (no `task`): the tasks its workers run at once — set once
    // the manager is made (a make that fails leaves the limit of a live manager of its name alone)
    observers?.instrument?.limited(workers)
    manager.workers = yield* Effect.forEach(
      Array.from({ length: workers }),
      (_, slot) => Effect.forkDetach(manager.worker(slot)),
      { concurrency: "unbounded" }
    )
    yield* Effect.addFinalizer(() => manager.shutdown({ drain: false }))
    return {
      add: manager.add as Api.TaskManager<T>["add"],
      addAll: manager.addAll as Api.TaskManager<T>["addAll"],
      status: manager.status,
      // each outcome comes from one of this manager's definitions, with its value or typed error
      results: Stream.unwrap(outcomes.subscribe) as Api.TaskManager<T>["results"],
      subscribe: outcomes.subscribe as Api.TaskManager<T>["subscribe"],
      join: manager.join,
      cancel: manager.cancel,
      ...manager.deadLetters,
      shutdown: manager.shutdown
    }
  })
