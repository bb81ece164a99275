import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { PoolShutDown } from "../Errors.js"
import type { FutureImpl } from "./future.js"
import { registerThenWait } from "./wait.js"

/**
 * `map` over futures without a fiber per item: at most `window` futures outstanding, a new one
 * started (by `start`) as each ends; results in input order. The first failure cancels the rest
 * and ends the map; so does a function that throws (as a defect) and an interruption. Once the
 * pool has cancelled what had not started (`cancelled`: `shutdown({ cancelFutures: true })`), the
 * map starts no more items and ends as `PoolShutDown`, and so does a future cancelled then; a
 * future that interrupted itself ends it as interrupted. A map on a pool already `closed` fails
 * `PoolShutDown`.
 *
 * The first futures start in the same uninterruptible step as the wait is registered, and the
 * map stops what it started however it fails, uninterruptibly: an interruption at any op leaves
 * no task of it running.
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
    readonly cancelled: () => boolean
  }
): Effect.Effect<Array<B>, E | PoolShutDown> =>
  Effect.withFiber((fiber) => {
    const inputs = Array.from(items)
    const results: Array<B> = new Array(inputs.length)
    const outstanding = new Set<FutureImpl<B, E>>()
    let over = false
    const stopAll = Effect.suspend(() => {
      over = true
      return Effect.forEach([...outstanding], (future) => future.cancel, { discard: true, concurrency: "unbounded" })
    })
    const wait = registerThenWait<Array<B>, E | PoolShutDown>((settle) => {
      // checked in the step that starts the first futures: a pool shut down one op earlier could
      // never run them
      if (options.closed()) return settle(Exit.fail(new PoolShutDown()))
      if (inputs.length === 0) return settle(Exit.succeed(results))
      let next = 0
      let finished = 0
      const end = (exit: Exit.Exit<Array<B>, E | PoolShutDown>) => {
        over = true
        settle(exit)
      }
      const pump = (): void => {
        while (!over && next < inputs.length && outstanding.size < options.window) {
          if (options.cancelled()) return end(Exit.fail(new PoolShutDown()))
          const index = next++
          let effect: Effect.Effect<B, E, R>
          try {
            effect = f(inputs[index]!, index)
          } catch (error) {
            return end(Exit.die(error))
          }
          const future = options.start(effect)
          outstanding.add(future)
          future.observe((exit) => {
            outstanding.delete(future)
            if (over) return
            if (Exit.isSuccess(exit)) {
              results[index] = exit.value
              if (++finished === inputs.length) end(Exit.succeed(results))
              else pump()
            } else {
              end(
                future.wasCancelled
                  ? (options.cancelled() ? Exit.fail(new PoolShutDown()) : Exit.interrupt(fiber.id))
                  : Exit.failCause(exit.cause as Cause.Cause<E>)
              )
            }
          })
        }
      }
      pump()
    })
    // a failure, a defect or an interruption: what is still running is cancelled before the map ends
    return Effect.onError(wait, () => stopAll)
  })
