import type { PendingLimitExceeded } from "@fiberkit/sync/Errors"
import * as Handoff from "@fiberkit/sync/Handoff"
import { WaitQueue } from "@fiberkit/sync/WaitQueue"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { RedisLimiterUnavailable } from "../../Errors.js"
import { monotonicMillis, sleepMillis } from "./connection.js"
import { type PendingBound, scopeClosed } from "./steering.js"
import { WakeAt } from "./wakeups.js"

type Restore = Handoff.Restore

/** A request of this process waiting for its start. */
interface Ticket extends Handoff.Waiter<void, RedisLimiterUnavailable | PendingLimitExceeded> {
  cost: number
  /** Its place: lower ranks first (`-priority`), equal ranks in order of arrival (`seq`). */
  rank: number
  seq: number
}

/** What a take answers: how many of the costs asked started (in order), and µs until the next may. @internal */
export interface Started {
  readonly started: number
  readonly wait: number
}

/** The most requests one take asks for. */
const MOST_PER_TAKE = 1_000

/**
 * The longest the head sleeps before it asks Redis again, however long Redis said it must wait: a
 * resize whose message was lost (pub/sub delivers at most once) is found within this.
 */
export const RECHECK_MILLIS = 5_000

/** When the head asks Redis again, after a take sent at `sentAt` (ms) was told to wait `wait` µs. */
const askAgainAt = (sentAt: number, wait: number): number => sentAt + Math.min(sleepMillis(wait), RECHECK_MILLIS)

/**
 * This process's line of requests for a rate limiter on Redis. A request that finds nobody of this
 * process waiting asks Redis at once; if it must wait, it joins `line`, ranked by priority, then
 * arrival. One fiber (`loop`) serves the line: it asks Redis to start the requests at its head — as
 * many in one script as the capacity could allow, and Redis starts the longest prefix it allows —
 * then sleeps as long as Redis says the next one must wait, or until `reconsider` rings (a resize,
 * or a cheaper request now at the head). So within a process requests start in order of priority,
 * then arrival; across processes, each process's head competes, and the first script to run when
 * there is room wins.
 *
 * @internal
 */
export class RateLine {
  private readonly line = new WaitQueue<Ticket>()
  private arrivals = 0
  /** Requests asking Redis before they joined the line. */
  private trying = 0
  /** Starts granted to this process's requests. */
  granted = 0
  /**
   * Not before this time (ms, this process's monotonic clock) can `blocked`, the head, start, as
   * Redis last said — or, for a long wait, when it asks again (`RECHECK_MILLIS`).
   */
  private readonly notBefore = new WakeAt()
  private blocked: Ticket | undefined = undefined
  /**
   * How many times the head's start was decided outside a take (`reconsider`, or a first ticket's
   * own try): a take's reply read after one of these is older, and sets neither `notBefore` nor `blocked`.
   */
  private decisions = 0
  private closed = false

  constructor(
    /**
     * Asks Redis to start `costs` in order; `first`: a request's first try, which Redis refuses (a
     * defect) if its cost is above the most that the numbers in force allow at once.
     */
    private readonly take: (
      costs: ReadonlyArray<number>,
      first: boolean
    ) => Effect.Effect<Started, RedisLimiterUnavailable>,
    /** The most cost that can ever start at once (the limit, or the burst). */
    private readonly capacity: () => number,
    private readonly bound: PendingBound,
    private readonly name: string
  ) {}

  get waiting(): number {
    return this.line.size + this.trying
  }

  /** Waits for a start of `cost` at `rank`; only the wait in the line is interruptible. */
  acquire(
    cost: number,
    rank: number,
    restore: Restore
  ): Effect.Effect<void, RedisLimiterUnavailable | PendingLimitExceeded> {
    return Effect.clockWith((clock) =>
      Effect.suspend(() => {
        const seq = this.arrivals++
        if (this.line.size > 0) return this.enqueue(cost, rank, seq, restore)
        this.trying++
        const sentAt = monotonicMillis(clock)
        return this.take([cost], true).pipe(
          Effect.onExit(() => Effect.sync(() => this.trying--)),
          Effect.flatMap(({ started, wait }) => {
            if (started === 1) {
              this.granted++
              return Effect.void
            }
            return this.enqueue(cost, rank, seq, restore, askAgainAt(sentAt, wait))
          })
        )
      })
    )
  }

  private enqueue(
    cost: number,
    rank: number,
    seq: number,
    restore: Restore,
    notBefore = 0
  ): Effect.Effect<void, RedisLimiterUnavailable | PendingLimitExceeded> {
    // the scope closed while its try was on its way: it fails, as the line's requests did
    if (this.closed) return Effect.fail(scopeClosed(this.name, "take"))
    if (!this.bound.roomFor(this.line.size, (maxPending) => this.dropOldest(maxPending))) {
      return Effect.fail(this.bound.exceeded(this.bound.maxPending!, false))
    }
    const ticket = new Handoff.Waiter<void, RedisLimiterUnavailable | PendingLimitExceeded>(this.line) as Ticket
    ticket.cost = cost
    ticket.rank = rank
    ticket.seq = seq
    const head = this.line.first
    this.line.insertBefore(ticket, this.firstAfter(rank, seq))
    if (head === undefined) {
      // the first in line: its own try said when it may start
      this.decisions++
      this.notBefore.at = notBefore
      this.blocked = ticket
      this.notBefore.ring()
    } else if (this.line.first === ticket && cost < head.cost) {
      this.reconsider() // a new head that costs less may start before the old one could
    }
    return ticket.wait(restore, {
      onCancel: () => {
        if (this.blocked === ticket) this.reconsider()
      }
    })
  }

  /** The first ticket from the tail ranked after `rank`, `seq` (none: join at the end). */
  private firstAfter(rank: number, seq: number): Ticket | undefined {
    let after: Ticket | undefined = undefined
    let node = this.line.last
    while (node !== undefined && (node.rank > rank || (node.rank === rank && node.seq > seq))) {
      after = node
      node = node.prev as Ticket | undefined
    }
    return after
  }

  private dropOldest(maxPending: number): boolean {
    let oldest = this.line.first
    for (let node = oldest; node !== undefined; node = node.next as Ticket | undefined) {
      if (node.seq < oldest!.seq) oldest = node
    }
    if (oldest === undefined || !oldest.settle(Exit.fail(this.bound.exceeded(maxPending, true)))) return false
    // the head waiting for its time left: the next one's start is asked for at once
    if (this.blocked === oldest) this.reconsider()
    return true
  }

  /** The head computes its start again now (the numbers changed, or the head did). */
  readonly reconsider = (): void => {
    this.decisions++
    this.notBefore.at = 0
    this.blocked = undefined
    this.notBefore.ring()
  }

  /** Serves the line while it is not empty: a take for its head, then a sleep for as long as Redis said. */
  readonly loop: Effect.Effect<never> = this.notBefore.loop(() => this.line.size === 0, (now) => this.serve(now))

  private serve(sentAt: number): Effect.Effect<void> {
    const batch: Array<Ticket> = []
    let total = 0
    const capacity = this.capacity()
    const decisions = this.decisions
    for (let node = this.line.first; node !== undefined; node = node.next as Ticket | undefined) {
      if (batch.length > 0 && (total + node.cost > capacity || batch.length === MOST_PER_TAKE)) break
      batch.push(node)
      total += node.cost
    }
    return Effect.match(this.take(batch.map((ticket) => ticket.cost), false), {
      onFailure: (error) => this.failAll(error),
      onSuccess: ({ started, wait }) => {
        // a ticket interrupted while the take was on its way does not start: Redis counted it (room to spare)
        for (let i = 0; i < started; i++) if (batch[i]!.grant(undefined)) this.granted++
        // a head decided again while the take was on its way (a cheaper head, a resize) wins: it is
        // asked for at once; so is a head that is not the one the reply is about (it left meanwhile:
        // interrupted, dropped for a newer request)
        if (started < batch.length && this.decisions === decisions) {
          if (batch[started] === this.line.first) {
            this.notBefore.at = askAgainAt(sentAt, wait)
            this.blocked = batch[started]
          } else {
            this.reconsider()
          }
        }
      }
    })
  }

  /** Redis could not be asked: every request waiting fails, as its own try would have. */
  private failAll(error: RedisLimiterUnavailable): void {
    for (const ticket of this.line.drain()) ticket.settle(Exit.fail(error))
  }

  /**
   * When the limiter's scope closes: its waiting requests fail, and so does a request whose first
   * try comes back after, unless it started.
   */
  close(): void {
    this.closed = true
    this.failAll(scopeClosed(this.name, "take"))
  }
}
