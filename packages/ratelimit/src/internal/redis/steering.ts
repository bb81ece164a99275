import { PendingLimitExceeded } from "@fiberkit/sync/Errors"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import { InvalidOptions } from "../../Errors.js"
import type { OnFull } from "../limitCore.js"

/**
 * This process's bound on the requests waiting for a limiter on Redis, checked at `make`: a
 * `maxPending` (an integer ≥ 0, or none) and what to do when it is reached.
 *
 * @internal
 */
export class PendingBound {
  constructor(readonly source: string, readonly maxPending: number | undefined, readonly onFull: OnFull) {}

  /** The error of a request refused (`dropped: false`) or dropped for a newer one (`true`). */
  exceeded(pending: number, dropped: boolean): PendingLimitExceeded {
    return new PendingLimitExceeded({ source: this.source, maxPending: this.maxPending!, pending, dropped })
  }
}

/** `maxPending` and `onFull` checked as the local limiters check them. @internal */
export const pendingBound = (
  source: string,
  options: { readonly maxPending?: number | undefined; readonly onFull?: OnFull | undefined }
): Effect.Effect<PendingBound, InvalidOptions> => {
  const operation = `${source}.make`
  const { maxPending } = options
  if (maxPending !== undefined && !(Number.isSafeInteger(maxPending) && maxPending >= 0)) {
    return Effect.fail(
      new InvalidOptions({ operation, field: "maxPending", expected: "an integer ≥ 0", value: maxPending })
    )
  }
  const onFull = options.onFull ?? "fail"
  if (onFull !== "fail" && onFull !== "dropOldest") {
    return Effect.fail(
      new InvalidOptions({ operation, field: "onFull", expected: `"fail" or "dropOldest"`, value: onFull })
    )
  }
  return Effect.succeed(new PendingBound(source, maxPending, onFull))
}

/** A priority that is not a finite number is a programming mistake: a defect naming the call. @internal */
export const checkPriority = (source: string, priority: number): Effect.Effect<void> =>
  Number.isFinite(priority)
    ? Effect.void
    : Effect.die(
      new Cause.IllegalArgumentError(`${source}.withPriority: priority must be a finite number, got ${priority}`)
    )
