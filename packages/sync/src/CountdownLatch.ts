/**
 * A countdown latch (Java's `CountDownLatch`; Python builds it from a `Condition`): `await`
 * returns once `countDown` has been called `count` times. It opens once and stays open.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { type Pipeable, pipeArguments } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import type { InvalidOptions } from "./Errors.js"
import { Signal } from "./internal/signal.js"
import { NonNegativeInt, validate } from "./internal/validate.js"

/**
 * **Example**
 *
 * ```ts
 * import { CountdownLatch } from "@fiberkit/sync"
 *
 * declare const u: object
 * const isLatch = CountdownLatch.TypeId in u // what `CountdownLatch.isCountdownLatch` checks
 * ```
 *
 * @since 0.1.0
 * @category symbols
 */
export const TypeId: unique symbol = Symbol.for("@fiberkit/sync/CountdownLatch")

/**
 * @since 0.1.0
 * @category symbols
 */
export type TypeId = typeof TypeId

/**
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import type { CountdownLatch } from "@fiberkit/sync"
 *
 * // each service counts down once it is up; the server starts when all are
 * const service = (ready: CountdownLatch.CountdownLatch, name: string) =>
 *   Effect.andThen(Effect.log(`${name} is up`), ready.countDown)
 * const server = (ready: CountdownLatch.CountdownLatch) => Effect.andThen(ready.await, Effect.log("serving"))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface CountdownLatch extends Pipeable {
  readonly [TypeId]: TypeId
  /** Counts one down (never below zero); reaching zero wakes every waiter. */
  readonly countDown: Effect.Effect<void>
  /** Returns once the count is zero (at once if it is). Interruptible. */
  readonly await: Effect.Effect<void>
  /** The count left. */
  readonly count: Effect.Effect<number>
}

class CountdownLatchImpl implements CountdownLatch {
  readonly [TypeId]: TypeId = TypeId
  private readonly signal = new Signal()
  constructor(private left: number) {}

  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }

  readonly countDown = Effect.sync(() => {
    if (this.left > 0 && --this.left === 0) this.signal.wakeAll()
  })

  readonly await = this.signal.waitUnless(() => this.left === 0)

  readonly count = Effect.sync(() => this.left)
}

/**
 * Creates a latch that opens after `count` count-downs (an integer ≥ 0, else `InvalidOptions`).
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { CountdownLatch } from "@fiberkit/sync"
 *
 * const program = Effect.gen(function*() {
 *   const ready = yield* CountdownLatch.make(3)
 *   const service = (name: string) => Effect.andThen(Effect.log(`${name} ready`), ready.countDown)
 *   yield* Effect.forEach(["db", "cache", "http"], (name) => Effect.forkChild(service(name)))
 *   yield* ready.await // all three are up
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (count: number): Effect.Effect<CountdownLatch, InvalidOptions> =>
  Effect.map(
    validate("CountdownLatch.make", "count", NonNegativeInt, "an integer ≥ 0", count),
    (n) => new CountdownLatchImpl(n)
  )

/**
 * Whether `u` is a `CountdownLatch`.
 *
 * **Example**
 *
 * ```ts
 * import { CountdownLatch } from "@fiberkit/sync"
 *
 * declare const u: unknown
 * const count = CountdownLatch.isCountdownLatch(u) ? u.count : undefined // an Effect of the count left
 * ```
 *
 * @since 0.2.0
 * @category guards
 */
export const isCountdownLatch = (u: unknown): u is CountdownLatch => hasProperty(u, TypeId)
