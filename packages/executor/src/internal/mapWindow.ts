import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { FutureCancelled, PoolShutDown } from "../Errors.js"
import type { FutureImpl } from "./future.js"

/** The future was cancelled (not failed by its task). @internal */
export const isCancelled = (exit: Exit.Exit<unknown, unknown>): boolean =>
  Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error instanceof FutureCancelled

/**
 * `map` over futures without a fiber per item: at most `window` futures outstanding, a new one
 * started (by `start`) as each ends; results in input order. The first failure cancels the rest
 * and ends the map; so does a function that throws (as a defect) and an interruption. A future
 * cancelled by the pool's shutdown (`closed`) ends the map as `PoolShutDown`; one that
 * interrupted itself, as interrupted.
 *
 * @internal
 */
export const mapWindow = <A, B, E, R>(
  items: Iterable<A>,
  f: (item: A, index: number) => Effect.Effect<B, E, R>,
  options: {
    readonly window: number
    readonly start: (effect: Effect.Effect<B, E, R>) => FutureImpl<B, E>
    readonly closed: () => boolean
  }
): Effect.Effect<Array<B>, E | PoolShutDown> =>
  Effect.async<Array<B>, E | PoolShutDown>((resume) => {
    const inputs = Array.from(items)
    const results: Array<B> = new Array(inputs.length)
    const outstanding = new Set<FutureImpl<B, E>>()
    let next = 0
    let finished = 0
    let over = false
    const stopAll = Effect.suspend(() =>
      Effect.forEach([...outstanding], (future) => future.cancel, { discard: true, concurrency: "unbounded" })
    )
    const end = (result: Effect.Effect<Array<B>, E | PoolShutDown>) => {
      over = true
      resume(result)
    }
    const pump = (): void => {
      while (!over && next < inputs.length && outstanding.size < options.window) {
        const index = next++
        let effect: Effect.Effect<B, E, R>
        try {
          effect = f(inputs[index]!, index)
        } catch (error) {
          return end(Effect.zipRight(stopAll, Effect.die(error)))
        }
        const future = options.start(effect)
        outstanding.add(future)
        future.observe((exit) => {
          outstanding.delete(future)
          if (over) return
          if (Exit.isSuccess(exit)) {
            results[index] = exit.value
            if (++finished === inputs.length) end(Effect.succeed(results))
            else pump()
          } else {
            const failure: Effect.Effect<never, E | PoolShutDown> = isCancelled(exit)
              ? (options.closed() ? Effect.fail(new PoolShutDown()) : Effect.interrupt)
              : Effect.failCause(exit.cause as Cause.Cause<E>)
            end(Effect.zipRight(stopAll, failure))
          }
        })
      }
    }
    if (inputs.length === 0) return resume(Effect.succeed(results))
    pump()
    return Effect.suspend(() => {
      over = true
      return stopAll
    })
  })
