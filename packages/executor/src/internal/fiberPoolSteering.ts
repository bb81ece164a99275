import * as Priority from "@fiberkit/sync/Priority"
import * as Effect from "effect/Effect"
import { InvalidOptions } from "../Errors.js"
import type * as Api from "../FiberPool.js"

/** How a pool orders and bounds its pending tasks. @internal */
export interface Steering {
  readonly maxPending: number | undefined
  readonly onFull: "wait" | "fail" | "dropOldest"
  /** How priorities become ranks: strictly, or with aging. */
  readonly ranking: Priority.Ranking
}

const strict = new Priority.Ranking("FiberPool.submit", undefined)

/** @internal */
export const unsteered: Steering = { maxPending: undefined, onFull: "wait", ranking: strict }

/** The options that steer a pool (`FiberPool.make`'s and `WorkerPool.make`'s). @internal */
export type SteeringOptions = Pick<Api.FiberPool.Options, "maxPending" | "onFull" | "aging">

/**
 * The steering options of `pool`'s `make`, checked; its ranking names `pool`'s `submit` in its
 * defects.
 *
 * @internal
 */
export const resolveSteering = (
  options: SteeringOptions | undefined,
  pool: "FiberPool" | "WorkerPool" = "FiberPool"
): Effect.Effect<Steering, InvalidOptions> => {
  const operation = `${pool}.make`
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
  return Effect.map(Priority.decodeAging(operation, options?.aging), (agingMillis) => ({
    maxPending,
    onFull,
    ranking: agingMillis === undefined && pool === "FiberPool"
      ? strict
      : new Priority.Ranking(`${pool}.submit`, agingMillis)
  }))
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
): Effect.Effect<A, E, R> => steering.ranking.withRank(priority, f)
