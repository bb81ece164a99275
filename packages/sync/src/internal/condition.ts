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
import { type Notice, settleNotice } from "./notices.js"
import { OwnedLock } from "./ownedLock.js"

/** A waiter's outcome: `true` when notified, `false` when its time ran out. */
const EXPIRED = Exit.succeed(false)
const NOTIFIED = Exit.succeed(true)
/** What `wait` returns when notified: its result as it is, so that no step runs after `deliver`. */
const NOTIFIED_VOID = Exit.void

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

  /**
   * Waits for a notification (at most `duration` when given): `notified` or `expired`. A
   * notification woken with is kept on the hold as a `Notice` (`notices.ts`), given to `track`.
   */
  private waitWithin<A>(
    duration: Duration.Duration | undefined,
    notified: Exit.Exit<A>,
    expired: Exit.Exit<A>,
    track?: (notice: Notice) => void
  ): Effect.Effect<A, NotOwner> {
    return Effect.uninterruptibleMask((restore) =>
      Effect.withFiber((fiber) => {
        if (!this.lock.isHeldBy(fiber)) return Effect.fail(this.lock.notOwner(fiber, "Condition.wait"))
        const waiter = new Waiter<boolean>(this.waiters)
        this.waiters.push(waiter)
        const wait = waiter.wait(restore, this.hooks)
        const waited = duration === undefined ? wait : withDeadline(duration, () => waiter.settle(EXPIRED), wait)
        const saved = this.lock.saveAndRelease(fiber)
        // as in Python, the lock is taken back before `wait` returns or fails
        return Effect.flatMap(Effect.exit(waited), (exit) => {
          if (Exit.isFailure(exit)) {
            return Effect.andThen(this.lock.restoreHold(fiber, saved), Effect.failCause(exit.cause))
          }
          if (!exit.value) {
            return Effect.andThen(this.lock.restoreHold(fiber, saved), expired)
          }
          const notice = this.lock.notice(saved, this.passOn)
          track?.(notice)
          return Effect.andThen(this.lock.restoreHold(fiber, saved, notice), this.deliver(notice, restore, notified))
        })
      })
    )
  }

  /** A notification a waiter woke with and did not act on goes to the next waiter. */
  private readonly passOn = (): void => this.wake(1)

  /**
   * Ends a notified wait, the lock held again: the last step of `wait`. An interruption sent
   * meanwhile (while the waiter took the lock back) is raised here if the caller's own region is
   * interruptible — `restore` says which — and the notification goes on at once; in an
   * uninterruptible region (a finalizer) the wait returns and the waiter acts on it itself.
   *
   * No step follows this one inside `wait` (`catchCause` adds none on success; `onInterrupt` and
   * `onExit` would): Effect raises an interruption sent during a later step at the end of the
   * uninterruptible region, in place of the result. One raised after `wait` returned is the
   * hold's: the lock passes the notice on if the hold ends so.
   */
  private deliver<A>(notice: Notice, restore: Restore, notified: Exit.Exit<A>): Effect.Effect<A> {
    return Effect.catchCause(restore(notified), (cause) => {
      settleNotice(notice, true)
      return Effect.failCause(cause)
    })
  }

  readonly wait: Effect.Effect<void, NotOwner> = this.waitWithin(undefined, NOTIFIED_VOID, NOTIFIED_VOID)

  readonly waitFor = (duration: Duration.Input): Effect.Effect<boolean, NotOwner> =>
    Effect.flatMap(
      decodeDeadline("Condition.waitFor", duration),
      (decoded) => this.waitWithin(decoded, NOTIFIED, EXPIRED)
    )

  /** Notifies up to `n` waiters, longest-waiting first. */
  private wake(n: number): void {
    for (let i = 0; i < n; i++) {
      const waiter = this.waiters.first
      if (waiter === undefined) return
      waiter.grant(true)
    }
  }

  /**
   * Waits until `predicate` holds. A failure or interruption after one of its own notified
   * waits, before the predicate said yes, passes that notification on at once (a notice of an
   * earlier wait of the hold is the hold's to settle).
   */
  readonly waitUntil = <E, R>(predicate: Effect.Effect<boolean, E, R>): Effect.Effect<void, E | NotOwner, R> =>
    Effect.suspend(() => {
      let own: Notice | undefined = undefined
      const wait = this.waitWithin(undefined, NOTIFIED_VOID, NOTIFIED_VOID, (notice) => {
        own = notice
      })
      const loop: Effect.Effect<void, E | NotOwner, R> = Effect.flatMap(
        predicate,
        (done) => (done ? Effect.void : Effect.andThen(wait, loop))
      )
      return Effect.catchCause(loop, (cause) => {
        if (own !== undefined) settleNotice(own, true)
        return Effect.failCause(cause)
      })
    })

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
