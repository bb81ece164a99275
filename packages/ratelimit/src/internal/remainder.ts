/**
 * What a resize of a token bucket or GCRA cannot express in whole units of the new numbers: the
 * algorithms keep whole units in plain numbers (the hot path), and carry the fraction of a unit a
 * resize leaves over here, exactly, as a fraction of BigInts — read and written only by `resized`,
 * which is rare. Every rounding in here goes one way, chosen by the caller to be "later".
 *
 * @internal
 */

/** A fraction `n / d` of BigInts, reduced, `d > 0`. */
export interface Fraction {
  readonly n: bigint
  readonly d: bigint
}

/** No remainder. */
export const NONE: Fraction = { n: 0n, d: 1n }

/**
 * A remainder's denominator grows by a factor of the old interval or limit at each resize that
 * leaves one; past this bound it is rounded down to a multiple of 1 / `PRECISION` (less than
 * 2^-128 of a unit lost, toward later), so a long run of resizes keeps it small.
 */
const PRECISION = 1n << 128n

const gcd = (a: bigint, b: bigint): bigint => {
  a = a < 0n ? -a : a
  while (b !== 0n) [a, b] = [b, a % b]
  return a
}

/** `n / d` reduced, rounded down to a multiple of 1 / `PRECISION` when `d` passes it. */
const fraction = (n: bigint, d: bigint): Fraction => {
  const k = gcd(n, d)
  const [rn, rd] = [n / k, d / k]
  if (rd <= PRECISION) return rn === 0n ? NONE : { n: rn, d: rd }
  return fraction((rn * PRECISION) / rd, PRECISION) // n ≥ 0 here: a BigInt division floors it
}

/** `whole + part`, exactly. */
export const plus = (whole: number, part: Fraction): Fraction => ({ n: BigInt(whole) * part.d + part.n, d: part.d })

/** `whole` units, exactly. */
export const exactly = (whole: number): Fraction => ({ n: BigInt(whole), d: 1n })

/** `whole - part`, exactly. */
export const minus = (whole: number, part: Fraction): Fraction => ({ n: BigInt(whole) * part.d - part.n, d: part.d })

/** `q × mul / div` (`div > 0`), exactly. */
export const times = (q: Fraction, mul: number, div: number): Fraction => ({
  n: q.n * BigInt(mul),
  d: q.d * BigInt(div)
})

/** The largest plain number at most `n` (an integer): `Number(n)` rounds to the nearest, up too. */
const numberAtMost = (n: bigint): number => {
  let x = Number(n)
  while (BigInt(x) > n) x -= 2 ** (Math.floor(Math.log2(Math.abs(x))) - 52)
  return x
}

/** The smallest plain number at least `n` (an integer). */
const numberAtLeast = (n: bigint): number => -numberAtMost(-n)

/**
 * `q` split into whole units rounded down and what is left over, in [0, 1) — for a quantity that
 * must not grow (a token bucket's level: fewer tokens is later). Past 2^53 the whole part is a
 * plain number no longer exact: it is rounded down again, and the remainder dropped (later still).
 */
export const splitDown = (q: Fraction): { readonly whole: number; readonly part: Fraction } => {
  const floor = q.n >= 0n ? q.n / q.d : -((-q.n + q.d - 1n) / q.d)
  const whole = numberAtMost(floor)
  return Number.isSafeInteger(whole) ? { whole, part: fraction(q.n - floor * q.d, q.d) } : { whole, part: NONE }
}

/**
 * `q` (≥ 0) split into whole units rounded up and how much that adds, in [0, 1) — for a quantity
 * that must not shrink (GCRA's time booked ahead: more is later). Past 2^53 the whole part is
 * rounded up again, and the excess forgotten (counted as booked: later still).
 */
export const splitUp = (q: Fraction): { readonly whole: number; readonly part: Fraction } => {
  const ceil = (q.n + q.d - 1n) / q.d
  const whole = numberAtLeast(ceil)
  return Number.isSafeInteger(whole) ? { whole, part: fraction(ceil * q.d - q.n, q.d) } : { whole, part: NONE }
}

/** Whether `a ≥ b`. */
export const atLeast = (a: Fraction, b: Fraction): boolean => a.n * b.d >= b.n * a.d
