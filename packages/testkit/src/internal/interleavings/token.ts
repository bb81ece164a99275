import type { Strategy } from "./scheduler.js"

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
 * The options a schedule's plan is drawn with: a replay must use the same ones (a failure found
 * with `interrupts: true` interrupts nobody when replayed without it).
 *
 * @internal
 */
export interface PlanOptions {
  readonly interrupts: boolean
  readonly depth: number
  readonly minRun: number
  readonly strategies: ReadonlyArray<Strategy>
}

const strategyLetters: Record<Strategy, string> = { random: "r", pct: "p", bounded: "b" }
const letterStrategies: Record<string, Strategy> = { r: "random", p: "pct", b: "bounded" }

/**
 * A replay token names one schedule: its seed, its estimates and the options of its plan, e.g.
 * `"3f9a27c1-412-96.i1d3m1s-rpb"` or `"3f9a27c1-412-96-37.i0d3m1s-p"`. Passing it as `replay` runs
 * exactly that schedule again, whatever options the replaying call gives.
 *
 * @internal
 */
export const replayToken = (seed: number, estimates: Estimates, plan: PlanOptions): string =>
  [seed.toString(16).padStart(8, "0"), estimates.ops, estimates.actorOps, ...estimates.races].join("-") +
  `.i${plan.interrupts ? 1 : 0}d${plan.depth}m${plan.minRun}s-${
    plan.strategies.map((s) => strategyLetters[s]).join("")
  }`

/**
 * Reads a token; one without the plan part (an older token) leaves the plan to the options.
 *
 * @internal
 */
export const parseReplay = (
  token: string
): Estimates & { readonly seed: number; readonly plan: PlanOptions | undefined } => {
  const match = /^([0-9a-f]{8})-(\d+)-(\d+)((?:-\d+)*)(?:\.i([01])d(\d+)m(\d+)s-([rpb]+))?$/.exec(token)
  if (match === null) {
    throw new TypeError(`Interleavings: not a replay token: "${token}" (expected e.g. "3f9a27c1-412-96.i0d3m1s-rpb")`)
  }
  const races = match[4] === "" ? [] : match[4]!.slice(1).split("-").map(Number)
  const plan: PlanOptions | undefined = match[5] === undefined ? undefined : {
    interrupts: match[5] === "1",
    depth: Number(match[6]),
    minRun: Number(match[7]),
    strategies: [...match[8]!].map((letter) => letterStrategies[letter]!)
  }
  return { seed: parseInt(match[1]!, 16), ops: Number(match[2]), actorOps: Number(match[3]), races, plan }
}
