/** The median of some numbers (the mean of the middle two for an even count); NaN for none. @internal */
export const median = (values: ReadonlyArray<number>): number => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Rotates an array left by `k` places. @internal */
export const rotate = <A>(items: ReadonlyArray<A>, k: number): Array<A> => {
  const n = items.length
  if (n === 0) return []
  const s = ((k % n) + n) % n
  return [...items.slice(s), ...items.slice(0, s)]
}
