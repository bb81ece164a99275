/**
 * fast-check-like constructors of `effect/Arbitrary` values, for `it.prop` / `it.effect.prop`. All are
 * built on `Arbitrary.schema`, `map`, `flatMap`, `array` and `all`, so Effect's shrinking applies.
 *
 * @since 0.2.0
 */
import type * as Arbitrary_ from "effect/Arbitrary"
import type * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type * as Options from "./GenOptions.js"
import * as internal from "./internal/gen.js"

export type * from "./GenOptions.js"

/**
 * An `effect/Arbitrary` value: what every `Gen` constructor returns.
 *
 * **Example**
 *
 * ```ts
 * import { Gen } from "@fiberkit/testkit"
 *
 * const batches = (delay: Gen.Arbitrary<number>) => Gen.array(delay, { minLength: 1, maxLength: 8 })
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type Arbitrary<A> = Arbitrary_.Arbitrary<A>

/**
 * The type of the values an arbitrary generates.
 *
 * **Example**
 *
 * ```ts
 * import { Gen } from "@fiberkit/testkit"
 *
 * const job = Gen.record({ cost: Gen.integer({ min: 1, max: 5 }), fails: Gen.boolean })
 * type Job = Gen.ValueOf<typeof job> // { cost: number; fails: boolean }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type ValueOf<T> = [T] extends [Arbitrary_.Arbitrary<infer A>] ? A : never

/**
 * A member of {@link oneof} with a weight: it is drawn `weight` times out of the sum of the weights.
 *
 * **Example**
 *
 * ```ts
 * import { Gen } from "@fiberkit/testkit"
 *
 * const rare: Gen.Weighted<"timeout"> = { arbitrary: Gen.constant("timeout"), weight: 1 }
 * const reply = Gen.oneof({ arbitrary: Gen.constant("ok"), weight: 9 }, rare) // "timeout" 1 time in 10
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface Weighted<A> {
  readonly arbitrary: Arbitrary_.Arbitrary<A>
  readonly weight: number
}

/**
 * A member of {@link oneof}: an arbitrary (weight 1) or a {@link Weighted} one.
 *
 * **Example**
 *
 * ```ts
 * import { Gen } from "@fiberkit/testkit"
 *
 * const fast = { arbitrary: Gen.integer({ min: 0, max: 10 }), weight: 9 } satisfies Gen.OneOfMember<number>
 * const delay = Gen.oneof(fast, { arbitrary: Gen.integer({ min: 1000, max: 5000 }), weight: 1 })
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type OneOfMember<A> = Arbitrary_.Arbitrary<A> | Weighted<A>

/**
 * The type of the values a member of {@link oneof} generates.
 *
 * **Example**
 *
 * ```ts
 * import { Gen } from "@fiberkit/testkit"
 *
 * const slow = { arbitrary: Gen.integer({ min: 1000, max: 5000 }), weight: 1 }
 * type Slow = Gen.OneOfValue<typeof slow> // number
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export type OneOfValue<T> = T extends Weighted<infer A> ? A : T extends Arbitrary_.Arbitrary<infer A> ? A : never

/**
 * Integers from `min` to `max`, both included. Shrinks towards 0, or the bound nearest to it.
 *
 * **Example**
 *
 * ```ts
 * import { Gen } from "@fiberkit/testkit"
 *
 * const dieRoll: Gen.Arbitrary<number> = Gen.integer({ min: 1, max: 6 })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const integer: (options?: Options.IntegerOptions) => Arbitrary<number> = internal.integer

/**
 * `true` or `false`; shrinks to `false`.
 *
 * **Example**
 *
 * ```ts
 * import { Gen } from "@fiberkit/testkit"
 *
 * const flags = Gen.array(Gen.boolean, { minLength: 4, maxLength: 4 })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const boolean: Arbitrary<boolean> = internal.boolean

/**
 * Always `value`; does not shrink.
 *
 * **Example**
 *
 * ```ts
 * import { Gen } from "@fiberkit/testkit"
 *
 * const noWait = Gen.oneof(Gen.constant(0), Gen.integer({ min: 1, max: 100 }))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const constant: <const A>(value: A) => Arbitrary<A> = internal.constant

/**
 * One of `values`, equally likely; shrinks towards the first. Give the type argument to widen the
 * element type: `Gen.constantFrom<Outcome>("success", "failure")`.
 *
 * **Example**
 *
 * ```ts
 * import { Gen } from "@fiberkit/testkit"
 *
 * const kind: Gen.Arbitrary<"fifo" | "lifo"> = Gen.constantFrom("fifo", "lifo")
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const constantFrom: <const A>(...values: ReadonlyArray<A>) => Arbitrary<A> = internal.constantFrom

/**
 * A value of one of the members: arbitraries (equally likely) or `{ arbitrary, weight }`.
 * Shrinks towards the first member, then within the chosen member.
 *
 * **Example**
 *
 * ```ts
 * import { Gen } from "@fiberkit/testkit"
 *
 * const interruptAfter: Gen.Arbitrary<number | undefined> = Gen.oneof(
 *   { arbitrary: Gen.constant(undefined), weight: 3 },
 *   { arbitrary: Gen.integer({ min: 0, max: 99 }), weight: 1 }
 * )
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const oneof: <const Members extends ReadonlyArray<OneOfMember<unknown>>>(...members: Members) => Arbitrary<
  OneOfValue<Members[number]>
> = internal.oneof

/**
 * Arrays of `item` with a length from `minLength` to `maxLength`. Shrinks by removing elements
 * and shrinking the ones left.
 *
 * **Example**
 *
 * ```ts
 * import { Gen } from "@fiberkit/testkit"
 *
 * const costs: Gen.Arbitrary<Array<number>> = Gen.array(Gen.integer({ min: 1, max: 5 }), { maxLength: 25 })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const array: <A>(item: Arbitrary<A>, options?: Options.LengthOptions) => Arbitrary<Array<A>> = internal.array

/**
 * Arrays of `item` whose elements (or their `selector` keys) are all different. Duplicates
 * drawn are dropped, so a small domain still fills `minLength`.
 *
 * **Example**
 *
 * ```ts
 * import { Gen } from "@fiberkit/testkit"
 *
 * const lockIds = Gen.uniqueArray(Gen.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 5 })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const uniqueArray: <A>(item: Arbitrary<A>, options?: Options.UniqueArrayOptions<A>) => Arbitrary<Array<A>> =
  internal.uniqueArray

/**
 * Objects with one generated value per field. Shrinks one field at a time.
 *
 * **Example**
 *
 * ```ts
 * import { Gen } from "@fiberkit/testkit"
 *
 * const request: Gen.Arbitrary<{ gap: number; on: boolean }> = Gen.record({ gap: Gen.integer(), on: Gen.boolean })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const record: <const Fields extends Readonly<Record<string, Arbitrary<unknown>>>>(
  fields: Fields
) => Arbitrary<{ -readonly [K in keyof Fields]: ValueOf<Fields[K]> }> = internal.record

/**
 * Tuples with one generated value per position. Shrinks one position at a time.
 *
 * **Example**
 *
 * ```ts
 * import { Gen } from "@fiberkit/testkit"
 *
 * const pair: Gen.Arbitrary<[number, "a" | "b"]> = Gen.tuple(Gen.integer(), Gen.constantFrom("a", "b"))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const tuple: <const Arbs extends ReadonlyArray<Arbitrary<unknown>>>(
  ...arbs: Arbs
) => Arbitrary<{ -readonly [K in keyof Arbs]: ValueOf<Arbs[K]> }> = internal.tuple

/**
 * `Option.none()` (one draw in `freq + 1`, `freq` 5 by default) or `Option.some` of a value of
 * `item`; shrinks to `None` first. With `{ nil }` (as fast-check's `option`) it gives `nil`
 * instead of `None` and the bare value instead of `Some`.
 *
 * **Example**
 *
 * ```ts
 * import type { Option } from "effect"
 * import { Gen } from "@fiberkit/testkit"
 *
 * const cancelAt: Gen.Arbitrary<Option.Option<number>> = Gen.option(Gen.integer({ min: 0, max: 150 }))
 * const interruptAt: Gen.Arbitrary<number | undefined> = Gen.option(Gen.integer(), { nil: undefined })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const option: {
  <A>(item: Arbitrary<A>, options?: { readonly freq?: number | undefined }): Arbitrary<Option.Option<A>>
  <A, const Nil>(
    item: Arbitrary<A>,
    options: { readonly nil: Nil; readonly freq?: number | undefined }
  ): Arbitrary<A | Nil>
} = internal.option

/**
 * Strings with a length from `minLength` to `maxLength` (see `Gen.StringOptions` for `unit`).
 * Shrinks towards shorter strings of simpler characters.
 *
 * **Example**
 *
 * ```ts
 * import { Gen } from "@fiberkit/testkit"
 *
 * const label = Gen.string({ maxLength: 20 })
 * const name = Gen.string({ minLength: 1, maxLength: 60, unit: "unicode" })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const string: (options?: Options.StringOptions) => Arbitrary<string> = internal.string

/**
 * Finite doubles from `min` to `max`, both included; never NaN nor infinite.
 *
 * **Example**
 *
 * ```ts
 * import { Gen } from "@fiberkit/testkit"
 *
 * const seconds = Gen.double({ min: 0, max: 1e7 })
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const double: (options?: Options.DoubleOptions) => Arbitrary<number> = internal.double

/**
 * `count` values of an arbitrary, as an Effect (fails with `SampleError` when the arbitrary
 * discards too many draws). Give a `seed` for a reproducible sample.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Gen } from "@fiberkit/testkit"
 *
 * const rolls = Effect.runSync(Gen.sample(Gen.integer({ min: 1, max: 6 }), 10, { seed: 7 }))
 * ```
 *
 * @since 0.2.0
 * @category running
 */
export const sample: <A>(arbitrary: Arbitrary<A>, count: number, options?: Options.SampleOptions) => Effect.Effect<
  ReadonlyArray<A>,
  Arbitrary_.SampleError
> = internal.sample

/**
 * Transforms the values of an arbitrary (fast-check's `.map`); shrinking follows the source.
 *
 * **Example**
 *
 * ```ts
 * import { Gen } from "@fiberkit/testkit"
 *
 * const lane = Gen.map(Gen.integer({ min: 0, max: 12 }), (n) => `worker ${n}`)
 * const fraction = Gen.integer({ min: 0, max: 1000 }).pipe(Gen.map((n) => n / 1000))
 * ```
 *
 * @since 0.2.0
 * @category combinators
 */
export const map: {
  <A, B>(f: (a: A) => B): (self: Arbitrary<A>) => Arbitrary<B>
  <A, B>(self: Arbitrary<A>, f: (a: A) => B): Arbitrary<B>
} = internal.map

/**
 * Picks an arbitrary from a generated value (fast-check's `.chain`); shrinks the source first.
 *
 * **Example**
 *
 * ```ts
 * import { Gen } from "@fiberkit/testkit"
 *
 * const cut = Gen.integer({ min: 1, max: 100 }).pipe(Gen.flatMap((d) => Gen.integer({ min: 0, max: d - 1 })))
 * ```
 *
 * @since 0.2.0
 * @category combinators
 */
export const flatMap: {
  <A, B>(f: (a: A) => Arbitrary<B>): (self: Arbitrary<A>) => Arbitrary<B>
  <A, B>(self: Arbitrary<A>, f: (a: A) => Arbitrary<B>): Arbitrary<B>
} = internal.flatMap
