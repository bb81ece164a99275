import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { pipeArguments } from "effect/Pipeable"
import type * as BoundedSemaphoreApi from "../BoundedSemaphore.js"
import { InvalidOptions, SemaphoreOverRelease } from "../Errors.js"
import type * as SemaphoreApi from "../Semaphore.js"
import { decodeDeadline } from "./deadline.js"
import type { Restore } from "./handoff.js"
import { PermitPool } from "./permits.js"
import { checkPermits, misuse, NonNegativeInt, validate } from "./validate.js"

/** @internal */
export const SemaphoreTypeId: SemaphoreApi.TypeId = Symbol.for("@fiberkit/sync/Semaphore") as SemaphoreApi.TypeId

/**
 * `Semaphore` and `BoundedSemaphore`: a permit pool with FIFO hand-off. A bounded one refuses a
 * release that would take the free count above the initial one.
 *
 * @internal
 */
export class SemaphoreImpl implements BoundedSemaphoreApi.BoundedSemaphore {
  readonly [SemaphoreTypeId]: SemaphoreApi.TypeId = SemaphoreTypeId
  private readonly pool: PermitPool

  constructor(private total: number, readonly bounded: boolean) {
    this.pool = new PermitPool(total)
  }

  get permits(): number {
    return this.total
  }

  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }

  private get kind(): string {
    return this.bounded ? "BoundedSemaphore" : "Semaphore"
  }

  /** A request must be a whole number ≥ 0 — and, for a bounded semaphore, one it can ever grant. */
  private check(operation: string, n: number): InvalidOptions | undefined {
    const invalid = checkPermits(`${this.kind}.${operation}`, n)
    if (invalid !== undefined || !this.bounded || n <= this.permits) return invalid
    return new InvalidOptions({
      operation: `${this.kind}.${operation}`,
      field: "permits",
      expected: `an integer from 0 to ${this.permits}`,
      value: n
    })
  }

  readonly withPermits = (n: number) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
    const invalid = this.check("withPermits", n)
    if (invalid !== undefined) return misuse(invalid)
    return this.guard(n, effect)
  }

  readonly withPermit = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => this.guard(1, effect)

  /**
   * `effect` run holding `n` permits. What runs once they are taken depends only on `restore`,
   * which is one of two functions (the caller was interruptible or not): it is built once for
   * each, not for every run — a guarded effect forked by thousands of fibers allocates only
   * their waits.
   */
  private guard<A, E, R>(n: number, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> {
    const bodies = new Map<Restore, Effect.Effect<A, E, R>>()
    const bodyFor = (restore: Restore) => {
      let body = bodies.get(restore)
      if (body === undefined) {
        body = Effect.matchCauseEffect(restore(effect), {
          onFailure: (cause) => this.giveBack(n, Exit.failCause(cause)),
          onSuccess: (value) => this.giveBack(n, Exit.succeed(value))
        })
        bodies.set(restore, body)
      }
      return body
    }
    return Effect.uninterruptibleMask((restore) => this.pool.takeThen(n, restore, bodyFor(restore)))
  }

  private giveBack<A, E>(n: number, exit: Exit.Exit<A, E>): Exit.Exit<A, E> {
    this.pool.release(n)
    return exit
  }

  readonly acquire = (n = 1): Effect.Effect<void> => {
    const invalid = this.check("acquire", n)
    if (invalid !== undefined) return misuse(invalid)
    return Effect.uninterruptibleMask((restore) => this.pool.take(n, restore))
  }

  readonly acquireFor = (duration: Duration.Input, n = 1): Effect.Effect<boolean> => {
    const invalid = this.check("acquireFor", n)
    if (invalid !== undefined) return misuse(invalid)
    return Effect.flatMap(
      decodeDeadline(`${this.kind}.acquireFor`, duration),
      (decoded) => Effect.uninterruptibleMask((restore) => this.pool.takeWithin(n, restore, decoded))
    )
  }

  readonly tryAcquire = (n = 1): Effect.Effect<boolean> => {
    const invalid = this.check("tryAcquire", n)
    if (invalid !== undefined) return misuse(invalid)
    return Effect.sync(() => this.pool.tryTake(n))
  }

  readonly release = (n = 1): Effect.Effect<void, SemaphoreOverRelease> => {
    const invalid = checkPermits(`${this.kind}.release`, n)
    if (invalid !== undefined) return misuse(invalid)
    return Effect.suspend(() => {
      if (this.bounded && this.pool.free + n > this.permits) {
        return Effect.fail(
          new SemaphoreOverRelease({ permits: this.permits, held: this.permits - this.pool.free, released: n })
        )
      }
      this.pool.release(n)
      return Effect.void
    })
  }

  readonly resize = (permits: number): Effect.Effect<void, InvalidOptions> =>
    Effect.flatMap(
      validate(`${this.kind}.resize`, "permits", NonNegativeInt, "an integer ≥ 0", permits),
      (n) =>
        Effect.sync(() => {
          const delta = n - this.total
          this.total = n
          this.pool.resize(delta)
        })
    )

  readonly available: Effect.Effect<number> = Effect.sync(() => Math.max(0, this.pool.free))

  readonly waiting: Effect.Effect<number> = Effect.sync(() => this.pool.waiters.size)
}

/** @internal */
export const make = (
  permits: number,
  bounded: boolean
): Effect.Effect<SemaphoreImpl, InvalidOptions> =>
  Effect.map(
    validate(
      bounded ? "BoundedSemaphore.make" : "Semaphore.make",
      "permits",
      NonNegativeInt,
      "an integer ≥ 0",
      permits
    ),
    (n) => new SemaphoreImpl(n, bounded)
  )
