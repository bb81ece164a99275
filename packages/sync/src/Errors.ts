/**
 * The typed errors of `@fiberkit/sync`. Misuse (releasing a lock one does not hold, releasing
 * a bounded semaphore too often, bad sizes) fails in the error channel and never changes the
 * primitive's state.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

/**
 * A constructor or operation was given an option outside its range.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Semaphore } from "@fiberkit/sync"
 *
 * // a size from the configuration may be out of range: warn and fall back to 1
 * const limiter = (permits: number) =>
 *   Semaphore.make(permits).pipe(
 *     Effect.catchTag("InvalidOptions", (e) => Effect.andThen(Effect.logWarning(e.message), Semaphore.make(1)))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidOptions extends Data.TaggedError("InvalidOptions")<{
  /** The function that was called, e.g. `"Semaphore.make"`. */
  readonly operation: string
  /** The option or argument, e.g. `"permits"`. */
  readonly field: string
  /** The range it must be in, e.g. `"an integer ≥ 0"`. */
  readonly expected: string
  readonly value: unknown
}> {
  override get message(): string {
    return `${this.operation}: ${this.field} must be ${this.expected}, got ${String(this.value)}`
  }
}

/**
 * A fiber released (or waited on a condition of) a lock that it does not hold.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import type { Lock } from "@fiberkit/sync"
 *
 * // releasing a lock this fiber does not hold fails, and changes nothing
 * const releaseIfHeld = (lock: Lock.Lock) =>
 *   lock.release.pipe(
 *     Effect.catchTag("NotOwner", (e) => Effect.logWarning(`${e.lock} is held by ${e.owner ?? "no fiber"}`))
 *   )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class NotOwner extends Data.TaggedError("NotOwner")<{
  /** What was attempted, e.g. `"Lock.release"`. */
  readonly operation: string
  /** The lock's name. */
  readonly lock: string
  /** The calling fiber, e.g. `"#12"`. */
  readonly fiber: string
  /** The holding fiber, or `undefined` when the lock is free. */
  readonly owner: string | undefined
  /**
   * When the lock is free because its last holder ended holding it (a lock is let go when the
   * fiber that took it ends): that fiber. A lock taken inside `Effect.timeout` belongs to the
   * fiber `Effect.timeout` runs its effect in; `acquireFor` waits in the calling fiber.
   */
  readonly endedOwner?: string | undefined
}> {
  override get message(): string {
    const held = this.owner !== undefined
      ? `it is held by fiber ${this.owner}`
      : this.endedOwner !== undefined
      ? `it is not held: fiber ${this.endedOwner} took it and ended holding it, which let it go; ` +
        "a lock taken inside Effect.timeout belongs to the fiber it runs in, use acquireFor"
      : "it is not held"
    return `${this.operation}: fiber ${this.fiber} does not hold ${this.lock} (${held})`
  }
}

/**
 * A bounded semaphore was released more times than it was acquired.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { BoundedSemaphore } from "@fiberkit/sync"
 *
 * const program = Effect.gen(function*() {
 *   const slots = yield* BoundedSemaphore.make(2)
 *   yield* slots.release() // one more than was acquired
 * }).pipe(
 *   Effect.catchTag("SemaphoreOverRelease", (e) => Effect.log(`${e.held} of ${e.permits} held`)) // "0 of 2 held"
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class SemaphoreOverRelease extends Data.TaggedError("SemaphoreOverRelease")<{
  readonly permits: number
  readonly held: number
  readonly released: number
}> {
  override get message(): string {
    return `BoundedSemaphore.release: releasing ${this.released} permit(s) while only ${this.held} ` +
      `of ${this.permits} are held would exceed the initial count`
  }
}

/**
 * A barrier was broken (by `abort`, `reset`, a timeout, or a failed action) while a party was
 * waiting at it, or a party arrived at a broken barrier.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Barrier } from "@fiberkit/sync"
 *
 * const program = Effect.gen(function*() {
 *   const barrier = yield* Barrier.make(2, { timeout: "1 second" })
 *   return yield* barrier.await // the other party never comes
 * }).pipe(
 *   Effect.catchTag("BrokenBarrier", (e) => Effect.succeed(`broken: ${e.reason}`)) // "broken: timeout"
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class BrokenBarrier extends Data.TaggedError("BrokenBarrier")<{
  readonly reason: "aborted" | "reset" | "timeout" | "action failed"
}> {
  override get message(): string {
    return `the barrier is broken (${this.reason})`
  }
}

/**
 * Acquiring a lock while holding others would close a cycle in the "taken while holding"
 * graph that `LockOrder.Detector` records: two fibers following these orders can deadlock.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Errors, Lock, LockOrder } from "@fiberkit/sync"
 *
 * // a violation is a defect (a bug to fix), reported before any fiber deadlocks
 * const program = Effect.gen(function*() {
 *   const a = yield* Lock.make({ name: "a" })
 *   const b = yield* Lock.make({ name: "b" })
 *   yield* a.withLock(b.withLock(Effect.void))
 *   yield* b.withLock(a.withLock(Effect.void)) // dies here
 * }).pipe(
 *   Effect.catchDefect((d) => d instanceof Errors.LockOrderViolation ? Effect.log(d.recordedOrder) : Effect.die(d)),
 *   Effect.provide(LockOrder.Detector)
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class LockOrderViolation extends Data.TaggedError("LockOrderViolation")<{
  /** The fiber whose acquisition was refused. */
  readonly fiber: string
  /** The lock it asked for. */
  readonly acquiring: string
  /** The locks it holds, in the order it took them. */
  readonly holding: ReadonlyArray<string>
  /** The order recorded earlier that the new one contradicts: each lock taken while holding the one before. */
  readonly recordedOrder: ReadonlyArray<string>
  /** The fibers that recorded that order, one per step. */
  readonly recordedBy: ReadonlyArray<string>
}> {
  override get message(): string {
    const held = this.holding[this.holding.length - 1] ?? "?"
    return `lock order violation: fiber ${this.fiber} acquires ${this.acquiring} while holding ${held} ` +
      `(order ${[...this.holding, this.acquiring].join(" → ")}), but the order ` +
      `${this.recordedOrder.join(" → ")} was recorded earlier (by fiber ${this.recordedBy.join(", ")}): ` +
      `fibers taking these locks in both orders can deadlock`
  }
}

/**
 * A limiter's or pool's bound on pending work was reached (issue: load shedding). With the
 * policy `"fail"` the new arrival gets it at once (`dropped: false`); with `"dropOldest"` the
 * one that had waited longest gets it and leaves the line so the newcomer can wait
 * (`dropped: true`). Either way nothing ran and nothing is held.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { ConcurrencyLimiter } from "@fiberkit/ratelimit"
 *
 * const program = Effect.gen(function*() {
 *   const limit = yield* ConcurrencyLimiter.make({ concurrency: 4, maxPending: 100, onFull: "fail" })
 *   return yield* limit(Effect.succeed("done")).pipe(
 *     Effect.catchTag("PendingLimitExceeded", (e) => Effect.succeed(`busy: ${e.pending} waiting`))
 *   )
 * })
 * ```
 *
 * @since 0.3.0
 * @category errors
 */
export class PendingLimitExceeded extends Data.TaggedError("PendingLimitExceeded")<{
  /** What was full: `"ConcurrencyLimiter"`, `"FiberPool"`, … */
  readonly source: string
  /** The bound on pending work. */
  readonly maxPending: number
  /** Pending when the bound was hit. */
  readonly pending: number
  /** `true`: this one had waited and was dropped for a newer one; `false`: it was refused on arrival. */
  readonly dropped: boolean
}> {
  override get message(): string {
    return this.dropped
      ? `${this.source}: dropped after waiting — ${this.pending} pending reached the bound of ${this.maxPending} and a newer one came`
      : `${this.source}: refused — ${this.pending} pending, the bound is ${this.maxPending}`
  }
}
