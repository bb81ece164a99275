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
import { makeNotice, type Notice, settleFrom, settleNotice } from "./notices.js"
import { fiberKey, fiberName } from "./owner.js"
import { PermitPool } from "./permits.js"

type AnyFiber = Fiber.Fiber<unknown, unknown>

/** One acquisition from free to held; `withLock` releases only the ticket it took. */
interface Ticket {
  readonly owner: AnyFiber
  /** For a hold taken with `acquire`: stops watching for the owner's end. */
  unwatch: (() => void) | undefined
  /** `Condition` notifications the holder woke with, kept until their hold ends (`notices.ts`). */
  notices: Array<Notice> | undefined
}

/** What `Condition.wait` saves while it lets go of the lock. @internal */
export interface SavedHold {
  readonly ticket: Ticket
  readonly count: number
  /** Whether the hold was watched for its owner's end (taken with `acquire`). */
  readonly watched: boolean
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
  /** The fiber that last held the lock and ended holding it, while the lock has stayed free since. */
  private endedOwner: string | undefined = undefined

  constructor(readonly reentrant: boolean, readonly kind: string, name: string | undefined) {
    this.name = name ?? `${kind}#${this.rank}`
  }

  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }

  /** Whether `fiber` holds the lock now. */
  isHeldBy(fiber: AnyFiber): boolean {
    this.reclaim()
    return this.ticket !== undefined && this.ticket.owner === fiber
  }

  /** A reentrant lock `fiber` already holds: one more hold, and its ticket; else undefined. */
  private reenter(fiber: AnyFiber, explicit: boolean): Ticket | undefined {
    this.reclaim()
    const held = this.ticket
    if (!this.reentrant || held === undefined || held.owner !== fiber) return undefined
    if (explicit) this.watch(held)
    this.count++
    return held
  }

  /** In an uninterruptible region: makes `fiber` the holder, waiting (interruptibly) if needed. */
  private enter(fiber: AnyFiber, restore: Restore, explicit: boolean): Effect.Effect<Ticket> {
    const held = this.reenter(fiber, explicit)
    if (held !== undefined) return Effect.succeed(held)
    const violation = beforeAcquire(fiber, this)
    if (violation !== undefined) return Effect.die(violation)
    return this.pool.takeThen(1, restore, Effect.suspend(() => this.own(fiber, explicit)))
  }

  /** Right after the permit became this fiber's: makes it the holder. */
  private claim(fiber: AnyFiber): Ticket {
    const ticket: Ticket = { owner: fiber, unwatch: undefined, notices: undefined }
    this.endedOwner = undefined
    this.ticket = ticket
    this.count = 1
    return ticket
  }

  /**
   * {@link claim}, plus the bookkeeping of the detector; for a hold taken with `acquire` (not
   * `withLock`, which lets go itself), a watch on the owner's end: a fiber that ends holding the
   * lock lets it go then.
   */
  private own(fiber: AnyFiber, explicit: boolean): Effect.Effect<Ticket> {
    const ticket = this.claim(fiber)
    if (explicit) this.watch(ticket)
    const record = afterAcquire(fiber, this)
    return record === Effect.void ? Effect.succeed(ticket) : Effect.as(record, ticket)
  }

  /** Lets the lock go when the owner of `ticket` ends holding it. */
  private watch(ticket: Ticket): void {
    if (ticket.unwatch !== undefined) return
    ticket.unwatch = ticket.owner.addObserver((exit) => this.abandon(ticket, Exit.isFailure(exit)))
  }

  /** The owner of `ticket` has ended holding the lock: lets it go, every hold at once. */
  private abandon(ticket: Ticket, failed: boolean): void {
    if (this.ticket !== ticket) return
    this.count = 1
    this.leave(ticket.owner, failed)
    this.endedOwner = fiberName(fiberKey(ticket.owner))
  }

  /**
   * Lets the lock go now if its owner has ended: the watch fires only after the fibers waiting
   * for that end have resumed (Effect 4 resumes them inside the end), and they must already find
   * the lock free.
   */
  private reclaim(): void {
    const ticket = this.ticket
    const exit = ticket?.unwatch === undefined ? undefined : ticket.owner.pollUnsafe()
    if (exit !== undefined) this.abandon(ticket!, Exit.isFailure(exit))
  }

  /**
   * Gives up one hold, settling the notices it kept (passed on if it ended `failed`, else
   * dropped); the last one frees the lock for the next waiter.
   */
  private leave(fiber: AnyFiber, failed = false): void {
    const ticket = this.ticket
    if (ticket !== undefined) ticket.notices = settleFrom(ticket.notices, this.count, failed)
    if (--this.count > 0) return
    ticket?.unwatch?.()
    if (ticket !== undefined) ticket.unwatch = undefined
    this.ticket = undefined
    this.pool.release(1)
    afterRelease(fiber, this)
  }

  readonly withLock = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.withFiber((fiber) => {
        // fast paths first: a reentrant hold, or a free lock with no one waiting and no detector
        const held = this.reenter(fiber, false)
        if (held !== undefined) return this.holding(fiber, held, restore(effect))
        if (fiber.getRef(currentDetector) === undefined) {
          return this.pool.takeThen(
            1,
            restore,
            Effect.suspend(() => this.holding(fiber, this.claim(fiber), restore(effect)))
          )
        }
        return Effect.flatMap(
          this.enter(fiber, restore, false),
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

  /**
   * Lets go of the hold `withLock` took — or, if the body let that hold go by hand and then took
   * the lock again itself, of that one (Python's `with lock:` releases at its end whatever the
   * body did); a lock another fiber holds by now is not touched.
   */
  private leaveThen<A, E>(fiber: AnyFiber, ticket: Ticket, exit: Exit.Exit<A, E>): Exit.Exit<A, E> {
    const held = this.ticket
    if (held === ticket || (held !== undefined && held.owner === fiber)) this.leave(fiber, Exit.isFailure(exit))
    return exit
  }

  readonly acquire: Effect.Effect<void> = Effect.uninterruptibleMask((restore) =>
    Effect.withFiber((fiber) => Effect.asVoid(this.enter(fiber, restore, true)))
  )

  readonly acquireFor = (duration: Duration.Input): Effect.Effect<boolean> =>
    Effect.flatMap(decodeDeadline(`${this.kind}.acquireFor`, duration), (decoded) => this.acquireWithin(decoded))

  private acquireWithin(duration: Duration.Duration): Effect.Effect<boolean> {
    return Effect.uninterruptibleMask((restore) =>
      Effect.withFiber((fiber) => {
        const held = this.reenter(fiber, true)
        if (held !== undefined) return Effect.succeed(true)
        const violation = beforeAcquire(fiber, this)
        if (violation !== undefined) return Effect.die(violation)
        return Effect.flatMap(
          this.pool.takeWithin(1, restore, duration),
          (taken) => taken ? Effect.as(this.own(fiber, true), true) : Effect.succeed(false)
        )
      })
    )
  }

  readonly tryAcquire: Effect.Effect<boolean> = Effect.uninterruptible(Effect.withFiber((fiber) => {
    const held = this.reenter(fiber, true)
    if (held !== undefined) return Effect.succeed(true)
    if (!this.pool.tryTake(1)) return Effect.succeed(false)
    return Effect.as(this.own(fiber, true), true)
  }))

  readonly release: Effect.Effect<void, NotOwner> = Effect.uninterruptible(Effect.withFiber((fiber) => {
    this.reclaim()
    const held = this.ticket
    if (held === undefined || held.owner !== fiber) {
      return Effect.fail(this.notOwner(fiber, `${this.kind}.release`))
    }
    if (held.notices === undefined) {
      this.leave(fiber)
      return Effect.void
    }
    // A hold that kept a notification: released in a finalizer of an interrupted fiber (as
    // `acquireUseRelease` does), it did not act on it. The pending interruption shows in an
    // interruptible step, caught here (it is still raised at the end of the caller's region).
    return Effect.flatMap(Effect.exit(Effect.interruptible(Effect.void)), (probe) => {
      if (this.ticket === held) this.leave(fiber, Exit.isFailure(probe))
      return Effect.void
    })
  }))

  readonly isLocked: Effect.Effect<boolean> = Effect.sync(() => {
    this.reclaim()
    return this.pool.free === 0
  })

  notOwner(fiber: AnyFiber, operation: string): NotOwner {
    return new NotOwner({
      operation,
      lock: this.name,
      fiber: fiberName(fiberKey(fiber)),
      owner: this.ticket === undefined ? undefined : fiberName(fiberKey(this.ticket.owner)),
      endedOwner: this.ticket === undefined ? this.endedOwner : undefined
    })
  }

  /** For `Condition.wait`: lets go of every hold of `fiber` at once (which must hold the lock). */
  saveAndRelease(fiber: AnyFiber): SavedHold {
    const saved: SavedHold = { ticket: this.ticket!, count: this.count, watched: this.ticket!.unwatch !== undefined }
    // waiting again, the holder has acted on what woke it before
    saved.ticket.notices = settleFrom(saved.ticket.notices, 1, false)
    this.count = 1
    this.leave(fiber)
    return saved
  }

  /** For `Condition.wait`: a notification to keep on the hold `saved` once it is taken back. */
  notice(saved: SavedHold, passOn: () => void): Notice {
    return makeNotice(saved.count, passOn)
  }

  /**
   * For `Condition.wait`: takes the lock back with the holds saved, waiting uninterruptibly.
   * Checked by the detector like any acquisition: a violation dies before it waits, the lock not
   * taken back (taking it would be the deadlock the detector reports).
   */
  restoreHold(fiber: AnyFiber, saved: SavedHold, notice?: Notice): Effect.Effect<void> {
    return Effect.suspend(() => {
      const violation = beforeAcquire(fiber, this)
      if (violation !== undefined) {
        // the waiter dies without the lock: what woke it goes on
        if (notice !== undefined) settleNotice(notice, true)
        return Effect.die(violation)
      }
      const back = Effect.suspend(() => {
        this.ticket = saved.ticket
        this.count = saved.count
        if (notice !== undefined) (saved.ticket.notices ??= []).push(notice)
        this.endedOwner = undefined
        if (saved.watched) this.watch(saved.ticket)
        return afterAcquire(fiber, this)
      })
      return this.pool.takeThen(1, identity, back)
    })
  }
}
