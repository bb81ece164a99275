import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { InvalidOptions } from "../Errors.js"

/** An integer ≥ 0. @internal */
export const NonNegativeInt = Schema.Int.pipe(Schema.nonNegative())

/** An integer ≥ 1. @internal */
export const PositiveInt = Schema.Int.pipe(Schema.positive())

/**
 * Checks one option against its schema; a value outside it fails with `InvalidOptions`
 * naming the operation, the field, the expected range and the value. (An `Either` is also an
 * `Effect`, so constructors can `Effect.map` over it.)
 *
 * @internal
 */
export const validate = <A, I>(
  operation: string,
  field: string,
  schema: Schema.Schema<A, I>,
  expected: string,
  value: unknown
): Either.Either<A, InvalidOptions> =>
  Either.mapLeft(
    Schema.decodeUnknownEither(schema)(value),
    () => new InvalidOptions({ operation, field, expected, value })
  )

/** A permit count for acquire/release: an integer ≥ 0, checked without allocating on the fast path. @internal */
export const checkPermits = (operation: string, n: number): InvalidOptions | undefined =>
  Number.isSafeInteger(n) && n >= 0
    ? undefined
    : new InvalidOptions({ operation, field: "permits", expected: "an integer ≥ 0", value: n })
