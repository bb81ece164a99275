import { decodeNonNegative } from "@fiberkit/sync/Durations"
import type { PendingLimitExceeded } from "@fiberkit/sync/Errors"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Api from "../ConcurrencyLimiter.js"
import { InvalidOptions } from "../Errors.js"
import { LimitCore, type OnFull } from "./limitCore.js"
import { recording } from "./recording.js"

const invalid = (operation: string, field: string, expected: string, value: unknown) =>
  Effect.fail(new InvalidOptions({ operation, field, expected, value }))

const isCount = (n: unknown, least: number): n is number => Number.isSafeInteger(n) && (n as number) >= least

/** A priority must be a finite number: anything else is a programming mistake, a defect. */
const checkPriority = (priority: number): Effect.Effect<void> =>
  Number.isFinite(priority)
    ? Effect.void
    : Effect.die(
      new Cause.IllegalArgumentError(
        `ConcurrencyLimiter.withPriority: priority must be a finite number, got ${priority}`
      )
    )

/**
 * A limiter is a `LimitCore` (ranked, resizable, optionally bounded permits) around each effect,
 * recorded in a Timeline when there is one.
 *
 * @internal
 */
export const make = (
  options: Api.ConcurrencyLimiter.Options
): Effect.Effect<Api.ConcurrencyLimiter<PendingLimitExceeded>, InvalidOptions> =>
  Effect.suspend(() => {
    const op = "ConcurrencyLimiter.make"
    const n = options.concurrency
    if (!isCount(n, 1)) return invalid(op, "concurrency", "an integer ≥ 1", n)
    if (options.maxPending !== undefined && !isCount(options.maxPending, 0)) {
      return invalid(op, "maxPending", "an integer ≥ 0", options.maxPending)
    }
    const onFull: OnFull = options.onFull ?? "fail"
    if (onFull !== "fail" && onFull !== "dropOldest") return invalid(op, "onFull", `"fail" or "dropOldest"`, onFull)
    let agingMillis: number | undefined = undefined
    if (options.aging !== undefined) {
      const aging = decodeNonNegative(options.aging).pipe(Option.map(Duration.toMillis), Option.getOrUndefined)
      if (aging === undefined || !(aging > 0) || !Number.isFinite(aging)) {
        return invalid(op, "aging", "a finite duration > 0", options.aging)
      }
      agingMillis = aging
    }
    const core = new LimitCore(n, { source: "ConcurrencyLimiter", maxPending: options.maxPending, onFull, agingMillis })
    return Effect.map(recording("ConcurrencyLimiter", options.name), (recorded) => {
      const run = <A, E, R>(effect: Effect.Effect<A, E, R>, priority: number) =>
        recorded === undefined
          ? core.run(effect, priority)
          : recorded.track((started) => core.run(Effect.andThen(started, effect), priority))
      const limiter = Object.assign(<A, E, R>(effect: Effect.Effect<A, E, R>) => run(effect, 0), {
        inside: Effect.sync(() => core.inside),
        waiting: Effect.sync(() => core.waiting),
        withPriority: (priority: number) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
          Effect.andThen(checkPriority(priority), run(effect, priority)),
        resize: (concurrency: number) =>
          isCount(concurrency, 1)
            ? Effect.sync(() => core.resize(concurrency))
            : invalid("ConcurrencyLimiter.resize", "concurrency", "an integer ≥ 1", concurrency),
        awaitIdle: core.awaitIdle,
        awaitSizeBelow: (size: number) => core.awaitSizeBelow(size)
      })
      return Object.defineProperty(limiter, "concurrency", { get: () => core.total, enumerable: true }) as
        & typeof limiter
        & { readonly concurrency: number }
    })
  })
