import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Result from "effect/Result"
import * as Schema from "effect/Schema"
import { InvalidOptions } from "../Errors.js"

/** An integer ≥ 0. @internal */
export const NonNegativeInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

/** An integer ≥ 1. @internal */
export const PositiveInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(1))

/**
 * Checks one option against its schema; a value outside it fails with `InvalidOptions`
 * naming the operation, the field, the expected range and the value.
 *
 * @internal
 */
export const validate = <A>(
  operation: string,
  field: string,
  schema: Schema.ConstraintDecoder<A>,
  expected: string,
  value: unknown
): Effect.Effect<A, InvalidOptions> =>
  Result.match(Schema.decodeUnknownResult(schema)(value), {
    onSuccess: Effect.succeed,
    onFailure: () => Effect.fail(new InvalidOptions({ operation, field, expected, value }))
  })

/** A permit count for acquire/release: an integer ≥ 0, checked without allocating on the fast path. @internal */
export const checkPermits = (operation: string, n: number): InvalidOptions | undefined =>
  Number.isSafeInteger(n) && n >= 0
    ? undefined
    : new InvalidOptions({ operation, field: "permits", expected: "an integer ≥ 0", value: n })

/**
 * A call with an impossible constant (a negative permit count): a programming mistake, so a
 * defect, as in Effect (`IllegalArgumentError`, with the message of `invalid`), not an error
 * every caller must handle. Options read from outside are checked at construction, as errors.
 *
 * @internal
 */
export const misuse = (invalid: InvalidOptions): Effect.Effect<never> =>
  Effect.die(new Cause.IllegalArgumentError(invalid.message))
