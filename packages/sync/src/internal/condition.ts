import * as Cause from "effect/Cause"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { pipeArguments } from "effect/Pipeable"
import type * as Api from "../Condition.js"
import type { NotOwner } from "../Errors.js"
import { WaitQueue } from "../WaitQueue.js"
import { decodeDeadline, withDeadline } from "./deadline.js"
import { type Restore, Waiter } from "./handoff.js"
import { OwnedLock } from "./ownedLock.js"

/** A waiter's outcome: `true` when notified, `false` when its time ran out. */
const EXPIRED = Exit.succeed(false)
const NOTIFIED = Exit.succeed(true)

/** @internal */
export const TypeId: Api.TypeId = Symbol.for("@fiberkit/sync/Condition") as Api.TypeId

/** @internal */
export class ConditionImpl implements Api.Condition {
  readonly [TypeId]: Api.TypeId = TypeId
  private readonly waiters = new WaitQueue<Waiter<boolean>>()
  /** An interrupted waiter leaves; a notification it got but could not use goes to the next one. */
  private readonly hooks = {
    onLost: (notified: boolean) => {
      if (notified) this.wake(1)
    }
  }

  constructor(readonly lock: OwnedLock) {}

  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }

  readonly withLock = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => this.lock.withLock(effect)

  /** Waits for a notification (at most `duration` when given): `true` if notified. */
  private waitWithin(duration: Duration.Duration | undefined): Effect.Effect<boolean, NotOwner> {
    return Effect.uninterruptibleMask((restore) =>
      Effect.withFiber((fiber) => {
        if (!this.lock.isHeldBy(fiber)) return Effect.fail(this.lock.notOwner(fiber, "Condition.wait"))
        const waiter = new Waiter<boolean>(this.waiters)
        this.waiters.push(waiter)
        const wait = waiter.wait(restore, this.hooks)
        const waited = duration === undefined ? wait : withDeadline(duration, () => waiter.settle(EXPIRED), wait)
        const saved = this.lock.saveAndRelease(fiber)
        // as in Python, the lock is taken back before `wait` returns or fails
        return Effect.flatMap(Effect.exit(waited), (exit) =>
          Effect.andThen(
            this.lock.restoreHold(fiber, saved),
            Exit.isSuccess(exit) && exit.value ? this.deliver(restore) : exit
          ))
      })
    )
  }

  /**
   * Ends a notified wait, the lock held again. If the fiber was interrupted meanwhile (while it
   * took the lock back), the wait ends in that interruption only where the caller's own region is
   * interruptible — `restore` says which: then the notification goes to the next waiter. In an
   * uninterruptible region (a finalizer) the wait returns and the waiter acts on it itself.
   */
  private deliver(restore: Restore): Effect.Effect<boolean> {
    return Effect.onInterrupt(restore(NOTIFIED), () => Effect.sync(() => this.wake(1)))
  }

  readonly wait: Effect.Effect<void, NotOwner> = Effect.asVoid(this.waitWithin(undefined))

  readonly waitFor = (duration: Duration.Input): Effect.Effect<boolean, NotOwner> =>
    Effect.flatMap(decodeDeadline("Condition.waitFor", duration), (decoded) => this.waitWithin(decoded))

  /** Notifies up to `n` waiters, longest-waiting first. */
  private wake(n: number): void {
    for (let i = 0; i < n; i++) {
      const waiter = this.waiters.first
      if (waiter === undefined) return
      waiter.grant(true)
    }
  }

  readonly waitUntil = <E, R>(predicate: Effect.Effect<boolean, E, R>): Effect.Effect<void, E | NotOwner, R> =>
    Effect.flatMap(predicate, (done) => (done ? Effect.void : Effect.andThen(this.wait, this.waitUntil(predicate))))

  readonly notify = (n = 1): Effect.Effect<void, NotOwner> =>
    // a count that can only be wrong by a programming mistake: a defect, as in Effect
    !(Number.isSafeInteger(n) && n >= 0) && n !== Number.POSITIVE_INFINITY
      ? Effect.die(new Cause.IllegalArgumentError(`Condition.notify: n must be an integer ≥ 0, got ${n}`))
      : Effect.withFiber((fiber) => {
        if (!this.lock.isHeldBy(fiber)) return Effect.fail(this.lock.notOwner(fiber, "Condition.notify"))
        this.wake(n)
        return Effect.void
      })

  readonly notifyAll: Effect.Effect<void, NotOwner> = this.notify(Number.POSITIVE_INFINITY)

  readonly waiting: Effect.Effect<number> = Effect.sync(() => this.waiters.size)
}

/** @internal */
export const make = (lock?: Api.Condition.Lock): Effect.Effect<Api.Condition> =>
  Effect.sync(() => {
    if (lock !== undefined && !(lock instanceof OwnedLock)) {
      throw new TypeError("Condition.make: the lock must be a Lock or ReentrantLock of @fiberkit/sync")
    }
    return new ConditionImpl(lock ?? new OwnedLock(true, "ReentrantLock", undefined))
  })
