import type { PendingLimitExceeded } from "@fiberkit/sync/Errors"
import * as Handoff from "@fiberkit/sync/Handoff"
import { WaitQueue } from "@fiberkit/sync/WaitQueue"
import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { RedisLimiterUnavailable } from "../../Errors.js"
import type { Connection } from "./connection.js"
import { integer, monotonicMillis, sleepMillis } from "./connection.js"
import * as Scripts from "./leaseScripts.js"
import { Occupancy } from "./occupancy.js"
import { StaleLeases } from "./staleLease.js"
import { type PendingBound, scopeClosed } from "./steering.js"
import { Versioned } from "./versioned.js"
import { WakeAt } from "./wakeups.js"

type Restore = Handoff.Restore

/** The request id of a member of the line, `<seq>:<id>`. */
const idOf = (member: string): string => member.slice(member.indexOf(":") + 1)

/**
 * A waiter of this process, registered in Redis's line as `member`. It is granted the time from
 * which its lease is known to last `leaseTime` (the last confirmation of its registration, whose
 * expiry a lease handed to it takes over), or fails.
 */
interface LineWaiter extends Handoff.Waiter<number, RedisLimiterUnavailable | PendingLimitExceeded> {
  member: string
  /** Its rank in Redis, to register it again at its place if its registration expired. */
  rank: string
  /** When the last script that renewed its registration was sent (this process's clock, ms). */
  confirmedAt: number
  /** It left, its registration (or the lease handed to it) given back. */
  withdrawn: boolean
  /** Grants heard while its confirmation was stale, each answered by a poll (see `granted`). */
  stalePolls?: number
}

/** A lease taken: its id in Redis, and the time from which it lasts at least `leaseTime`. @internal */
export interface Taken {
  readonly member: string
  readonly takenAt: number
}

/** @internal */
export interface LineOptions {
  /** The shared limit's name, for errors. */
  readonly name: string
  readonly nextId: () => string
  readonly limit: number
  readonly leaseMillis: number
  /** The longest this process goes without asking Redis while it has waiters (≤ a third of the lease). */
  readonly pollMillis: number
  readonly agingMillis: number | undefined
  readonly bound: PendingBound
  /** Gives back a lease or a registration in the background (tried until it gets through): by member, or by id. */
  readonly giveBack: (member: string, byId: boolean) => void
  /** This process's clock: what a grant heard by message is dated on. */
  readonly clock: Clock.Clock
}

/**
 * This process's side of the fair line in Redis. A request asks Redis once (`acquire`): it takes a
 * lease, or is registered in the line — then it waits here, in `line`, until Redis hands it a
 * lease: a release (or an expiry, or a grow) in any process grants the heads of the line and
 * publishes their members, and `onMessage` wakes them at once. A slow poll (`loop`) covers what
 * pub/sub does not: it renews this process's registrations, finds leases expired with nobody to
 * notice (a holder that died), and finds grants whose message was lost.
 *
 * `maxPending` bounds this process's waiters in the line. A try is sent able to register while
 * the line is below it (always with `"dropOldest"`), and its registration is checked when its reply
 * comes: with `"dropOldest"` the oldest waiter makes room, else it is withdrawn and the request
 * refused. A try that cannot register takes a free permit, or is refused.
 *
 * An effect never starts on a lease that may have expired — one dated (from when the script that
 * took or last renewed it was sent) two thirds of the lease ago or more: its reply or its grant was
 * read after a stall of this process. A waiter granted so stays in line and the poll is sent at
 * once (it renews the lease, or puts the waiter back in its place); a lease found stale as its
 * request starts is renewed first (interruptibly, counted as waiting): it starts if the renewal,
 * dated from its sending, is still running as its reply is read; if the lease is gone the request
 * tries again — a bounded number of times.
 *
 * @internal
 */
export class LeaseLine {
  /** This process's requests waiting (from their start until they hold a lease or fail), and effects inside. */
  readonly occupancy = new Occupancy()
  private readonly line = new WaitQueue<LineWaiter>()
  private readonly byMember = new Map<string, LineWaiter>()
  /** Members granted by a message that came before the reply registering them. */
  private readonly early = new Set<string>()
  /** The ids of the first tries on their way to Redis. */
  private readonly trying = new Set<string>()
  /** The limiter's scope closed: a try's reply fails its request. */
  private closed = false
  /** Renews a stale lease before its request starts (see `confirm`). */
  private readonly staleLeases: StaleLeases
  /** The limit in force, as Redis last said. */
  readonly limit: Versioned<number>
  /** When the poll is next sent at the latest. */
  private readonly nextPoll = new WakeAt()
  private readonly leaseMicros: number

  constructor(
    private readonly connection: Connection,
    private readonly keys: ReadonlyArray<string>,
    private readonly options: LineOptions
  ) {
    this.limit = new Versioned(options.limit)
    this.leaseMicros = options.leaseMillis * 1000
    this.staleLeases = new StaleLeases(connection, keys, options)
  }

  get waiting(): number {
    return this.occupancy.waiting
  }

  /**
   * Waits for a lease, at `rank` (lower first), that has not expired yet; only the wait in the line,
   * and a renewal of a stale lease (see `confirm`), are interruptible. Its caller is inside
   * (`occupancy`) once it returns a lease, until it calls `occupancy.left()`.
   */
  acquire(rank: number, restore: Restore): Effect.Effect<Taken, RedisLimiterUnavailable | PendingLimitExceeded> {
    return this.occupancy.admit(this.attempt(rank, restore, 0))
  }

  private attempt(
    rank: number,
    restore: Restore,
    renewals: number
  ): Effect.Effect<Taken, RedisLimiterUnavailable | PendingLimitExceeded> {
    return Effect.flatMap(
      this.request(rank, restore),
      (taken) =>
        this.staleLeases.stale(taken.takenAt)
          ? this.confirm(taken.member, rank, restore, renewals)
          : Effect.succeed(taken)
    )
  }

  /**
   * A stale lease, renewed before its request starts (see `StaleLeases`): the request starts on it,
   * dated from the renewal's sending; a late reply renews it again; if Redis says it expired, the
   * request asks again — `MAX_RENEWALS` in all, then the request fails (Redis answers slower than
   * the lease lasts).
   */
  private confirm(
    member: string,
    rank: number,
    restore: Restore,
    renewals: number
  ): Effect.Effect<Taken, RedisLimiterUnavailable | PendingLimitExceeded> {
    if (this.staleLeases.exhausted(renewals)) return this.refuse(member, this.staleLeases.tooSlow())
    return Effect.flatMap(this.staleLeases.renew(member, restore), (renewal) => {
      if (renewal._tag === "Gone") return this.attempt(rank, restore, renewals + 1)
      // the limiter's scope closed meanwhile: as after a try's reply, the lease is given back
      if (this.closed) return this.refuse(member, scopeClosed(this.options.name, "acquire"))
      switch (renewal._tag) {
        case "Late":
          return this.confirm(member, rank, restore, renewals + 1)
        case "Held":
          return Effect.succeed({ member, takenAt: renewal.sentAt })
      }
    })
  }

  /** Asks Redis once (a try), then waits in the line if the try registered. */
  private request(
    rank: number,
    restore: Restore
  ): Effect.Effect<Taken, RedisLimiterUnavailable | PendingLimitExceeded> {
    return Effect.clockWith((clock) =>
      Effect.suspend(() => {
        const mayWait = this.mayWait()
        const id = this.options.nextId()
        const byArrival = this.options.agingMillis !== undefined
        this.trying.add(id)
        const sentAt = monotonicMillis(clock)
        const sent = this.limit.mark
        const args = [this.options.limit, this.leaseMicros, id, mayWait ? "1" : "0", rank, byArrival ? "1" : "0"]
        return this.connection.run("acquire", Scripts.acquire, this.keys, args).pipe(
          Effect.tapError(() =>
            Effect.sync(() => {
              this.tried(id)
              for (const member of this.early) if (idOf(member) === id) this.early.delete(member)
              this.options.giveBack(id, true) // it may have taken a lease or registered: its reply is lost
            })
          ),
          Effect.flatMap((reply) => {
            const [taken, member, limit, untilExpiry, ranked, version] = reply as [
              unknown,
              string,
              unknown,
              unknown,
              string,
              unknown
            ]
            this.tried(id)
            this.heard(limit, version, sent)
            // granted by a message heard before this reply (a resent try's reply may say it took the lease)
            const early = this.early.delete(member)
            if (this.closed) return this.refuse(member, scopeClosed(this.options.name, "acquire"))
            if (integer(taken) === 1) return Effect.succeed({ member, takenAt: sentAt })
            // the other requests waiting (this one is still counted)
            if (member === "") return Effect.fail(this.options.bound.exceeded(this.waiting - 1, false))
            if (!early && !this.options.bound.roomFor(this.line.size, (maxPending) => this.dropOldest(maxPending))) {
              return this.refuse(member, this.options.bound.exceeded(this.options.bound.maxPending!, false))
            }
            const repliedAt = monotonicMillis(clock)
            const waiter = this.register(member, ranked, sentAt, repliedAt + sleepMillis(integer(untilExpiry)), early)
            return Effect.map(waiter.wait(restore, this.hooks(waiter)), (
              takenAt
            ) => ({ member, takenAt }))
          })
        )
      })
    )
  }

  private tried(id: string): void {
    this.trying.delete(id)
  }

  /** A request whose try took a lease or registered (`member`), refused: what it took is given back. */
  private refuse<E>(member: string, error: E): Effect.Effect<never, E> {
    if (member !== "") {
      this.early.delete(member)
      this.options.giveBack(member, false)
    }
    return Effect.fail(error)
  }

  /**
   * Whether a newcomer's try may register to wait: always without `maxPending`; within it, if this
   * process's line is shorter, or with `"dropOldest"` (its reply then makes room). If not, its try
   * takes a free permit or is refused.
   */
  private mayWait(): boolean {
    const { maxPending, onFull } = this.options.bound
    return maxPending === undefined || this.line.size < maxPending || (onFull === "dropOldest" && maxPending > 0)
  }

  private dropOldest(maxPending: number): boolean {
    const oldest = this.line.first
    if (oldest === undefined) return false
    this.forget(oldest)
    oldest.settle(Exit.fail(this.options.bound.exceeded(maxPending, true)))
    this.withdraw(oldest)
    return true
  }

  /**
   * `firstExpiry`: when the first lease expires at the earliest, counted from when the reply came
   * (never early: a poll then finds it gone, and a holder, whose deadline counts from when its
   * renewal was sent, has stopped a round trip before). `early`: granted already, it goes in at once.
   */
  private register(member: string, rank: string, sentAt: number, firstExpiry: number, early: boolean): LineWaiter {
    const waiter = new Handoff.Waiter<number, RedisLimiterUnavailable | PendingLimitExceeded>(this.line) as LineWaiter
    waiter.member = member
    waiter.rank = rank
    waiter.confirmedAt = sentAt
    waiter.withdrawn = false
    if (early) {
      waiter.grant(sentAt)
      return waiter
    }
    this.line.push(waiter)
    this.byMember.set(member, waiter)
    this.nextPoll.by(Math.min(sentAt + this.options.pollMillis, firstExpiry))
    return waiter
  }

  /** An interrupted waiter's registration is withdrawn (or the lease handed to it given back). */
  private hooks(waiter: LineWaiter): Handoff.WaitHooks<number> {
    const leave = () => {
      this.byMember.delete(waiter.member)
      this.withdraw(waiter)
    }
    return { onCancel: leave, onLost: leave }
  }

  private withdraw(waiter: LineWaiter): void {
    waiter.withdrawn = true
    this.options.giveBack(waiter.member, false)
  }

  private forget(waiter: LineWaiter): void {
    this.byMember.delete(waiter.member)
    this.line.remove(waiter)
  }

  /** `member` holds a lease: its waiter, if it is this process's, goes in. */
  private granted(member: string): void {
    const waiter = this.byMember.get(member)
    if (waiter !== undefined) {
      // heard after a stall of this process, the lease may have expired: the poll renews it, or
      // puts the waiter back. Once only: over a link as slow as two thirds of `leaseTime` every
      // poll's reply is stale again (polled for ever, the permit held) — the second stale grant
      // goes in, and its start renews the lease first, a bounded number of times (`confirm`)
      if (this.staleLeases.stale(waiter.confirmedAt) && (waiter.stalePolls = (waiter.stalePolls ?? 0) + 1) <= 1) {
        return this.pollNow()
      }
      this.forget(waiter)
      waiter.grant(waiter.confirmedAt)
    } else if (this.trying.has(idOf(member))) {
      this.early.add(member)
    }
  }

  /** A message on the limiter's channel: `g <member> …` (granted) or `s <limit> <version>` (resized). */
  onMessage(message: string): void {
    if (message.startsWith("g ")) {
      for (const member of message.slice(2).split(" ")) this.granted(member)
    } else if (message.startsWith("s ")) {
      const [limit, version] = message.slice(2).split(" ")
      this.heard(limit, version)
    }
  }

  /**
   * The limit Redis told — by a message, or by the reply to a request sent at `sent` (`limit.mark`)
   * — unless older than the one in force (see `Versioned`).
   */
  heard(limit: unknown, version: unknown, sent?: number): void {
    this.limit.offer(integer(limit), version, sent)
  }

  /** Asks Redis at once (a message may have been lost). */
  readonly pollNow = (): void => this.nextPoll.by(Number.NEGATIVE_INFINITY)

  /** The background poll: while this process has waiters, a heartbeat by `nextPoll`. */
  readonly loop: Effect.Effect<never> = Effect.clockWith((clock) =>
    this.nextPoll.loop(() => this.line.size === 0, (now) => this.heartbeat(clock, now))
  )

  /**
   * Renews the registrations of this process's waiters (one script for all), and lets in those
   * that hold a lease. If Redis cannot be asked, they fail — as a try would — and their
   * registrations are given back.
   */
  private heartbeat(clock: Clock.Clock, sentAt: number): Effect.Effect<void> {
    const waiters: Array<LineWaiter> = []
    for (let node = this.line.first; node !== undefined; node = node.next as LineWaiter | undefined) waiters.push(node)
    let named = waiters
    // after NOSCRIPT, its EVAL names the waiters still waiting then: one granted (by a message) or
    // gone since may have released or withdrawn already — its script, cached, ran first
    const again = () => {
      named = named.filter((waiter) => this.byMember.get(waiter.member) === waiter)
      return this.heartbeatArgs(named)
    }
    this.nextPoll.at = sentAt + this.options.pollMillis
    const sent = this.limit.mark
    return Effect.match(this.connection.run("poll", Scripts.heartbeat, this.keys, this.heartbeatArgs(waiters), again), {
      onFailure: (error) => {
        for (const waiter of waiters) this.fail(waiter, error)
      },
      onSuccess: (reply) => {
        const [granted, limit, untilExpiry, version] = reply as [Array<string>, unknown, unknown, unknown]
        this.heard(limit, version, sent)
        // confirmed first: the script renewed every registration and every lease granted to these
        // waiters (a grant older than this poll too), so each lasts `leaseTime` from `sentAt` at least —
        // a waiter stalled past its registration is not granted a lease dated from before the stall
        for (const waiter of named) waiter.confirmedAt = Math.max(waiter.confirmedAt, sentAt)
        for (const member of granted) this.granted(member)
        // a waiter that left while this poll was on its way: its withdrawal may have run first (a
        // NOSCRIPT fallback reorders this process's scripts), and this poll registered it again —
        // so it is withdrawn once more, now that the poll has run
        for (const waiter of named) if (waiter.withdrawn) this.options.giveBack(waiter.member, false)
        // the first lease's expiry counted from the reply, as in `register`
        this.nextPoll.at = Math.min(this.nextPoll.at, monotonicMillis(clock) + sleepMillis(integer(untilExpiry)))
      }
    })
  }

  private heartbeatArgs(waiters: ReadonlyArray<LineWaiter>): Array<string | number> {
    const args: Array<string | number> = [this.options.limit, this.leaseMicros]
    for (const waiter of waiters) args.push(waiter.member, waiter.rank)
    return args
  }

  private fail(waiter: LineWaiter, error: RedisLimiterUnavailable): void {
    if (this.byMember.get(waiter.member) !== waiter) return
    this.forget(waiter)
    waiter.settle(Exit.fail(error))
    this.withdraw(waiter)
  }

  /**
   * When the limiter's scope closes: its waiters fail, their registrations given back — and so does
   * a request whose try comes back after, the lease or registration it took given back.
   */
  close(): void {
    this.closed = true
    const error = scopeClosed(this.options.name, "acquire")
    for (const waiter of [...this.byMember.values()]) this.fail(waiter, error)
  }
}
