import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import { InvalidOptions } from "../Errors.js"
import type * as Api from "../TaskManager.js"
import { defaultStoreRetry } from "./supervision.js"

/** @internal */
export const defaults = { workers: 4, storeRetry: defaultStoreRetry, resultsBuffer: 100_000 }

const invalid = (field: string, expected: string, value: unknown) =>
  new InvalidOptions({ operation: "TaskManager.make", field, expected, value })

/**
 * Whether `input` is below zero, in any form of a `DurationInput`: millis (or NaN), nanos as a
 * bigint, a `[seconds, nanos]` pair that adds up below zero, or a text such as `"-1 millis"` —
 * `Duration.decode` takes each as zero.
 */
const isNegative = (input: unknown): boolean => {
  if (typeof input === "number") return !(input >= 0)
  if (typeof input === "bigint") return input < 0n
  if (Array.isArray(input) && input.length === 2) return !(Number(input[0]) * 1e9 + Number(input[1]) >= 0)
  return typeof input === "string" && /^\s*-/.test(input)
}

/** Whether `input` is a duration ≥ 0 (a negative amount decodes to zero: it is caught first). */
const isDuration = (input: unknown): boolean => !isNegative(input) && Option.isSome(Duration.decodeUnknown(input))

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
  const workers = options.workers ?? defaults.workers
  if (!Number.isSafeInteger(workers) || workers < fewestWorkers) {
    return invalid(
      "workers",
      fewestWorkers === 1 ? "an integer ≥ 1" : "an integer ≥ 0 (0: a producer that runs no task)",
      workers
    )
  }
  if (options.timeout !== undefined && !isDuration(options.timeout)) {
    return invalid("timeout", "a duration ≥ 0", options.timeout)
  }
  const buffer = options.resultsBuffer ?? defaults.resultsBuffer
  if (!Number.isSafeInteger(buffer) || buffer < 1) return invalid("resultsBuffer", "an integer ≥ 1", buffer)
  return undefined
}
