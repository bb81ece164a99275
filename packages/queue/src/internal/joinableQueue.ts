import { WaitQueue } from "@fiberkit/sync"
import * as Effect from "effect/Effect"
import type * as Order from "effect/Order"
import { pipeArguments } from "effect/Pipeable"
import { InvalidOptions, QueueEmpty, QueueFull, QueueShutDown, TaskDoneTooManyTimes } from "../Errors.js"
import type * as Api from "../JoinableQueue.js"
import { type Buffer, Fifo, Lifo, Priority } from "./buffer.js"

const WAITING = 0
const GRANTED = 1
const DONE = 2

interface Waiter extends WaitQueue.Node {
  state: typeof WAITING | typeof GRANTED | typeof DONE
  resume: ((effect: Effect.Effect<void, QueueShutDown>) => void) | undefined
}

interface Joiner extends WaitQueue.Node {
  readonly resume: (effect: Effect.Effect<void>) => void
}

type Restore = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

const shutDown = Effect.fail(new QueueShutDown())

/** @internal */
export const TypeId: Api.TypeId = Symbol.for("@fiberkit/queue/JoinableQueue") as Api.TypeId

/**
 * A buffer, a line of takers waiting for an item and a line of putters waiting for a slot.
 *
 * Hand-off by reservation: when an item arrives for a waiting taker, it stays in the buffer but
 * is reserved for that taker, who takes it out when it resumes; a slot that frees up for a
 * waiting putter is reserved the same way. So the buffer never holds more than `capacity`, and
 * a waiter interrupted between being served and resuming just gives its reservation to the next
 * one: no item is lost, and no interrupted put leaves an item behind.
 *
 * @internal
 */
export class JoinableQueueImpl<A> implements Api.JoinableQueue<A> {
  readonly [TypeId]: Api.TypeId = TypeId
  private readonly takers = new WaitQueue.WaitQueue<Waiter>()
  private readonly putters = new WaitQueue.WaitQueue<Waiter>()
  private readonly joiners = new WaitQueue.WaitQueue<Joiner>()
  /** Buffered items promised to served takers that have not resumed yet. */
  private reservedItems = 0
  /** Free slots promised to served putters that have not resumed yet. */
  private reservedSlots = 0
  private unfinished = 0
  private closed: false | "drain" | "immediate" = false

  constructor(private readonly buffer: Buffer<A>, readonly capacity: number) {}

  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }

  private get available(): number {
    return this.buffer.length - this.reservedItems
  }

  private get room(): number {
    return this.capacity - this.buffer.length - this.reservedSlots
  }

  private push(item: A): void {
    this.buffer.put(item)
    this.unfinished++
    if (this.takers.size > 0) this.serveTakers()
  }

  private pull(): A {
    const item = this.buffer.take()
    if (this.putters.size > 0) this.servePutters()
    // a shut-down queue that is now empty for good: the takers still waiting will get nothing
    if (this.closed !== false && this.buffer.length === 0 && this.takers.size > 0) this.failAll(this.takers)
    return item
  }

  /** Reserves buffered items for the takers at the head of their line and wakes them. */
  private serveTakers(): void {
    let head = this.takers.first
    while (head !== undefined && this.available > 0) {
      this.reservedItems++
      this.grant(this.takers, head)
      head = this.takers.first
    }
  }

  /** Reserves free slots for the putters at the head of their line and wakes them. */
  private servePutters(): void {
    let head = this.putters.first
    while (head !== undefined && this.room > 0) {
      this.reservedSlots++
      this.grant(this.putters, head)
      head = this.putters.first
    }
  }

  private grant(line: WaitQueue.WaitQueue<Waiter>, waiter: Waiter): void {
    line.remove(waiter)
    waiter.state = GRANTED
    waiter.resume?.(Effect.void)
  }

  private wakeJoiners(): void {
    for (const joiner of this.joiners.drain()) joiner.resume(Effect.void)
  }

  private failAll(line: WaitQueue.WaitQueue<Waiter>): void {
    for (const waiter of line.drain()) {
      waiter.state = DONE
      waiter.resume?.(shutDown)
    }
  }

  /**
   * Waits in `line` (interruptibly, inside the caller's uninterruptible region) until served,
   * then runs `claim`. If the wait ends any other way after it was served, `release` hands the
   * reservation on.
   */
  private wait<B>(
    line: WaitQueue.WaitQueue<Waiter>,
    restore: Restore,
    claim: () => Effect.Effect<B, QueueShutDown>,
    release: () => void
  ): Effect.Effect<B, QueueShutDown> {
    const waiter: Waiter = { state: WAITING, resume: undefined, prev: undefined, next: undefined, queued: false }
    line.push(waiter)
    return Effect.matchCauseEffect(
      restore(Effect.async<void, QueueShutDown>((resume) => {
        if (waiter.state === GRANTED) resume(Effect.void)
        else waiter.resume = resume
      })),
      {
        onFailure: (cause) => {
          if (waiter.state === WAITING) line.remove(waiter)
          else if (waiter.state === GRANTED) release()
          waiter.state = DONE
          return Effect.failCause(cause)
        },
        onSuccess: claim
      }
    )
  }

  private claimSlot(item: A): Effect.Effect<void, QueueShutDown> {
    this.reservedSlots--
    if (this.closed !== false) return shutDown
    this.push(item)
    return Effect.void
  }

  private releaseSlot = (): void => {
    this.reservedSlots--
    if (this.putters.size > 0) this.servePutters()
  }

  private claimItems(max: number): Effect.Effect<Array<A>, QueueShutDown> {
    if (this.closed === "immediate") return shutDown
    this.reservedItems--
    const items = [this.pull()]
    while (items.length < max && this.available > 0 && this.takers.size === 0) items.push(this.pull())
    return Effect.succeed(items)
  }

  private releaseItem = (): void => {
    if (this.closed === "immediate") return
    this.reservedItems--
    if (this.takers.size > 0) this.serveTakers()
  }

  readonly put = (item: A): Effect.Effect<void, QueueShutDown> =>
    Effect.suspend(() => {
      if (this.closed !== false) return shutDown
      if (this.putters.size === 0 && this.room > 0) {
        this.push(item)
        return Effect.void
      }
      return Effect.uninterruptibleMask((restore) =>
        this.wait(this.putters, restore, () => this.claimSlot(item), this.releaseSlot)
      )
    })

  readonly putAll = (items: Iterable<A>): Effect.Effect<void, QueueShutDown> =>
    Effect.suspend(() => this.putFrom(Array.isArray(items) ? items : Array.from(items), 0))

  /** Puts `items[from…]`: as many as fit at once, then waits for room for the next one. */
  private putFrom(items: ReadonlyArray<A>, from: number): Effect.Effect<void, QueueShutDown> {
    if (this.closed !== false) return shutDown
    let i = from
    while (i < items.length && this.putters.size === 0 && this.room > 0) this.push(items[i++]!)
    if (i === items.length) return Effect.void
    return Effect.zipRight(this.put(items[i]!), Effect.suspend(() => this.putFrom(items, i + 1)))
  }

  readonly offer = (item: A): Effect.Effect<void, QueueFull | QueueShutDown> =>
    Effect.suspend((): Effect.Effect<void, QueueFull | QueueShutDown> => {
      if (this.closed !== false) return shutDown
      if (this.putters.size > 0 || this.room <= 0) return Effect.fail(new QueueFull({ capacity: this.capacity }))
      this.push(item)
      return Effect.void
    })

  readonly takeUpTo = (max: number): Effect.Effect<Array<A>, QueueShutDown> =>
    Effect.suspend(() => {
      if (!(max >= 1)) return Effect.succeed([])
      if (this.takers.size === 0 && this.available > 0) {
        const items: Array<A> = []
        while (items.length < max && this.available > 0) items.push(this.pull())
        return Effect.succeed(items)
      }
      if (this.closed !== false) return shutDown
      return Effect.uninterruptibleMask((restore) =>
        this.wait(this.takers, restore, () => this.claimItems(max), this.releaseItem)
      )
    })

  readonly take: Effect.Effect<A, QueueShutDown> = Effect.suspend(() => {
    if (this.takers.size === 0 && this.available > 0) return Effect.succeed(this.pull())
    if (this.closed !== false) return shutDown
    return Effect.uninterruptibleMask((restore) =>
      this.wait(this.takers, restore, () => Effect.map(this.claimItems(1), (items) => items[0]!), this.releaseItem)
    )
  })

  readonly poll: Effect.Effect<A, QueueEmpty | QueueShutDown> = Effect.suspend((): Effect.Effect<
    A,
    QueueEmpty | QueueShutDown
  > => {
    if (this.takers.size === 0 && this.available > 0) return Effect.succeed(this.pull())
    return this.closed !== false ? shutDown : Effect.fail(new QueueEmpty())
  })

  readonly taskDone: Effect.Effect<void, TaskDoneTooManyTimes> = Effect.suspend(() => {
    if (this.unfinished <= 0) return Effect.fail(new TaskDoneTooManyTimes())
    if (--this.unfinished === 0) this.wakeJoiners()
    return Effect.void
  })

  // the count is checked inside the registration, so no yield can fall between check and wait
  readonly join: Effect.Effect<void> = Effect.async<void>((resume) => {
    if (this.unfinished === 0) return resume(Effect.void)
    const joiner: Joiner = { resume, prev: undefined, next: undefined, queued: false }
    this.joiners.push(joiner)
    return Effect.sync(() => {
      this.joiners.remove(joiner)
    })
  })

  readonly shutdown = (options?: Api.JoinableQueue.ShutdownOptions): Effect.Effect<void> =>
    Effect.sync(() => {
      if (this.closed === "immediate") return
      if (options?.immediate === true) {
        this.closed = "immediate"
        this.unfinished -= this.buffer.clear()
        this.reservedItems = 0
        if (this.unfinished === 0) this.wakeJoiners()
      } else {
        this.closed = "drain"
      }
      this.failAll(this.putters)
      // takers wait only while nothing is available; if items are still reserved for served
      // takers, a waiting one may yet get an item some served taker gives up (then the last
      // `pull` fails the rest)
      if (this.buffer.length === 0) this.failAll(this.takers)
    })

  readonly size: Effect.Effect<number> = Effect.sync(() => Math.max(0, this.available))
  readonly isEmpty: Effect.Effect<boolean> = Effect.sync(() => this.available <= 0)
  readonly isFull: Effect.Effect<boolean> = Effect.sync(() => this.room <= 0)
  readonly isShutDown: Effect.Effect<boolean> = Effect.sync(() => this.closed !== false)
  readonly unfinishedTasks: Effect.Effect<number> = Effect.sync(() => this.unfinished)
}

/** @internal */
export const make = <A>(options?: Api.JoinableQueue.Options<A>): Effect.Effect<Api.JoinableQueue<A>, InvalidOptions> =>
  Effect.suspend(() => {
    const capacity = options?.capacity ?? 0
    if (!Number.isSafeInteger(capacity) || capacity < 0) {
      return Effect.fail(
        new InvalidOptions({
          operation: "JoinableQueue.make",
          field: "capacity",
          expected: "an integer ≥ 0 (0: unbounded)",
          value: capacity
        })
      )
    }
    const kind = options?.kind ?? "fifo"
    let buffer: Buffer<A>
    if (kind === "fifo") buffer = new Fifo<A>()
    else if (kind === "lifo") buffer = new Lifo<A>()
    else if (kind === "priority" && options?.order !== undefined) {
      buffer = new Priority<A>(options.order as Order.Order<A>)
    } else {
      return Effect.fail(
        new InvalidOptions({
          operation: "JoinableQueue.make",
          field: kind === "priority" ? "order" : "kind",
          expected: kind === "priority" ? "an Order for a priority queue" : `"fifo", "lifo" or "priority"`,
          value: kind === "priority" ? options?.order : kind
        })
      )
    }
    return Effect.succeed(new JoinableQueueImpl(buffer, capacity === 0 ? Number.POSITIVE_INFINITY : capacity))
  })
