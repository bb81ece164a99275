import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import { pipeArguments } from "effect/Pipeable"
import type * as LockOrder from "../LockOrder.js"
import type * as Api from "../ReadWriteLock.js"
import { WaitQueue } from "../WaitQueue.js"
import { type Restore, Waiter } from "./handoff.js"
import { afterAcquire, afterRelease, beforeAcquire, LockableTypeId, nextRank } from "./lockOrder.js"

interface RwWaiter extends Waiter<void> {
  writer: boolean
}

/** @internal */
export const TypeId: Api.TypeId = Symbol.for("@fiberkit/sync/ReadWriteLock") as Api.TypeId

/**
 * Many readers or one writer, in one FIFO line with direct hand-off. A reader enters at once
 * only when no writer holds the lock and no one waits; so a waiting writer holds back every
 * reader that comes after it (writers are not starved), and when a writer leaves, the readers
 * queued next enter together (readers are not starved either).
 *
 * @internal
 */
export class ReadWriteLockImpl implements Api.ReadWriteLock {
  readonly [TypeId]: Api.TypeId = TypeId
  private readonly queue = new WaitQueue<RwWaiter>()
  /** An interrupted waiter: a grant it got goes back, a place it left lets the next ones in. */
  private readonly readerHooks = { onLost: () => this.leave(false), onCancel: () => this.grant() }
  private readonly writerHooks = { onLost: () => this.leave(true), onCancel: () => this.grant() }
  private readers = 0
  private writing = false
  readonly writeLock: LockOrder.Lockable

  constructor(readonly name: string | undefined) {
    const rank = nextRank()
    this.writeLock = {
      [LockableTypeId]: LockableTypeId,
      rank,
      name: `${name ?? `ReadWriteLock#${rank}`}(write)`,
      withLock: (effect) => this.withWrite(effect)
    }
  }

  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }

  private tryEnter(writer: boolean): boolean {
    if (this.queue.size > 0 || this.writing) return false
    if (writer) {
      if (this.readers > 0) return false
      this.writing = true
    } else {
      this.readers++
    }
    return true
  }

  private grant(): void {
    let head = this.queue.first
    while (head !== undefined && !this.writing) {
      if (head.writer) {
        if (this.readers > 0) return
        this.writing = true
      } else {
        this.readers++
      }
      head.grant(undefined)
      head = this.queue.first
    }
  }

  private leave(writer: boolean): void {
    if (writer) this.writing = false
    else this.readers--
    this.grant()
  }

  /** Enters at once, or joins the line (in this same step) and waits for a grant. */
  private enter(writer: boolean, restore: Restore): Effect.Effect<void> {
    if (this.tryEnter(writer)) return Effect.void
    const waiter = new Waiter<void>(this.queue) as RwWaiter
    waiter.writer = writer
    this.queue.push(waiter)
    return waiter.wait(restore, writer ? this.writerHooks : this.readerHooks)
  }

  private holding<A, E, R>(
    fiber: Fiber.Fiber<unknown, unknown>,
    writer: boolean,
    restore: Restore,
    effect: Effect.Effect<A, E, R>
  ): Effect.Effect<A, E, R> {
    return Effect.andThen(
      this.enter(writer, restore),
      Effect.matchCauseEffect(
        Effect.andThen(writer ? afterAcquire(fiber, this.writeLock) : Effect.void, restore(effect)),
        {
          onFailure: (cause) => this.exit(fiber, writer, Exit.failCause(cause)),
          onSuccess: (value) => this.exit(fiber, writer, Exit.succeed(value))
        }
      )
    )
  }

  private exit<A, E>(fiber: Fiber.Fiber<unknown, unknown>, writer: boolean, exit: Exit.Exit<A, E>) {
    this.leave(writer)
    if (writer) afterRelease(fiber, this.writeLock)
    return exit
  }

  readonly withRead = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.uninterruptibleMask((restore) => Effect.withFiber((fiber) => this.holding(fiber, false, restore, effect)))

  readonly withWrite = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.uninterruptibleMask((restore) =>
      Effect.withFiber((fiber) => {
        const violation = beforeAcquire(fiber, this.writeLock)
        return violation === undefined ? this.holding(fiber, true, restore, effect) : Effect.die(violation)
      })
    )

  readonly state: Effect.Effect<Api.ReadWriteLock.State> = Effect.sync(() => ({
    readers: this.readers,
    writing: this.writing,
    waiting: this.queue.size
  }))
}
