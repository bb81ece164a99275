/**
 * An event flag: Python's `threading.Event`. `set` wakes every waiter; `wait` returns at once
 * while the flag is set; `clear` resets it, so the next `wait` blocks again.
 *
 * An `Event` that was set and then cleared blocks its next `wait` (as Effect 4's `Latch` does
 * after `open` then `close`; Effect 3's let it through). Fibers woken by a `set` return even if the
 * flag is cleared again before they run, as in Python. Beyond `Latch`: Python's names, and a
 * timed `waitFor` that leaves no waiter behind.
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { Pipeable } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import * as internal from "./internal/event.js"

/**
 * **Example**
 *
 * ```ts
 * import { Event } from "@fiberkit/sync"
 *
 * declare const u: object
 * const isEvent = Event.TypeId in u // what `Event.isEvent` checks
 * ```
 *
 * @since 0.1.0
 * @category symbols
 */
export const TypeId: unique symbol = internal.TypeId

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
 * import type { Event } from "@fiberkit/sync"
 *
 * // wait at most 5 seconds for the flag (Python's `event.wait(5)`)
 * const awaitStarted = (started: Event.Event) =>
 *   Effect.flatMap(started.waitFor("5 seconds"), (set) => set ? Effect.void : Effect.fail("not started in 5 s"))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Event extends Pipeable {
  readonly [TypeId]: TypeId
  /** Sets the flag and wakes every waiter. */
  readonly set: Effect.Effect<void>
  /** Resets the flag: later waits block until the next `set`. */
  readonly clear: Effect.Effect<void>
  /** Whether the flag is set. */
  readonly isSet: Effect.Effect<boolean>
  /** Returns when the flag is set (at once if it is). Interruptible. */
  readonly wait: Effect.Effect<void>
  /**
   * Waits at most `duration`: `true` if the flag was set, `false` on timeout (Python's
   * `wait(timeout)`). A `duration` that `Duration.decode` rejects is a defect, before any wait.
   */
  readonly waitFor: (duration: Duration.Input) => Effect.Effect<boolean>
  /** Fibers waiting right now. */
  readonly waiting: Effect.Effect<number>
}

/**
 * Creates an event whose flag is not set.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Event } from "@fiberkit/sync"
 *
 * const program = Effect.gen(function*() {
 *   const shutdown = yield* Event.make
 *   const worker = Effect.gen(function*() {
 *     while (!(yield* shutdown.isSet)) {
 *       yield* Effect.log("Working...")
 *       yield* Effect.sleep("1 second")
 *     }
 *   })
 *   yield* Effect.forkChild(Effect.andThen(Effect.sleep("3 seconds"), shutdown.set))
 *   yield* worker
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<Event> = Effect.sync(() => new internal.EventImpl())

/**
 * Whether `u` is an `Event`.
 *
 * **Example**
 *
 * ```ts
 * import { Event } from "@fiberkit/sync"
 *
 * declare const u: unknown
 * const isSet = Event.isEvent(u) ? u.isSet : undefined // an Effect of the flag
 * ```
 *
 * @since 0.2.0
 * @category guards
 */
export const isEvent = (u: unknown): u is Event => hasProperty(u, TypeId)
