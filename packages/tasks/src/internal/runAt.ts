import * as Durations from "@fiberkit/sync/Durations"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import { InvalidOptions } from "../Errors.js"
import type * as Api from "../TaskManager.js"

const invalid = (field: string, expected: string, value: unknown) =>
  new InvalidOptions({ operation: "TaskManager.add", field, expected, value })

/**
 * When an added task may first be taken (epoch ms), from `add`'s `delay` or `runAt`; `undefined`
 * for at once (no option, a zero delay, a time not after `now`). Both at once, a delay that is
 * not a finite duration ≥ 0, or a time that is not a valid date fail `InvalidOptions`.
 *
 * @internal
 */
export const resolveRunAt = (
  options: Api.TaskManager.AddOptions | undefined,
  now: number
): number | undefined | InvalidOptions => {
  const delay = options?.delay
  const runAt = options?.runAt
  if (delay !== undefined && runAt !== undefined) {
    return invalid("delay", "either a delay or a runAt, not both", delay)
  }
  if (delay !== undefined) {
    const decoded = Durations.decodeNonNegative(delay)
    if (Option.isNone(decoded) || !Duration.isFinite(decoded.value)) {
      return invalid("delay", "a finite duration ≥ 0", delay)
    }
    const millis = Math.ceil(Duration.toMillis(decoded.value))
    return millis === 0 ? undefined : now + millis
  }
  if (runAt !== undefined) {
    const at = runAt instanceof Date ? runAt.getTime() : runAt
    if (typeof at !== "number" || !Number.isFinite(at) || Math.abs(at) > 8.64e15) {
      return invalid("runAt", "a valid Date, or epoch milliseconds", runAt)
    }
    const millis = Math.ceil(at)
    return millis <= now ? undefined : millis
  }
  return undefined
}
