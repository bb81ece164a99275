import * as Effect from "effect/Effect"
import type * as Api from "../TaskStore.js"
import type { Persistence } from "./localPersistence.js"

/** A local store's schedule ticks: in memory, or written by its persistence. @internal */
export const localTicks = (persistence: Persistence | undefined): Api.ScheduleTicks => {
  if (persistence !== undefined) return { last: persistence.lastTick, advance: persistence.advanceTick }
  const lastTicks = new Map<string, number>()
  return {
    last: (schedule) => Effect.sync(() => lastTicks.get(schedule)),
    advance: (schedule, at) =>
      Effect.sync(() => {
        if ((lastTicks.get(schedule) ?? -Infinity) < at) lastTicks.set(schedule, at)
      })
  }
}
