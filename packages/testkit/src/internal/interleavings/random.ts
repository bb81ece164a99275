/**
 * A small seeded PRNG (mulberry32): the same seed gives the same schedule, on every machine.
 *
 * @internal
 */
export class Random {
  private state: number

  constructor(seed: number) {
    this.state = seed >>> 0
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0)
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }

  /** An integer in [from, to]. */
  between(from: number, to: number): number {
    return from + this.int(to - from + 1)
  }

  pick<A>(items: ReadonlyArray<A>): A {
    return items[this.int(items.length)]!
  }
}

/** Mixes a base seed and a schedule number into the seed of that schedule. @internal */
export const scheduleSeed = (base: number, schedule: number): number => {
  let h = (base ^ Math.imul(schedule + 1, 0x9e3779b1)) >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0
  return (h ^ (h >>> 16)) >>> 0
}
