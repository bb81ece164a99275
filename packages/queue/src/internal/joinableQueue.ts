import * as Handoff from "@fiberkit/sync/Handoff"
import type { Instrument } from "@fiberkit/sync/Telemetry"
import * as WaitQueue from "@fiberkit/sync/WaitQueue"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import { pipeArguments } from "effect/Pipeable"
import { QueueShutDown, TaskDoneTooManyTimes } from "../Errors.js"
import type * as Api from "../JoinableQueue.js"
import { invalidCount } from "./arguments.js"
import type { Buffer, Handed } from "./buffer.js"
import { dropOut, tookOut } from "./queueMetrics.js"

/**
 * A putter waiting in its line. It is granted `true` once a slot has been reserved for it,
 * settled `false` when its deadline passes first, and failed `QueueShutDown`.
 */
type Putter = Handoff.Waiter<boolean, QueueShutDown>

/**
 * A taker waiting in its line: granted the items themselves (up to `max`, taken out of the
 * buffer as it is served), settled `false` when its deadline passes first, failed `QueueShutDown`.
 */
class Taker<A> extends Handoff.Waiter<Handed<A> | false, QueueShutDown> {
  constructor(line: WaitQueue.WaitQueue<Taker<A>>, readonly max: number) {
    super(line)
  }
}

interface Joiner extends WaitQueue.Node {
  readonly resume: (effect: Effect.Effect<void>) => void
}

const shutDown = Effect.fail(new QueueShutDown())
const SHUT_DOWN: Exit.Exit<never, QueueShutDown> = Exit.fail(new QueueShutDown())
const EXPIRED: Exit.Exit<false, QueueShutDown> = Exit.succeed(false)
const NONE = Effect.succeed(Option.none())
const EMPTY: Effect.Effect<Array<never>> = Effect.sync(() => [])
const TRUE = Effect.succeed(true)
const FALSE = Effect.succeed(false)

/** @internal */
export const TypeId: Api.TypeId = Symbol.for("@fiberkit/queue/JoinableQueue") as Api.TypeId

/**
 * A buffer, a line of takers waiting for an item and a line of putters waiting for a slot.
 *
 * Hand-off of the item itself: a waiting taker is granted the items it takes (its batch), taken
 * out of the buffer as it is served, so that no other take can get them and it gets the very
 * items the queue's order gave it; until it resumes they still count against the capacity. A
 * slot that frees up for a waiting putter is reserved for it. A waiter interrupted between being
 * served and resuming gives back what it was handed: its items return to their places in the
 * order (`Buffer.restore`), its slot to the next putter. No item is lost, and no interrupted put
 * leaves an item behind.
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
  private readonly takers = new WaitQueue.WaitQueue<Taker<A>>()
  private readonly putters = new WaitQueue.WaitQueue<Putter>()
  private readonly joiners = new WaitQueue.WaitQueue<Joiner>()
  /** Items handed to served takers that have not resumed yet: out of the buffer, in the capacity. */
  private handed = 0
  /** Free slots promised to served putters that have not resumed yet. */
  private reservedSlots = 0
  private unfinished = 0
  private closed: false | "drain" | "immediate" = false

  /** @param instrument its metrics, if on: items in the queue (`buffer` + `handed`) pending, taken ones `"succeeded"`. */
  constructor(
    private readonly buffer: Buffer<A>,
    readonly capacity: number,
    private readonly instrument?: Instrument
  ) {}

  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }

  private get room(): number {
    return this.capacity - this.buffer.length - this.handed - this.reservedSlots
  }

  /** Whether a take gets an item now, without waiting: one is there and no taker waits ahead. */
  private get canTake(): boolean {
    return this.takers.size === 0 && this.buffer.length > 0
  }

  /**
   * Shut down with nothing left: a take fails. Until then a take on a shut-down queue waits even
   * if every item left was handed to a served taker — that taker may yet give its items back.
   */
  private get drained(): boolean {
    return this.closed !== false && this.buffer.length === 0 && this.handed === 0
  }

  /** Whether a put adds its item now, without waiting (the queue being open). */
  private get canPut(): boolean {
    return this.putters.size === 0 && this.room > 0
  }

  private push(item: A, serve = true): void {
    this.buffer.push(item)
    this.unfinished++
    this.instrument?.queued()
    if (serve && this.takers.size > 0) this.serveTakers()
  }

  private pull(): A {
    const item = this.buffer.shift()
    this.taken(1)
    return item
  }

  /** After `count` items left for good: room for the putters; on a queue drained for good, no more takes. */
  private taken(count: number): void {
    if (this.instrument !== undefined) tookOut(this.instrument, count)
    if (this.putters.size > 0) this.servePutters()
    if (this.drained && this.takers.size > 0) this.failAll(this.takers)
  }

  private pullUpTo(max: number): Array<A> {
    const items: Array<A> = []
    while (items.length < max && this.buffer.length > 0) items.push(this.buffer.shift())
    // after the whole batch left, not after each item
    this.taken(items.length)
    return items
  }

  /** Hands the takers at the head of their line their items (up to each one's max) and wakes them. */
  private serveTakers(): void {
    let head = this.takers.first
    while (head !== undefined && this.buffer.length > 0) {
      const batch: Handed<A> = { items: [], seqs: [] }
      while (batch.items.length < head.max && this.buffer.length > 0) this.buffer.hand(batch)
      this.handed += batch.items.length
      head.grant(batch)
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

  private failAll<T>(line: WaitQueue.WaitQueue<Handoff.Waiter<T, QueueShutDown>>): void {
    let waiter = line.first
    while (waiter !== undefined) {
      waiter.settle(SHUT_DOWN) // takes it out of the line
      waiter = line.first
    }
  }

  /**
   * Joins the line and waits (interruptibly through `restore`, in the caller's uninterruptible
   * region, which has just checked the state) until served; or, with a `duration`, `false` once
   * it has passed. What a waiter interrupted before it resumed was handed goes back through its
   * hooks.
   */
  private await<T>(
    waiter: Handoff.Waiter<T | false, QueueShutDown>,
    restore: Handoff.Restore,
    hooks: Handoff.WaitHooks<T | false>,
    duration: Duration.Duration | undefined
  ): Effect.Effect<T | false, QueueShutDown> {
    const wait = waiter.wait(restore, hooks)
    if (duration === undefined) return wait
    return Handoff.withDeadline(duration, () => waiter.settle(EXPIRED), wait)
  }

  private awaitItems(restore: Handoff.Restore, max: number, duration: Duration.Duration | undefined) {
    const taker = new Taker<A>(this.takers, max)
    this.takers.push(taker)
    return this.await(taker, restore, this.takerHooks, duration)
  }

  private awaitSlot(restore: Handoff.Restore, duration: Duration.Duration | undefined) {
    const putter: Putter = new Handoff.Waiter<boolean, QueueShutDown>(this.putters)
    this.putters.push(putter)
    return this.await(putter, restore, this.putterHooks, duration)
  }

  private readonly takerHooks: Handoff.WaitHooks<Handed<A> | false> = {
    onLost: (batch) => {
      // after an immediate shutdown the handed items were dropped with the rest
      if (batch === false || this.closed === "immediate") return
      this.handed -= batch.items.length
      for (let i = 0; i < batch.items.length; i++) this.buffer.restore(batch.items[i]!, batch.seqs[i]!)
      if (this.takers.size > 0) this.serveTakers()
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

  /** The items handed to a served taker, now its own (unless an immediate shutdown dropped them). */
  private claimItems(batch: Handed<A> | false): Effect.Effect<Array<A>, QueueShutDown> {
    if (this.closed === "immediate" || batch === false) return shutDown
    this.handed -= batch.items.length
    this.taken(batch.items.length)
    return Effect.succeed(batch.items)
  }

  private claimItem(batch: Handed<A> | false): Effect.Effect<A, QueueShutDown> {
    if (this.closed === "immediate" || batch === false) return shutDown
    this.handed -= batch.items.length
    this.taken(1)
    return Effect.succeed(batch.items[0]!)
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
    return Effect.flatMap(this.awaitItems(restore, 1, undefined), (batch) => this.claimItem(batch))
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
            this.awaitItems(restore, 1, duration),
            (batch) => batch === false ? NONE : Effect.map(this.claimItem(batch), Option.some)
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
        return Effect.flatMap(this.awaitItems(restore, max, undefined), (batch) => this.claimItems(batch))
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
    // shut down only when no item can come any more: one handed to a served taker may yet be
    // given back, so until it is taken the answer is "empty for now", as for `take`
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
        this.awaitSlot(restore, duration),
        (served) => served ? Effect.as(this.claimSlot(item), true) : FALSE
      )
    )
  }

  readonly put = (item: A): Effect.Effect<void, QueueShutDown> =>
    Effect.suspend(() => {
      const now = this.putNow(item)
      if (now === undefined) return Effect.asVoid(this.putWaiting(item, undefined))
      return now === TRUE ? Effect.void : shutDown
    })

  // decoded before the putter joins the line: a malformed duration dies leaving no waiter behind
  readonly putFor = (input: Duration.Input, item: A): Effect.Effect<boolean, QueueShutDown> =>
    Effect.flatMap(Handoff.decodeDeadline("JoinableQueue.putFor", input), (duration) => this.putWaiting(item, duration))

  readonly putAll = (items: Iterable<A>): Effect.Effect<void, QueueShutDown> =>
    Effect.suspend(() => this.putFrom(Array.isArray(items) ? items : Array.from(items), 0))

  /** Puts `items[from…]`: as many as fit at once, then waits for room for the next one. */
  private putFrom(items: ReadonlyArray<A>, from: number): Effect.Effect<void, QueueShutDown> {
    if (this.closed !== false) return shutDown
    let i = from
    // as many as fit, counted once; a served taker resumes later (see `Handoff`): serve once the
    // batch is in, not after each item, or a waiting `takeUpTo` would get the first item alone
    const end = this.putters.size === 0 ? Math.min(items.length, from + Math.max(0, this.room)) : from
    const buffer = this.buffer
    while (i < end) buffer.push(items[i++]!)
    this.unfinished += end - from
    this.instrument?.queued(end - from)
    if (i > from && this.takers.size > 0) this.serveTakers()
    if (i === items.length) return Effect.void
    return Effect.andThen(this.put(items[i]!), Effect.suspend(() => this.putFrom(items, i + 1)))
  }

  readonly tryPut = (item: A): Effect.Effect<boolean, QueueShutDown> => Effect.suspend(() => this.putNow(item) ?? FALSE)

  // `putWaiting` answers `true` itself: no `as` step; a shutdown is `false`
  readonly offer = (item: A): Effect.Effect<boolean> =>
    Effect.suspend(() => Effect.catch(this.putWaiting(item, undefined), () => FALSE))

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
        const dropped = this.buffer.clear() + this.handed
        if (this.instrument !== undefined) dropOut(this.instrument, dropped)
        this.unfinished = Math.max(0, this.unfinished - dropped)
        this.handed = 0
        if (this.unfinished === 0) this.wakeJoiners()
      } else {
        this.closed = "drain"
      }
      this.failAll(this.putters)
      // takers wait only while the buffer is empty; if items are still handed to served takers,
      // a waiting one may yet get an item some served taker gives back (the last claim then
      // fails the rest)
      if (this.drained) this.failAll(this.takers)
    })

  readonly size: Effect.Effect<number> = Effect.sync(() => this.buffer.length)
  readonly isEmpty: Effect.Effect<boolean> = Effect.sync(() => this.buffer.length === 0)
  readonly isFull: Effect.Effect<boolean> = Effect.sync(() => this.room <= 0)
  readonly isShutDown: Effect.Effect<boolean> = Effect.sync(() => this.closed !== false)
  readonly unfinishedTasks: Effect.Effect<number> = Effect.sync(() => this.unfinished)
}
