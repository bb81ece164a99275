/**
 * Checking a duration given as an option, for the constructors that validate their options:
 * `Duration.decode` takes a negative amount as zero (a timeout of `-1` would end every wait at
 * once) and throws on text it cannot read; here both are `None`, for a typed `InvalidOptions`.
 *
 * @since 0.2.0
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"

/**
 * Whether `input` is a `DurationInput` below zero, in any of its forms: milliseconds (or `NaN`),
 * nanoseconds as a bigint, a `[seconds, nanos]` pair that adds up below zero, or a text such as
 * `"-1 millis"`.
 *
 * **Example**
 *
 * ```ts
 * import { Durations } from "@fiberkit/sync"
 *
 * console.log(Durations.isNegative(-1n), Durations.isNegative([1, -5])) // true false
 * ```
 *
 * @since 0.2.0
 * @category predicates
 */
export const isNegative = (input: unknown): boolean => {
  if (typeof input === "number") return !(input >= 0)
  if (typeof input === "bigint") return input < 0n
  if (Array.isArray(input) && input.length === 2) return !(Number(input[0]) * 1e9 + Number(input[1]) >= 0)
  return typeof input === "string" && /^\s*-/.test(input)
}

/**
 * `input` decoded, if it is a duration ≥ 0 (`Infinity` included); `None` for a negative amount
 * in any form, `NaN`, or anything `Duration.decode` does not read.
 *
 * **Example**
 *
 * ```ts
 * import { Durations } from "@fiberkit/sync"
 * import { Option } from "effect"
 *
 * console.log(Option.isSome(Durations.decodeNonNegative("2 seconds"))) // true
 * console.log(Option.isNone(Durations.decodeNonNegative(-1n))) // true
 * ```
 *
 * @since 0.2.0
 * @category decoding
 */
export const decodeNonNegative = (input: unknown): Option.Option<Duration.Duration> =>
  isNegative(input) ? Option.none() : Duration.fromInput(input as Duration.Input)
