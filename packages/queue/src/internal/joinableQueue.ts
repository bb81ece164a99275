import * as Fifo from "@fiberkit/sync/Fifo"
import * as Handoff from "@fiberkit/sync/Handoff"
import * as WaitQueue from "@fiberkit/sync/WaitQueue"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as Order from "effect/Order"
import { pipeArguments } from "effect/Pipeable"
import { InvalidOptions, QueueShutDown, TaskDoneTooManyTimes } from "../Errors.js"
import type * as Api from "../JoinableQueue.js"
import { invalidCount } from "./arguments.js"
import { type Buffer, Lifo, Priority } from "./buffer.js"

/**
 * A taker or a putter waiting in its line. It is granted `true` once an item (a slot) has been
 * reserved for it, settled `false` when its deadline passes first, and failed `QueueShutDown`.
 */
type Waiter = Handoff.Waiter<boolean, QueueShutDown>
type Line = WaitQueue.WaitQueue<Waiter>

interface Joiner extends WaitQueue.Node {
  readonly resume: (effect: Effect.Effect<void>) => void
}

const shutDown = Effect.fail(new QueueShutDown())
const SHUT_DOWN: Exit.Exit<boolean, QueueShutDown> = Exit.fail(new QueueShutDown())
const EXPIRED: Exit.Exit<boolean, QueueShutDown> = Exit.succeed(false)
const NONE = Effect.succeed(Option.none())
const EMPTY: Effect.Effect<Array<never>> = Effect.sync(() => [])
const TRUE = Effect.succeed(true)
const FALSE = Effect.succeed(false)

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
 * Check where you register: an operation that may wait decides from the queue's state in the same
 * step that joins the line (the body of its `uninterruptibleMask`). A decision taken a step
 * earlier could be stale by then — a shutdown in between would leave the waiter in a line that
 * no one serves any more.
 *
 * @internal
 */
export class JoinableQueueImpl<A> implements Api.JoinableQueue<A> {
  readonly [TypeId]: Api.TypeId = TypeId
  private readonly takers: Line = new WaitQueue.WaitQueue<Waiter>()
  private readonly putters: Line = new WaitQueue.WaitQueue<Waiter>()
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

  /** Whether a take gets an item now, without waiting: one is free and no taker waits ahead. */
  private get canTake(): boolean {
    return this.takers.size === 0 && this.available > 0
  }

  /**
   * Shut down with nothing left: a take fails. Until then a take on a shut-down queue waits even
   * if every item left is reserved for a served taker — that taker may yet give its item up.
   */
  private get drained(): boolean {
    return this.closed !== false && this.buffer.length === 0
  }

  /** Whether a put adds its item now, without waiting (the queue being open). */
  private get canPut(): boolean {
    return this.putters.size === 0 && this.room > 0
  }

  private push(item: A, serve = true): void {
    this.buffer.push(item)
    this.unfinished++
    if (serve && this.takers.size > 0) this.serveTakers()
  }

  private pull(): A {
    const item = this.buffer.shift()
    if (this.putters.size > 0) this.servePutters()
    // a shut-down queue that is now empty for good: the takers still waiting will get nothing
    if (this.drained && this.takers.size > 0) this.failAll(this.takers)
    return item
  }

  private pullUpTo(max: number): Array<A> {
    const items: Array<A> = []
    while (items.length < max && this.available > 0) items.push(this.pull())
    return items
  }

  /** Reserves buffered items for the takers at the head of their line and wakes them. */
  private serveTakers(): void {
    let head = this.takers.first
    while (head !== undefined && this.available > 0) {
      this.reservedItems++
      head.grant(true)
      head = this.takers.first
    }
  }

  /** Reserves free slots for the putters at the head of their line and wakes them. */
  private servePutters(): void {
    let head = this.putters.first
    while (head !== undefined && this.room > 0) {
      this.reservedSlots++
      head.grant(true)
      head = this.putters.first
    }
  }

  private wakeJoiners(): void {
    for (const joiner of this.joiners.drain()) joiner.resume(Effect.void)
  }

  private failAll(line: Line): void {
    let waiter = line.first
    while (waiter !== undefined) {
      waiter.settle(SHUT_DOWN) // takes it out of the line
      waiter = line.first
    }
  }

  /**
   * Joins `line` and waits (interruptibly through `restore`, in the caller's uninterruptible
   * region, which has just checked the state) until served: `true`; or, with a `duration`,
   * `false` once it has passed. A reservation handed to a waiter interrupted before it resumed
   * goes on through `hooks`.
   */
  private await(
    line: Line,
    restore: Handoff.Restore,
    hooks: Handoff.WaitHooks<boolean>,
    duration: Duration.Duration | undefined
  ): Effect.Effect<boolean, QueueShutDown> {
    const waiter: Waiter = new Handoff.Waiter<boolean, QueueShutDown>(line)
    line.push(waiter)
    const wait = waiter.wait(restore, hooks)
    if (duration === undefined) return wait
    return Handoff.withDeadline(duration, () => waiter.settle(EXPIRED), wait)
  }

  private readonly takerHooks: Handoff.WaitHooks<boolean> = {
    onLost: (granted) => {
      if (granted && this.closed !== "immediate") {
        this.reservedItems--
        if (this.takers.size > 0) this.serveTakers()
      }
    }
  }

  private readonly putterHooks: Handoff.WaitHooks<boolean> = {
    onLost: (granted) => {
      if (granted) {
        this.reservedSlots--
        if (this.putters.size > 0) this.servePutters()
      }
    }
  }

  /** Takes out the reserved item of a served taker, and up to `max - 1` more if no one else waits. */
  private claimItems(max: number): Effect.Effect<Array<A>, QueueShutDown> {
    if (this.closed === "immediate") return shutDown
    this.reservedItems--
    const items = [this.pull()]
    while (items.length < max && this.available > 0 && this.takers.size === 0) items.push(this.pull())
    return Effect.succeed(items)
  }

  private claimItem(): Effect.Effect<A, QueueShutDown> {
    if (this.closed === "immediate") return shutDown
    this.reservedItems--
    return Effect.succeed(this.pull())
  }

  /** Puts the item of a served putter into its reserved slot. */
  private claimSlot(item: A): Effect.Effect<void, QueueShutDown> {
    this.reservedSlots--
    if (this.closed !== false) return shutDown
    this.push(item)
    return Effect.void
  }

  private readonly takeWaiting: Effect.Effect<A, QueueShutDown> = Effect.uninterruptibleMask((restore) => {
    if (this.canTake) return Effect.succeed(this.pull())
    if (this.drained) return shutDown
    return Effect.flatMap(this.await(this.takers, restore, this.takerHooks, undefined), () => this.claimItem())
  })

  readonly take: Effect.Effect<A, QueueShutDown> = Effect.suspend(() =>
    this.canTake ? Effect.succeed(this.pull()) : this.takeWaiting
  )

  readonly takeFor = (input: Duration.Input): Effect.Effect<Option.Option<A>, QueueShutDown> => {
    // decoded before the taker joins the line: a malformed duration dies leaving no waiter behind
    return Effect.flatMap(
      Handoff.decodeDeadline("JoinableQueue.takeFor", input),
      (duration) =>
        this.canTake ? Effect.succeed(Option.some(this.pull())) : Effect.uninterruptibleMask((restore) => {
          if (this.canTake) return Effect.succeed(Option.some(this.pull()))
          if (this.drained) return shutDown
          return Effect.flatMap(
            this.await(this.takers, restore, this.takerHooks, duration),
            (served) => served ? Effect.map(this.claimItem(), Option.some) : NONE
          )
        })
    )
  }

  readonly takeBatch = (max: number): Effect.Effect<Array<A>, QueueShutDown> => {
    const invalid = invalidCount("JoinableQueue.takeBatch", "max", max)
    if (invalid !== undefined) return Effect.die(invalid)
    return Effect.suspend(() => {
      if (this.canTake) return Effect.succeed(this.pullUpTo(max))
      return Effect.uninterruptibleMask((restore) => {
        if (this.canTake) return Effect.succeed(this.pullUpTo(max))
        if (this.drained) return shutDown
        return Effect.flatMap(this.await(this.takers, restore, this.takerHooks, undefined), () => this.claimItems(max))
      })
    })
  }

  readonly takeUpTo = (max: number): Effect.Effect<Array<A>> => {
    const invalid = invalidCount("JoinableQueue.takeUpTo", "max", max)
    if (invalid !== undefined) return Effect.die(invalid)
    return Effect.suspend(() => this.canTake ? Effect.succeed(this.pullUpTo(max)) : EMPTY)
  }

  readonly tryTake: Effect.Effect<Option.Option<A>, QueueShutDown> = Effect.suspend(() => {
    if (this.canTake) return Effect.succeed(Option.some(this.pull()))
    // shut down only when no item can come any more: one still reserved for a served taker may
    // yet be given back, so until it is taken the answer is "empty for now", as for `take`
    return this.drained ? shutDown : NONE
  })

  readonly poll: Effect.Effect<Option.Option<A>> = Effect.suspend(() =>
    this.canTake ? Effect.succeed(Option.some(this.pull())) : NONE
  )

  /** A put that need not wait: fails on a shut-down queue, or adds the item now; else `undefined`. */
  private putNow(item: A): Effect.Effect<boolean, QueueShutDown> | undefined {
    if (this.closed !== false) return shutDown
    if (!this.canPut) return undefined
    this.push(item)
    return TRUE
  }

  /** Adds the item, waiting for room (at most `duration`): `true`, or `false` once it passed. */
  private putWaiting(item: A, duration: Duration.Duration | undefined): Effect.Effect<boolean, QueueShutDown> {
    return this.putNow(item) ?? Effect.uninterruptibleMask((restore) =>
      this.putNow(item) ?? Effect.flatMap(
        this.await(this.putters, restore, this.putterHooks, duration),
        (served) => served ? Effect.as(this.claimSlot(item), true) : FALSE
      )
    )
  }

  // its `true` is dropped by the type only: no extra step on the hot path
  readonly put = (item: A): Effect.Effect<void, QueueShutDown> => Effect.suspend(() => this.putWaiting(item, undefined))

  // decoded before the putter joins the line: a malformed duration dies leaving no waiter behind
  readonly putFor = (input: Duration.Input, item: A): Effect.Effect<boolean, QueueShutDown> =>
    Effect.flatMap(Handoff.decodeDeadline("JoinableQueue.putFor", input), (duration) => this.putWaiting(item, duration))

  readonly putAll = (items: Iterable<A>): Effect.Effect<void, QueueShutDown> =>
    Effect.suspend(() => this.putFrom(Array.isArray(items) ? items : Array.from(items), 0))

  /** Puts `items[from…]`: as many as fit at once, then waits for room for the next one. */
  private putFrom(items: ReadonlyArray<A>, from: number): Effect.Effect<void, QueueShutDown> {
    if (this.closed !== false) return shutDown
    let i = from
    // a served taker resumes inline (Effect 4): serve once the batch is in, not after each item,
    // or a waiting `takeUpTo` would get the first item of the batch alone
    while (i < items.length && this.canPut) this.push(items[i++]!, false)
    if (i > from && this.takers.size > 0) this.serveTakers()
    if (i === items.length) return Effect.void
    return Effect.andThen(this.put(items[i]!), Effect.suspend(() => this.putFrom(items, i + 1)))
  }

  readonly tryPut = (item: A): Effect.Effect<boolean, QueueShutDown> => Effect.suspend(() => this.putNow(item) ?? FALSE)

  readonly offer = (item: A): Effect.Effect<boolean> => Effect.catch(Effect.as(this.put(item), true), () => FALSE)

  readonly taskDone: Effect.Effect<void, TaskDoneTooManyTimes> = Effect.suspend(() => {
    if (this.unfinished <= 0) return Effect.fail(new TaskDoneTooManyTimes())
    if (--this.unfinished === 0) this.wakeJoiners()
    return Effect.void
  })

  // the count is checked inside the registration, so no yield can fall between check and wait
  readonly join: Effect.Effect<void> = Effect.callback<void>((resume) => {
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
        // dropped items count as done; early taskDones may have counted some already (Python:
        // `if self.unfinished_tasks > 0`), so the count stops at 0
        this.unfinished = Math.max(0, this.unfinished - this.buffer.clear())
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
    if (kind === "fifo") buffer = new Fifo.Fifo<A>()
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
