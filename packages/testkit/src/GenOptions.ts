/**
 * The options of `Gen`'s constructors, re-exported by `Gen` (`Gen.IntegerOptions`, …): bounds of
 * integers, doubles, lengths and strings, and a sample's seed.
 *
 * @since 0.3.0
 */

/**
 * Inclusive integer bounds. Default: the safe integers.
 *
 * **Example**
 *
 * ```ts
 * import { Gen } from "@fiberkit/testkit"
 *
 * const userPorts: Gen.IntegerOptions = { min: 1024, max: 65535 }
 * const port = Gen.integer(userPorts)
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface IntegerOptions {
  readonly min?: number | undefined
  readonly max?: number | undefined
}

/**
 * Inclusive finite bounds (default: every finite double); never NaN nor infinite, `noNaN` or not.
 *
 * **Example**
 *
 * ```ts
 * import { Gen } from "@fiberkit/testkit"
 *
 * const fraction: Gen.DoubleOptions = { min: 0, max: 1 }
 * const load = Gen.double(fraction)
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface DoubleOptions {
  readonly min?: number | undefined
  readonly max?: number | undefined
  readonly noNaN?: boolean | undefined
}

/**
 * Inclusive length bounds. Default: `minLength` 0, no `maxLength`. With a `maxLength`, any length
 * up to it is drawn (as in fast-check); without one, lengths follow the check's `size` (10 by
 * default).
 *
 * **Example**
 *
 * ```ts
 * import { Gen } from "@fiberkit/testkit"
 *
 * const batch: Gen.LengthOptions = { minLength: 1, maxLength: 50 }
 * const batches = Gen.array(Gen.array(Gen.integer(), batch), { maxLength: 5 })
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface LengthOptions {
  readonly minLength?: number | undefined
  readonly maxLength?: number | undefined
}

/**
 * Length bounds of `Gen.uniqueArray`, and a `selector` giving the key that no two elements may share.
 *
 * **Example**
 *
 * ```ts
 * import { Gen } from "@fiberkit/testkit"
 *
 * const byId: Gen.UniqueArrayOptions<{ id: number; name: string }> = { maxLength: 10, selector: (user) => user.id }
 * const users = Gen.uniqueArray(Gen.record({ id: Gen.integer({ min: 1, max: 20 }), name: Gen.string() }), byId)
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface UniqueArrayOptions<A> extends LengthOptions {
  /** The key two elements must not share (default: the element itself, compared with SameValueZero). */
  readonly selector?: ((a: A) => unknown) | undefined
}

/**
 * Length bounds of `Gen.string`. `unit: "ascii"` (default) counts UTF-16 units, mostly printable
 * ASCII but any unit now and then (a lone surrogate too: such a string need not be well-formed
 * UTF-16); `unit: "unicode"` counts code points and mixes in astral ones.
 *
 * **Example**
 *
 * ```ts
 * import { Gen } from "@fiberkit/testkit"
 *
 * const fileName: Gen.StringOptions = { minLength: 1, maxLength: 40, unit: "unicode" }
 * const name = Gen.string(fileName)
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface StringOptions extends LengthOptions {
  readonly unit?: "ascii" | "unicode" | undefined
}

/**
 * Options of `Gen.sample`: a `seed` makes the sample reproducible.
 *
 * **Example**
 *
 * ```ts
 * import { Gen } from "@fiberkit/testkit"
 *
 * const reproducible: Gen.SampleOptions = { seed: 42 }
 * const rolls = Gen.sample(Gen.integer({ min: 1, max: 6 }), 5, reproducible) // the same 5 every run
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface SampleOptions {
  readonly seed?: string | number | undefined
  readonly size?: number | undefined
}
