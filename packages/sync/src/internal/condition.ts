import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { pipeArguments } from "effect/Pipeable"
import type * as Api from "../Condition.js"
import type { NotOwner } from "../Errors.js"
import { OwnedLock } from "./ownedLock.js"
import { type Node, WaitQueue } from "./waitQueue.js"

const WAITING = 0
const NOTIFIED = 1
const LEFT = 2

interface Waiter extends Node {
  state: typeof WAITING | typeof NOTIFIED | typeof LEFT
  resume: ((effect: Effect.Effect<void>) => void) | undefined
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

  readonly wait: Effect.Effect<void, NotOwner> = Effect.uninterruptibleMask((restore) =>
    Effect.withFiberRuntime((fiber) => {
      if (!this.lock.isHeldBy(fiber)) return Effect.fail(this.lock.notOwner(fiber, "Condition.wait"))
      const waiter: Waiter = { state: WAITING, resume: undefined, prev: undefined, next: undefined, queued: false }
      this.waiters.push(waiter)
      return Effect.flatMap(this.lock.saveAndRelease(fiber), (saved) =>
        Effect.flatMap(
          Effect.exit(restore(Effect.async<void>((resume) => {
            if (waiter.state === NOTIFIED) resume(Effect.void)
            else waiter.resume = resume
          }))),
          (exit) => {
            if (Exit.isFailure(exit)) this.leave(waiter)
            // as in Python, the lock is taken back before `wait` returns or fails
            return Effect.zipRight(this.lock.restoreHold(fiber, saved), exit)
          }
        ))
    })
  )

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
      waiter.resume?.(Effect.void)
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
