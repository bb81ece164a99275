/**
 * What a schedule's plan is drawn from besides its seed: the ops and actor ops earlier schedules
 * ran, and the actor ops that followed each racing action.
 *
 * @internal
 */
export interface Estimates {
  readonly ops: number
  readonly actorOps: number
  readonly races: ReadonlyArray<number>
}

/**
 * A replay token names one schedule: its seed and its estimates, e.g. `"3f9a27c1-412-96"` or
 * `"3f9a27c1-412-96-37"`. Passing it as `replay` runs exactly that schedule again.
 *
 * @internal
 */
export const replayToken = (seed: number, estimates: Estimates): string =>
  [seed.toString(16).padStart(8, "0"), estimates.ops, estimates.actorOps, ...estimates.races].join("-")

/** @internal */
export const parseReplay = (token: string): Estimates & { readonly seed: number } => {
  const match = /^([0-9a-f]{8})-(\d+)-(\d+)((?:-\d+)*)$/.exec(token)
  if (match === null) {
    throw new TypeError(`Interleavings: not a replay token: "${token}" (expected e.g. "3f9a27c1-412-96")`)
  }
  const races = match[4] === "" ? [] : match[4]!.slice(1).split("-").map(Number)
  return { seed: parseInt(match[1]!, 16), ops: Number(match[2]), actorOps: Number(match[3]), races }
}
