import * as Arbitrary from "effect/Arbitrary"
import type * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type * as Api from "../Gen.js"

const rangeError = (name: string, message: string) => new RangeError(`Gen.${name}: ${message}`)

const checkLengths = (name: string, minLength: number, maxLength: number | undefined) => {
  if (!Number.isInteger(minLength) || minLength < 0) throw rangeError(name, `minLength ${minLength} is not a natural`)
  if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < minLength)) {
    throw rangeError(name, `maxLength ${maxLength} is below minLength ${minLength} or not an integer`)
  }
}

/** @internal */
export const integer = (options?: Api.IntegerOptions): Arbitrary.Arbitrary<number> => {
  const min = options?.min ?? Number.MIN_SAFE_INTEGER
  const max = options?.max ?? Number.MAX_SAFE_INTEGER
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max)) {
    throw rangeError("integer", `bounds must be safe integers, got ${min} and ${max}`)
  }
  if (min > max) throw rangeError("integer", `min ${min} is above max ${max}`)
  if (min === max) return Arbitrary.Constant(min)
  return Arbitrary.schema(Schema.Int.check(Schema.isBetween({ minimum: min, maximum: max })))
}

/** @internal */
export const boolean: Arbitrary.Arbitrary<boolean> = Arbitrary.schema(Schema.Boolean)

/** @internal */
export const constant = <const A>(value: A): Arbitrary.Arbitrary<A> => Arbitrary.Constant(value)

/** @internal */
export const constantFrom = <const A>(...values: ReadonlyArray<A>): Arbitrary.Arbitrary<A> => {
  if (values.length === 0) throw rangeError("constantFrom", "needs at least one value")
  if (values.length === 1) return Arbitrary.Constant(values[0]!)
  return Arbitrary.map(integer({ min: 0, max: values.length - 1 }), (i) => values[i]!)
}

const isWeighted = (u: Api.OneOfMember<unknown>): u is Api.Weighted<unknown> => !Arbitrary.isArbitrary(u)

/** @internal */
export const oneof = <const Members extends ReadonlyArray<Api.OneOfMember<unknown>>>(
  ...members: Members
): Arbitrary.Arbitrary<Api.OneOfValue<Members[number]>> => {
  if (members.length === 0) throw rangeError("oneof", "needs at least one arbitrary")
  const arbs: Array<Arbitrary.Arbitrary<Api.OneOfValue<Members[number]>>> = []
  const bounds: Array<number> = [] // cumulative weights: member i owns [bounds[i-1], bounds[i])
  let total = 0
  for (const member of members) {
    const [arbitrary, weight] = isWeighted(member) ? [member.arbitrary, member.weight] : [member, 1]
    if (!Number.isInteger(weight) || weight < 0) throw rangeError("oneof", `weight ${weight} is not a natural`)
    arbs.push(arbitrary as Arbitrary.Arbitrary<Api.OneOfValue<Members[number]>>)
    total += weight
    bounds.push(total)
  }
  if (total === 0) throw rangeError("oneof", "the weights add up to 0")
  if (arbs.length === 1) return arbs[0]!
  // The pick shrinks towards 0, that is towards the first member, as in fast-check.
  return Arbitrary.flatMap(integer({ min: 0, max: total - 1 }), (pick) => arbs[bounds.findIndex((b) => pick < b)]!)
}

/** @internal */
export const array = <A>(item: Arbitrary.Arbitrary<A>, options?: Api.LengthOptions): Arbitrary.Arbitrary<Array<A>> => {
  const minLength = options?.minLength ?? 0
  checkLengths("array", minLength, options?.maxLength)
  return sized(item, minLength, options?.maxLength)
}

/**
 * An array of `minLength` to `maxLength` items. effect's `Arbitrary.array` caps lengths at the
 * check's `size` (10 by default); as in fast-check, an explicit `maxLength` is reached: the length
 * is drawn first (and shrinks towards `minLength`), then that many items.
 */
const sized = <A>(item: Arbitrary.Arbitrary<A>, minLength: number, maxLength: number | undefined) =>
  maxLength === undefined || maxLength === minLength
    ? Arbitrary.array(item, { minLength, maxLength })
    : Arbitrary.flatMap(
      integer({ min: minLength, max: maxLength }),
      (length) => Arbitrary.array(item, { minLength: length, maxLength: length })
    )

/** @internal */
export const uniqueArray = <A>(
  item: Arbitrary.Arbitrary<A>,
  options?: Api.UniqueArrayOptions<A>
): Arbitrary.Arbitrary<Array<A>> => {
  const minLength = options?.minLength ?? 0
  const maxLength = options?.maxLength
  checkLengths("uniqueArray", minLength, maxLength)
  const selector = options?.selector ?? ((a: A) => a)
  // Draw more candidates than needed and keep the first occurrence of each key: duplicates are dropped instead of
  // rejecting the whole array, and shrinking the candidates (shorter, smaller) still shrinks the result.
  const rawMin = minLength * 3
  const raw = sized(item, rawMin, maxLength === undefined ? undefined : Math.max(rawMin, maxLength * 2))
  return raw.pipe(
    Arbitrary.map((candidates) => {
      const seen = new Set<unknown>()
      const out: Array<A> = []
      for (const candidate of candidates) {
        if (maxLength !== undefined && out.length >= maxLength) break
        const key = selector(candidate)
        if (seen.has(key)) continue
        seen.add(key)
        out.push(candidate)
      }
      return out
    }),
    Arbitrary.filter((out) => out.length >= minLength)
  )
}

/** @internal */
export const record = <const Fields extends Readonly<Record<string, Arbitrary.Arbitrary<unknown>>>>(
  fields: Fields
): Arbitrary.Arbitrary<{ -readonly [K in keyof Fields]: Api.ValueOf<Fields[K]> }> => Arbitrary.all(fields) as never

/** @internal */
export const tuple = <const Arbs extends ReadonlyArray<Arbitrary.Arbitrary<unknown>>>(
  ...arbs: Arbs
): Arbitrary.Arbitrary<{ -readonly [K in keyof Arbs]: Api.ValueOf<Arbs[K]> }> => Arbitrary.all(arbs) as never

/** @internal */
export const option = ((
  item: Arbitrary.Arbitrary<unknown>,
  options?: { readonly nil?: unknown; readonly freq?: number | undefined }
): Arbitrary.Arbitrary<unknown> => {
  const freq = options?.freq ?? 5
  if (!Number.isInteger(freq) || freq < 1) throw rangeError("option", `freq ${freq} is not a positive integer`)
  const hasNil = options !== undefined && "nil" in options
  const none = Arbitrary.Constant(hasNil ? options.nil : Option.none())
  const some = hasNil ? item : Arbitrary.map(item, Option.some)
  // 0 is "nothing" (one draw in freq + 1), and the pick shrinks towards it.
  return Arbitrary.flatMap(
    integer({ min: 0, max: freq }),
    (pick): Arbitrary.Arbitrary<unknown> => pick === 0 ? none : some
  )
}) as typeof Api.option

/** @internal */
export const string = (options?: Api.StringOptions): Arbitrary.Arbitrary<string> => {
  const minLength = options?.minLength ?? 0
  const maxLength = options?.maxLength
  checkLengths("string", minLength, maxLength)
  if (options?.unit === "unicode") {
    return Arbitrary.schema(Schema.String.check(
      maxLength === undefined ? Schema.isMinCodePoints(minLength) : Schema.isBetweenCodePoints(minLength, maxLength)
    ))
  }
  return Arbitrary.schema(Schema.String.check(
    maxLength === undefined ? Schema.isMinLength(minLength) : Schema.isBetweenLength(minLength, maxLength)
  ))
}

/** @internal */
export const double = (options?: Api.DoubleOptions): Arbitrary.Arbitrary<number> => {
  const min = options?.min ?? -Number.MAX_VALUE
  const max = options?.max ?? Number.MAX_VALUE
  if (!Number.isFinite(min) || !Number.isFinite(max)) throw rangeError("double", "bounds must be finite")
  if (min > max) throw rangeError("double", `min ${min} is above max ${max}`)
  if (min === max) return Arbitrary.Constant(min)
  return Arbitrary.schema(Schema.Finite.check(Schema.isBetween({ minimum: min, maximum: max })))
}

/** @internal */
export const sample = <A>(
  arbitrary: Arbitrary.Arbitrary<A>,
  count: number,
  options?: Api.SampleOptions
): Effect.Effect<ReadonlyArray<A>, Arbitrary.SampleError> => Arbitrary.sampleEffect(arbitrary, { ...options, count })

/** @internal */
export const map: {
  <A, B>(f: (a: A) => B): (self: Arbitrary.Arbitrary<A>) => Arbitrary.Arbitrary<B>
  <A, B>(self: Arbitrary.Arbitrary<A>, f: (a: A) => B): Arbitrary.Arbitrary<B>
} = Arbitrary.map

/** @internal */
export const flatMap: {
  <A, B>(f: (a: A) => Arbitrary.Arbitrary<B>): (self: Arbitrary.Arbitrary<A>) => Arbitrary.Arbitrary<B>
  <A, B>(self: Arbitrary.Arbitrary<A>, f: (a: A) => Arbitrary.Arbitrary<B>): Arbitrary.Arbitrary<B>
} = Arbitrary.flatMap
