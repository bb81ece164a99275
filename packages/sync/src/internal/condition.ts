import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as HashSet from "effect/HashSet"
import { pipeArguments } from "effect/Pipeable"
import type * as Api from "../Condition.js"
import type { NotOwner } from "../Errors.js"
import { type Node, WaitQueue } from "../WaitQueue.js"
import { withDeadline } from "./deadline.js"
import { OwnedLock } from "./ownedLock.js"

const WAITING = 0
const NOTIFIED = 1
const LEFT = 2
const EXPIRED = 3

const TRUE = Effect.succeed(true)
const FALSE = Effect.succeed(false)

interface Waiter extends Node {
  state: typeof WAITING | typeof NOTIFIED | typeof LEFT | typeof EXPIRED
  resume: ((effect: Effect.Effect<boolean>) => void) | undefined
}

/** @internal */
export const TypeId: Api.TypeId = Symbol.for("@fiberkit/sync/Condition") as Api.TypeId

/** @internal */
export class ConditionImpl implements Api.Condition {
  readonly [TypeId]: Api.TypeId = TypeId
  private readonly waiters = new WaitQueue<Waiter>()

  constructor(readonly lock: OwnedLock) {}

  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }

  readonly withLock = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => this.lock.withLock(effect)

  /** Waits for a notification (at most `duration` when given): `true` if notified. */
  private waitWithin(duration: Duration.DurationInput | undefined): Effect.Effect<boolean, NotOwner> {
    return Effect.uninterruptibleMask((restore) =>
      Effect.withFiberRuntime((fiber) => {
        if (!this.lock.isHeldBy(fiber)) return Effect.fail(this.lock.notOwner(fiber, "Condition.wait"))
        const waiter: Waiter = { state: WAITING, resume: undefined, prev: undefined, next: undefined, queued: false }
        this.waiters.push(waiter)
        const wait = Effect.async<boolean>((resume) => {
          if (waiter.state === NOTIFIED) resume(TRUE)
          else if (waiter.state === EXPIRED) resume(FALSE)
          else waiter.resume = resume
        })
        const expire = () => {
          if (waiter.state !== WAITING) return
          waiter.state = EXPIRED
          this.waiters.remove(waiter)
          waiter.resume?.(FALSE)
        }
        const waited = duration === undefined ? restore(wait) : withDeadline(duration, expire, restore(wait))
        return Effect.flatMap(this.lock.saveAndRelease(fiber), (saved) =>
          Effect.flatMap(Effect.exit(waited), (exit) => {
            if (Exit.isFailure(exit)) this.leave(waiter)
            // as in Python, the lock is taken back before `wait` returns or fails
            return Effect.zipRight(
              this.lock.restoreHold(fiber, saved),
              Effect.descriptorWith((descriptor) => {
                // interrupted while taking the lock back: it will not act on its notification
                if (Exit.isSuccess(exit) && exit.value && HashSet.size(descriptor.interruptors) > 0) this.wake(1)
                return exit
              })
            )
          }))
      })
    )
  }

  readonly wait: Effect.Effect<void, NotOwner> = Effect.asVoid(this.waitWithin(undefined))

  readonly waitFor = (duration: Duration.DurationInput): Effect.Effect<boolean, NotOwner> => this.waitWithin(duration)

  /** An interrupted waiter leaves; a notification it got but could not use goes to the next one. */
  private leave(waiter: Waiter): void {
    const notified = waiter.state === NOTIFIED
    waiter.state = LEFT
    this.waiters.remove(waiter)
    if (notified) this.wake(1)
  }

  private wake(n: number): void {
    for (let i = 0; i < n; i++) {
      const waiter = this.waiters.shift()
      if (waiter === undefined) return
      waiter.state = NOTIFIED
      waiter.resume?.(TRUE)
    }
  }

  readonly waitUntil = <E, R>(predicate: Effect.Effect<boolean, E, R>): Effect.Effect<void, E | NotOwner, R> =>
    Effect.flatMap(predicate, (done) => (done ? Effect.void : Effect.zipRight(this.wait, this.waitUntil(predicate))))

  readonly notify = (n = 1): Effect.Effect<void, NotOwner> =>
    Effect.withFiberRuntime((fiber) => {
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
