/**
 * How the executor waits for what an observer hands over (a future's outcome, a map's result):
 * the registration and the wait are one uninterruptible step, through `@fiberkit/sync`'s one
 * hand-off mechanism, `Handoff.Waiter`.
 *
 * Not `Effect.callback` with a canceller: effect 3.22's `Effect.callback` runs its register function
 * in one op and installs the canceller in a later one, so an interruption that lands between the
 * two skips the canceller, and whatever the register function registered stays behind (an
 * observer on a future that may never settle, the tasks a map had started).
 *
 * @internal
 */
import * as Handoff from "@fiberkit/sync/Handoff"
import * as WaitQueue from "@fiberkit/sync/WaitQueue"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { FutureCancelled } from "../Errors.js"
import type { FutureImpl } from "./future.js"
import type { LiveFutures } from "./liveFutures.js"

/** The line of every waiter made here: none is ever pushed into it (each waits alone). */
const alone = new WaitQueue.WaitQueue<Handoff.Waiter<unknown, unknown>>()

/**
 * Calls `register` uninterruptibly with how to end the wait (the first `settle` wins, even one
 * made inside `register`), then waits, interruptibly if the caller is. `register` returns what
 * undoes its registration: it runs however the wait ends — after a settlement too, where it must
 * be harmless — uninterruptibly, before this returns.
 *
 * @internal
 */
export const registerThenWait = <A, E>(
  register: (settle: (exit: Exit.Exit<A, E>) => void) => Effect.Effect<void> | void
): Effect.Effect<A, E> =>
  Effect.uninterruptibleMask((restore) => {
    const waiter = new Handoff.Waiter<A, E>(alone as unknown as WaitQueue.WaitQueue<Handoff.Waiter<A, E>>)
    const unregister = register((exit) => {
      waiter.settle(exit)
    })
    const wait = waiter.wait(restore)
    return unregister === undefined ? wait : Effect.ensuring(wait, unregister)
  })

/**
 * Waits until every future has succeeded, or until the first one fails (with its failure). One
 * observer per future, all removed however the wait ends.
 *
 * @internal
 */
export const awaitAll = <A, E>(futures: ReadonlyArray<FutureImpl<A, E>>): Effect.Effect<void, E | FutureCancelled> =>
  registerThenWait<void, E | FutureCancelled>((settle) => {
    let left = futures.length
    if (left === 0) return settle(Exit.void)
    const stops: Array<() => void> = []
    for (const future of futures) {
      stops.push(future.observe((exit) => {
        if (Exit.isFailure(exit)) settle(Exit.failCause(exit.cause))
        else if (--left === 0) settle(Exit.void)
      }))
    }
    return Effect.sync(() => {
      for (const stop of stops) stop()
    })
  })

/**
 * Waits until every set is empty: the futures added while it waits included (a map running on a
 * pool that shuts down starts its next tasks as the first ones end).
 *
 * @internal
 */
export const awaitIdle = (...sets: ReadonlyArray<LiveFutures>): Effect.Effect<void> =>
  Effect.suspend(() => {
    for (const live of sets) {
      const first = live.first
      if (first !== undefined) return Effect.andThen(first.await, awaitIdle(...sets))
    }
    return Effect.void
  })
