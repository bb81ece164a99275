/**
 * The README's token bucket and GCRA, exactly: quantities as fractions of BigInts, time in whole
 * milliseconds, independent of the limiter's code. A resize keeps what the README says it keeps
 * (the tokens, up to the new burst; the emission intervals booked, at the new length).
 */

/** A fraction `n / d` of BigInts, `d > 0`, reduced. */
export interface Fraction {
  readonly n: bigint
  readonly d: bigint
}
const gcd = (a: bigint, b: bigint): bigint => {
  a = a < 0n ? -a : a
  while (b !== 0n) [a, b] = [b, a % b]
  return a
}
export const fraction = (n: bigint, d: bigint): Fraction => {
  const k = gcd(n, d)
  return { n: n / k, d: d / k }
}
const of = (n: number, d = 1): Fraction => fraction(BigInt(n), BigInt(d))
export const plus = (a: Fraction, b: Fraction) => fraction(a.n * b.d + b.n * a.d, a.d * b.d)
const minus = (a: Fraction, b: Fraction) => plus(a, { n: -b.n, d: b.d })
const times = (a: Fraction, b: Fraction) => fraction(a.n * b.n, a.d * b.d)
const over = (a: Fraction, b: Fraction) => fraction(a.n * b.d * (b.n < 0n ? -1n : 1n), a.d * (b.n < 0n ? -b.n : b.n))
export const atMost = (a: Fraction, b: Fraction) => a.n * b.d <= b.n * a.d
const min = (a: Fraction, b: Fraction) => (atMost(a, b) ? a : b)
const max = (a: Fraction, b: Fraction) => (atMost(a, b) ? b : a)
/** The largest integer at most `a`. */
const floor = (a: Fraction): number => Number(a.n >= 0n ? a.n / a.d : -((-a.n + a.d - 1n) / a.d))

/** The operations the property tests compare, on the limiter's algorithms and on these models. */
export interface Exact {
  /** The first millisecond ≥ `now` at which a start of `cost` is allowed. */
  earliest(now: number, cost: number): number
  start(now: number, cost: number): void
  available(now: number): number
  atRest(now: number): boolean
  drain(now: number): void
  resize(now: number, burst: number, limit: number, interval: number): void
}

/** The smallest integer at least `a`. */
const ceil = (a: Fraction): number => -floor({ n: -a.n, d: a.d })

/**
 * The first millisecond ≥ `now` at which `allowed` holds, computed as `guess` (a closed form, at
 * least `now`) and checked against `allowed` itself: it holds there and not a millisecond before.
 */
const first = (now: number, guess: number, allowed: (at: number) => boolean): number => {
  const at = Math.max(now, guess)
  if (!allowed(at) || (at > now && allowed(at - 1))) throw new Error(`the model's closed form is off at ${at}`)
  return at
}

/** `burst` tokens, refilled continuously at `limit / interval`; a cost above the burst waits for a full bucket. */
export class ExactBucket implements Exact {
  private tokens: Fraction
  private last = 0
  constructor(private burst: number, private limit: number, private interval: number) {
    this.tokens = of(burst)
  }
  private levelAt(now: number): Fraction {
    // in BigInts: the product of a long wait and a large limit passes 2^53
    const refilled = fraction(BigInt(now - this.last) * BigInt(this.limit), BigInt(this.interval))
    return min(of(this.burst), plus(this.tokens, refilled))
  }
  private refill(now: number) {
    this.tokens = this.levelAt(now)
    this.last = now
  }
  earliest(now: number, cost: number): number {
    const needed = of(Math.min(cost, this.burst))
    // the level grows linearly until it reaches the burst, at least `needed`
    const guess = this.last + ceil(times(minus(needed, this.tokens), of(this.interval, this.limit)))
    return first(now, guess, (at) => atMost(needed, this.levelAt(at)))
  }
  start(now: number, cost: number) {
    this.refill(now)
    this.tokens = minus(this.tokens, of(cost))
  }
  available(now: number): number {
    return Math.max(0, floor(this.levelAt(now)))
  }
  atRest(now: number): boolean {
    return atMost(of(this.burst), this.levelAt(now))
  }
  drain(now: number) {
    this.refill(now)
    this.tokens = min(this.tokens, of(0))
  }
  resize(now: number, burst: number, limit: number, interval: number) {
    this.refill(now)
    Object.assign(this, { burst, limit, interval })
    this.tokens = min(this.tokens, of(burst))
  }
}

/**
 * A theoretical arrival time `tat` (ms) advancing by `cost × interval / limit` per start; a start
 * of `cost` once `tat - now` is at most `burst - cost` emission intervals (a cost above the burst:
 * once `tat ≤ now`).
 */
export class ExactGcra implements Exact {
  private tat: Fraction = of(0)
  constructor(private burst: number, private limit: number, private interval: number) {}
  private get emission(): Fraction {
    return of(this.interval, this.limit)
  }
  /** The emission intervals booked ahead of `now`. */
  private bookedAt(now: number): Fraction {
    return max(of(0), over(minus(this.tat, of(now)), this.emission))
  }
  earliest(now: number, cost: number): number {
    const slack = of(Math.max(0, this.burst - cost))
    const guess = ceil(minus(this.tat, times(slack, this.emission)))
    return first(now, guess, (at) => atMost(this.bookedAt(at), slack))
  }
  start(now: number, cost: number) {
    this.tat = plus(max(this.tat, of(now)), times(of(cost), this.emission))
  }
  available(now: number): number {
    return Math.max(0, floor(minus(of(this.burst), this.bookedAt(now))))
  }
  atRest(now: number): boolean {
    return atMost(this.tat, of(now))
  }
  drain(now: number) {
    this.tat = max(this.tat, plus(of(now), times(of(this.burst), this.emission)))
  }
  resize(now: number, burst: number, limit: number, interval: number) {
    const booked = this.bookedAt(now)
    Object.assign(this, { burst, limit, interval })
    this.tat = plus(of(now), times(booked, this.emission))
  }
}
