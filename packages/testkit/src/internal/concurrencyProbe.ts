import * as Effect from "effect/Effect"
import { hasProperty } from "effect/Predicate"
import type * as Api from "../ConcurrencyProbe.js"

/** @internal */
export const TypeId: Api.TypeId = Symbol.for("@fiberkit/testkit/ConcurrencyProbe") as Api.TypeId

/** @internal */
export const isConcurrencyProbe = (u: unknown): u is Api.ConcurrencyProbe => hasProperty(u, TypeId)

interface State {
  current: number
  peak: number
  started: number
  finished: number
  readonly starts: Array<string>
}

/** @internal */
export const make: Effect.Effect<Api.ConcurrencyProbe> = Effect.sync(() => {
  // Fibers of one runtime never run in parallel, so plain mutation inside `Effect.sync` is atomic.
  const state: State = { current: 0, peak: 0, started: 0, finished: 0, starts: [] }
  const enter = (label: string | undefined) =>
    Effect.sync(() => {
      state.starts.push(label ?? String(state.started))
      state.started++
      state.current++
      if (state.current > state.peak) state.peak = state.current
    })
  const exit = Effect.sync(() => {
    state.current--
    state.finished++
  })
  const probe: Api.ConcurrencyProbe = {
    [TypeId]: TypeId,
    track: (effect, label) =>
      Effect.uninterruptibleMask((restore) => Effect.andThen(enter(label), Effect.ensuring(restore(effect), exit))),
    current: Effect.sync(() => state.current),
    peak: Effect.sync(() => state.peak),
    starts: Effect.sync(() => [...state.starts]),
    snapshot: Effect.sync(() => ({ ...state, starts: [...state.starts] }))
  }
  return probe
})
