/**
 * A replay token names one schedule: its seed and the op estimate its plan was drawn with, e.g.
 * `"3f9a27c1-412"`. Passing it as `replay` runs exactly that schedule again.
 *
 * @internal
 */
export const replayToken = (seed: number, estimate: number): string =>
  `${seed.toString(16).padStart(8, "0")}-${estimate}`

/** @internal */
export const parseReplay = (token: string): { readonly seed: number; readonly estimate: number } => {
  const match = /^([0-9a-f]{8})-(\d+)$/.exec(token)
  if (match === null) {
    throw new TypeError(`Interleavings: not a replay token: "${token}" (expected e.g. "3f9a27c1-412")`)
  }
  return { seed: parseInt(match[1]!, 16), estimate: Number(match[2]) }
}
