import * as Durations from "@fiberkit/sync/Durations"
import * as Option from "effect/Option"
import { InvalidOptions } from "../Errors.js"
import type * as Api from "../TaskManager.js"
import { priorityRange, resolvePriority } from "./priority.js"
import { defaultStoreRetry } from "./supervision.js"

/** @internal */
export const defaults = { concurrency: 4, storeRetry: defaultStoreRetry, resultsBuffer: 100_000 }

const invalid = (field: string, expected: string, value: unknown) =>
  new InvalidOptions({ operation: "TaskManager.make", field, expected, value })

/** Whether `input` is a duration ≥ 0 (a negative amount, which decodes to zero, is not). */
const isDuration = (input: unknown): boolean => Option.isSome(Durations.decodeNonNegative(input))

/**
 * The first of a manager's options out of its range, as `InvalidOptions`; `undefined` if none.
 * `fewestWorkers`: 1 for a local store, 0 on BullMQ (a producer).
 *
 * @internal
 */
export const invalidOptions = (
  options: Api.TaskManager.Options<Api.TaskDefinition.Any>,
  fewestWorkers: 0 | 1
): InvalidOptions | undefined => {
  const workers = options.concurrency ?? defaults.concurrency
  if (!Number.isSafeInteger(workers) || workers < fewestWorkers) {
    return invalid(
      "concurrency",
      fewestWorkers === 1 ? "an integer ≥ 1" : "an integer ≥ 0 (0: a producer that runs no task)",
      workers
    )
  }
  if (options.timeout !== undefined && !isDuration(options.timeout)) {
    return invalid("timeout", "a duration ≥ 0", options.timeout)
  }
  for (const task of options.tasks) {
    if (task.timeout !== undefined && !isDuration(task.timeout)) {
      return invalid(`tasks["${task.name}"].timeout`, "a duration ≥ 0", task.timeout)
    }
    if (task.concurrency !== undefined && (!Number.isSafeInteger(task.concurrency) || task.concurrency < 1)) {
      return invalid(`tasks["${task.name}"].concurrency`, "an integer ≥ 1", task.concurrency)
    }
    if (task.priority !== undefined && resolvePriority(task.priority) instanceof InvalidOptions) {
      return invalid(`tasks["${task.name}"].priority`, priorityRange, task.priority)
    }
  }
  const buffer = options.resultsBuffer ?? defaults.resultsBuffer
  if (!Number.isSafeInteger(buffer) || buffer < 1) return invalid("resultsBuffer", "an integer ≥ 1", buffer)
  return undefined
}

/** `addAll`'s options as `add`'s: the same for every task, never one id for all. @internal */
export const manyOptions = (
  options: Api.TaskManager.AddAllOptions | undefined
): Api.TaskManager.AddOptions | undefined =>
  options === undefined ? undefined : { priority: options.priority, delay: options.delay, runAt: options.runAt }
