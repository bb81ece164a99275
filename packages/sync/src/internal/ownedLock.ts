import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import { pipeArguments } from "effect/Pipeable"
import { NotOwner } from "../Errors.js"
import type * as LockOrder from "../LockOrder.js"
import { decodeDeadline } from "./deadline.js"
import type { Restore } from "./handoff.js"
import { afterAcquire, afterRelease, beforeAcquire, currentDetector, LockableTypeId, nextRank } from "./lockOrder.js"
import { answersFor, fiberKey, fiberName, type Owner, ownerOf } from "./owner.js"
import { PermitPool } from "./permits.js"

type AnyFiber = Fiber.Fiber<unknown, unknown>

/** One acquisition from free to held; `withLock` releases only the ticket it took. */
interface Ticket {
  readonly owner: Owner
}

/** What `Condition.wait` saves while it lets go of the lock. @internal */
export interface SavedHold {
  readonly ticket: Ticket
  readonly count: number
}

const identity: Restore = (effect) => effect

/**
 * The one implementation of `Lock` (not reentrant) and `ReentrantLock`: a single permit with
 * FIFO hand-off, an owner (the key of the fiber that took it) and a hold count.
 *
 * @internal
 */
export class OwnedLock implements LockOrder.Lockable {
  readonly [LockableTypeId]: LockOrder.LockableTypeId = LockableTypeId
  readonly rank = nextRank()
  readonly name: string
  private readonly pool = new PermitPool(1)
  private ticket: Ticket | undefined = undefined
  private count = 0

  constructor(readonly reentrant: boolean, readonly kind: string, name: string | undefined) {
    this.name = name ?? `${kind}#${this.rank}`
  }

  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }

  /** Whether `fiber` holds the lock now. */
  isHeldBy(fiber: AnyFiber): boolean {
    return this.ticket !== undefined && answersFor(fiber, this.ticket.owner)
  }

  /** A reentrant lock `fiber` already holds: one more hold, and its ticket; else undefined. */
  private reenter(fiber: AnyFiber): Ticket | undefined {
    const held = this.ticket
    if (!this.reentrant || held === undefined || !answersFor(fiber, held.owner)) return undefined
    this.count++
    return held
  }

  /** In an uninterruptible region: makes `fiber` the holder, waiting (interruptibly) if needed. */
  private enter(fiber: AnyFiber, restore: Restore): Effect.Effect<Ticket> {
    const held = this.reenter(fiber)
    if (held !== undefined) return Effect.succeed(held)
    const violation = beforeAcquire(fiber, this)
    if (violation !== undefined) return Effect.die(violation)
    return this.pool.takeThen(1, restore, Effect.suspend(() => this.own(fiber)))
  }

  /** Right after the permit became this fiber's: makes it the holder. */
  private claim(fiber: AnyFiber): Ticket {
    const ticket: Ticket = { owner: ownerOf(fiber) }
    this.ticket = ticket
    this.count = 1
    return ticket
  }

  /** {@link claim}, plus the bookkeeping of the detector. */
  private own(fiber: AnyFiber): Effect.Effect<Ticket> {
    const ticket = this.claim(fiber)
    const record = afterAcquire(fiber, this)
    return record === Effect.void ? Effect.succeed(ticket) : Effect.as(record, ticket)
  }

  /** Gives up one hold; the last one frees the lock for the next waiter. */
  private leave(fiber: AnyFiber): void {
    if (--this.count > 0) return
    this.ticket = undefined
    this.pool.release(1)
    afterRelease(fiber, this)
  }

  readonly withLock = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.withFiber((fiber) => {
        // fast paths first: a reentrant hold, or a free lock with no one waiting and no detector
        const held = this.reenter(fiber)
        if (held !== undefined) return this.holding(fiber, held, restore(effect))
        if (fiber.getRef(currentDetector) === undefined) {
          return this.pool.takeThen(
            1,
            restore,
            Effect.suspend(() => this.holding(fiber, this.claim(fiber), restore(effect)))
          )
        }
        return Effect.flatMap(
          this.enter(fiber, restore),
          (ticket) => this.holding(fiber, ticket, restore(effect))
        )
      })
    )

  /** Runs `body` (already under `restore`) holding `ticket`, then lets go — unless the holder released by hand. */
  private holding<A, E, R>(fiber: AnyFiber, ticket: Ticket, body: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> {
    return Effect.matchCauseEffect(body, {
      onFailure: (cause) => this.leaveThen(fiber, ticket, Exit.failCause(cause)),
      onSuccess: (value) => this.leaveThen(fiber, ticket, Exit.succeed(value))
    })
  }

  private leaveThen<A, E>(fiber: AnyFiber, ticket: Ticket, exit: Exit.Exit<A, E>): Exit.Exit<A, E> {
    if (this.ticket === ticket) this.leave(fiber)
    return exit
  }

  readonly acquire: Effect.Effect<void> = Effect.uninterruptibleMask((restore) =>
    Effect.withFiber((fiber) => Effect.asVoid(this.enter(fiber, restore)))
  )

  readonly acquireFor = (duration: Duration.Input): Effect.Effect<boolean> =>
    Effect.flatMap(decodeDeadline(`${this.kind}.acquireFor`, duration), (decoded) => this.acquireWithin(decoded))

  private acquireWithin(duration: Duration.Duration): Effect.Effect<boolean> {
    return Effect.uninterruptibleMask((restore) =>
      Effect.withFiber((fiber) => {
        const held = this.reenter(fiber)
        if (held !== undefined) return Effect.succeed(true)
        const violation = beforeAcquire(fiber, this)
        if (violation !== undefined) return Effect.die(violation)
        return Effect.flatMap(
          this.pool.takeWithin(1, restore, duration),
          (taken) => taken ? Effect.as(this.own(fiber), true) : Effect.succeed(false)
        )
      })
    )
  }

  readonly tryAcquire: Effect.Effect<boolean> = Effect.uninterruptible(Effect.withFiber((fiber) => {
    const held = this.reenter(fiber)
    if (held !== undefined) return Effect.succeed(true)
    if (!this.pool.tryTake(1)) return Effect.succeed(false)
    return Effect.as(this.own(fiber), true)
  }))

  readonly release: Effect.Effect<void, NotOwner> = Effect.uninterruptible(Effect.withFiber((fiber) => {
    const held = this.ticket
    if (held === undefined || !answersFor(fiber, held.owner)) {
      return Effect.fail(this.notOwner(fiber, `${this.kind}.release`))
    }
    this.leave(fiber)
    return Effect.void
  }))

  readonly isLocked: Effect.Effect<boolean> = Effect.sync(() => this.pool.free === 0)

  notOwner(fiber: AnyFiber, operation: string): NotOwner {
    return new NotOwner({
      operation,
      lock: this.name,
      fiber: fiberName(fiberKey(fiber)),
      owner: this.ticket === undefined ? undefined : fiberName(fiberKey(this.ticket.owner.fiber))
    })
  }

  /** For `Condition.wait`: lets go of every hold of `fiber` at once (which must hold the lock). */
  saveAndRelease(fiber: AnyFiber): SavedHold {
    const saved: SavedHold = { ticket: this.ticket!, count: this.count }
    this.count = 1
    this.leave(fiber)
    return saved
  }

  /**
   * For `Condition.wait`: takes the lock back with the holds saved, waiting uninterruptibly.
   * Checked by the detector like any acquisition: a violation dies before it waits, the lock not
   * taken back (taking it would be the deadlock the detector reports).
   */
  restoreHold(fiber: AnyFiber, saved: SavedHold): Effect.Effect<void> {
    return Effect.suspend(() => {
      const violation = beforeAcquire(fiber, this)
      if (violation !== undefined) return Effect.die(violation)
      const back = Effect.suspend(() => {
        this.ticket = saved.ticket
        this.count = saved.count
        return afterAcquire(fiber, this)
      })
      return this.pool.takeThen(1, identity, back)
    })
  }
}
