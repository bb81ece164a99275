import * as Durations from "@fiberkit/sync/Durations"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { InvalidOptions, type TaskStoreError } from "../Errors.js"
import type * as Api from "../TaskManager.js"
import type * as TaskStore from "../TaskStore.js"
import { invalidId } from "./taskIds.js"

const invalid = (field: string, expected: string, value: unknown) =>
  new InvalidOptions({ operation: "TaskManager.add", field, expected, value })

/** The longest window: 1,000 years (a debounced task's `runAt` stays a valid date). */
const longestTtl = 1_000 * 365.25 * 24 * 60 * 60 * 1_000

/**
 * The window of an add's `dedupe` option, as the stores see it (`TaskStore.DedupeWindow`), its key
 * naming the definition, the mode and the caller's key; `undefined` without the option. A key
 * that breaks the task id rule, a mode that is neither, a ttl that is not a finite duration > 0
 * (up to 1,000 years), or a debounce with a `delay` or `runAt` fail `InvalidOptions`.
 *
 * @internal
 */
export const resolveDedupe = (
  options: Api.TaskManager.AddOptions | undefined,
  name: string
): TaskStore.DedupeWindow | undefined | InvalidOptions => {
  const dedupe = options?.dedupe
  if (dedupe === undefined) return undefined
  if (typeof dedupe !== "object" || dedupe === null) return invalid("dedupe", "{ key, ttl, mode? }", dedupe)
  const reason = invalidId(dedupe.key)
  if (reason !== undefined) {
    return invalid("dedupe.key", `a key by the task id rule (${reason})`, dedupe.key)
  }
  const mode = dedupe.mode ?? "throttle"
  if (mode !== "throttle" && mode !== "debounce") return invalid("dedupe.mode", `"throttle" or "debounce"`, mode)
  const decoded = Durations.decodeNonNegative(dedupe.ttl)
  const millis = Option.isSome(decoded) && Duration.isFinite(decoded.value) ? Duration.toMillis(decoded.value) : NaN
  if (!(millis > 0 && millis <= longestTtl)) {
    return invalid("dedupe.ttl", "a finite duration > 0 (at most 1,000 years)", dedupe.ttl)
  }
  if (mode === "debounce") {
    // a debounce sets the time itself: ttl after the last add
    if (options?.delay !== undefined) return invalid("delay", "no delay with a debounce", options.delay)
    if (options?.runAt !== undefined) return invalid("runAt", "no runAt with a debounce", options.runAt)
  }
  return { key: JSON.stringify([name, mode, dedupe.key]), mode, ttl: Math.ceil(millis) }
}

/**
 * Stores the tasks of an add (checked by `newTasks`): through the store's window when the add has
 * one (`add` adds one task), else all at once. Returns the ids the add answers with and how many
 * tasks were added. Shared by the local and the BullMQ manager.
 *
 * @internal
 */
export const storeTasks = (
  store: Pick<TaskStore.TaskStore, "add" | "addDeduped">,
  tasks: ReadonlyArray<TaskStore.NewTask>,
  options: Api.TaskManager.AddOptions | undefined
): Effect.Effect<{ readonly ids: Array<string>; readonly added: number }, TaskStoreError> => {
  const window = tasks.length === 1 ? resolveDedupe(options, tasks[0]!.name) : undefined
  if (window === undefined || window instanceof InvalidOptions) {
    return Effect.map(store.add(tasks), (added) => ({ ids: tasks.map((task) => task.id), added }))
  }
  return Effect.map(
    store.addDeduped(tasks[0]!, window),
    (deduped) => ({ ids: [deduped.id], added: deduped.added ? 1 : 0 })
  )
}
