import { decodeNonNegative } from "@fiberkit/sync/Durations"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { InvalidOptions } from "../Errors.js"
import type * as Api from "../FiberPool.js"

/** How a pool orders and bounds its pending tasks. @internal */
export interface Steering {
  readonly maxPending: number | undefined
  readonly onFull: "wait" | "fail" | "dropOldest"
  /** Milliseconds one step of priority is worth in waiting time; `undefined`: strict priorities. */
  readonly agingMillis: number | undefined
}

/** @internal */
export const unsteered: Steering = { maxPending: undefined, onFull: "wait", agingMillis: undefined }

/** The options that steer a pool (`FiberPool.make`'s and `WorkerPool.make`'s). @internal */
export type SteeringOptions = Pick<Api.FiberPool.Options, "maxPending" | "onFull" | "aging">

/** The steering options of `operation` (`FiberPool.make`, `WorkerPool.make`), checked. @internal */
export const resolveSteering = (
  options: SteeringOptions | undefined,
  operation = "FiberPool.make"
): Effect.Effect<Steering, InvalidOptions> => {
  const invalid = (field: string, expected: string, value: unknown) =>
    Effect.fail(new InvalidOptions({ operation, field, expected, value }))
  const maxPending = options?.maxPending
  if (maxPending !== undefined && !(Number.isSafeInteger(maxPending) && maxPending >= 0)) {
    return invalid("maxPending", "an integer ≥ 0", maxPending)
  }
  const onFull = options?.onFull ?? "wait"
  if (onFull !== "wait" && onFull !== "fail" && onFull !== "dropOldest") {
    return invalid("onFull", `"wait", "fail" or "dropOldest"`, onFull)
  }
  let agingMillis: number | undefined = undefined
  if (options?.aging !== undefined) {
    const aging = decodeNonNegative(options.aging).pipe(Option.map(Duration.toMillis), Option.getOrUndefined)
    if (aging === undefined || !(aging > 0) || !Number.isFinite(aging)) {
      return invalid("aging", "a finite duration > 0", options.aging)
    }
    agingMillis = aging
  }
  return Effect.succeed({ maxPending, onFull, agingMillis })
}

/**
 * The rank of a task of `priority` (lower ranks run first): `-priority`, or with aging
 * `submittedAt − priority × aging` — a priority step is worth `aging` of waiting.
 *
 * @internal
 */
export const withRank = <A, E, R>(
  steering: Steering,
  priority: number,
  f: (rank: number) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => {
  if (priority === 0 && steering.agingMillis === undefined) return f(0)
  if (!Number.isFinite(priority)) {
    return Effect.die(
      new Cause.IllegalArgumentError(`FiberPool.submit: priority must be a finite number, got ${priority}`)
    )
  }
  const aging = steering.agingMillis
  if (aging === undefined) return f(-priority)
  return Effect.clockWith((clock) => {
    const rank = clock.currentTimeMillisUnsafe() - priority * aging
    // a priority so large that priority × aging is no number: it could not be told from the next
    return Number.isFinite(rank) ? f(rank) : Effect.die(
      new Cause.IllegalArgumentError(
        `FiberPool.submit: priority × aging must be a finite number of milliseconds, got ${priority} × ${aging}`
      )
    )
  })
}
