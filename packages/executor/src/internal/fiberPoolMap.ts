import * as Effect from "effect/Effect"
import { FutureCancelled, PoolShutDown } from "../Errors.js"
import type { FiberPoolImpl } from "./fiberPool.js"
import { withRank } from "./fiberPoolSteering.js"
import { awaitAll } from "./wait.js"

const poolShutDown = Effect.fail(new PoolShutDown())

/**
 * `FiberPool.map`: `min(concurrency, items)` lanes submitted through the pool's line; each lane
 * pulls the next item until none is left, so a huge input does not create a task per item, and
 * `map` and `submit` share the worker limit.
 *
 * @internal
 */
export const mapInLanes = <A, B, E, R>(
  pool: FiberPoolImpl,
  items: Iterable<A>,
  f: (item: A, index: number) => Effect.Effect<B, E, R>
): Effect.Effect<Array<B>, E | PoolShutDown, R> =>
  // lanes rank as tasks of priority 0 (with aging, as of now)
  withRank(pool.steering, 0, (rank) =>
    Effect.withFiber((caller) =>
      // uninterruptible from enqueuing the lanes to watching them, so that no interruption
      // can leave lanes behind
      Effect.uninterruptibleMask((restore): Effect.Effect<Array<B>, E | PoolShutDown> => {
        if (pool.closed) return poolShutDown
        const inputs = Array.from(items)
        const results: Array<B> = new Array(inputs.length)
        let next = 0
        // a lane takes no more items once the pool cancels what has not started
        const lane = pool.carrier(caller)(
          Effect.whileLoop({
            while: () => next < inputs.length && !pool.cancelledFutures,
            body: () => {
              const index = next++
              return Effect.map(f(inputs[index]!, index), (value) => {
                results[index] = value
              })
            },
            step: () => {}
          })
        )
        const lanes = Array.from({ length: Math.min(pool.concurrency, inputs.length) }, () =>
          pool.enqueue(lane, undefined, rank))
        const stopAll = Effect.forEach(lanes, (future) =>
          future.cancel, { discard: true })
        pool.dispatch()
        // one wait on every lane, not a concurrent `Effect.forEach` over `lane.result`: in effect
        // 3.22 a concurrent `forEach` interrupted before its first child has started waits for
        // ever (its uninterruptible processing fiber then finds no item left to start, and waits
        // for children it never started)
        return restore(awaitAll(lanes)).pipe(
          // a lane cancelled by `shutdown({ cancelFutures: true })` ends the map as shut down; one
          // whose item interrupted itself (on a pool that cancelled nothing), as interrupted
          Effect.catchIf(
            (error): error is FutureCancelled => error instanceof FutureCancelled,
            () => pool.cancelledFutures ? poolShutDown : Effect.interrupt
          ),
          Effect.onExit((exit) => (exit._tag === "Success" ? Effect.void : stopAll)),
          // items left that no lane took: the pool cancelled them
          Effect.andThen(Effect.suspend(() => next < inputs.length ? poolShutDown : Effect.succeed(results)))
        )
      })
    ))
