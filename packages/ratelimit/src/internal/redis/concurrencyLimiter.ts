import type { PendingLimitExceeded } from "@fiberkit/sync/Errors"
import * as Priority from "@fiberkit/sync/Priority"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { InvalidOptions, RedisLimiterUnavailable } from "../../Errors.js"
import type * as Api from "../../RedisConcurrencyLimiter.js"
import { recording } from "../recording.js"
import { connect, integer, monotonicMillis } from "./connection.js"
import { LeaseLine } from "./leaseLine.js"
import * as Scripts from "./leaseScripts.js"
import { idSource } from "./rateLimiter.js"
import { pendingBound } from "./steering.js"
import { subscribe } from "./wakeups.js"

type Restore = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

const milliseconds = (input: Duration.Input): number => {
  const decoded = Duration.fromInput(input)
  return decoded._tag === "Some" ? Duration.toMillis(decoded.value) : Number.NaN
}

/**
 * How long after its `failures + 1`-th failure in a row a holder's renewal is tried again (ms): 10,
 * then twice as long each time, at most a sixth of the lease — so a Redis away for less than the
 * lease is found back in time, without a retry storm while it is away.
 */
const retryDelay = (failures: number, leaseMillis: number): number =>
  Math.min(10 * 2 ** Math.min(failures, 20), leaseMillis / 6)

const isCount = (n: unknown, least: number): n is number => Number.isSafeInteger(n) && (n as number) >= least

/** @internal */
export const make = (
  options: Api.Options
): Effect.Effect<
  Api.DistributedConcurrencyLimiter<PendingLimitExceeded>,
  InvalidOptions | RedisLimiterUnavailable,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const operation = "RedisConcurrencyLimiter.make"
    const invalid = (field: string, expected: string, value: unknown) =>
      new InvalidOptions({ operation, field, expected, value })
    const permits = options.concurrency
    if (!isCount(permits, 1)) return yield* invalid("concurrency", "an integer ≥ 1", permits)
    const leaseMillis = milliseconds(options.leaseTime ?? "10 seconds")
    if (!Number.isSafeInteger(leaseMillis) || leaseMillis < 30) {
      return yield* invalid("leaseTime", "a whole number of milliseconds ≥ 30", options.leaseTime)
    }
    const pollMillis = options.pollInterval === undefined
      ? Math.floor(leaseMillis / 3)
      : milliseconds(options.pollInterval)
    if (!(pollMillis >= 1 && pollMillis <= leaseMillis / 3)) {
      return yield* invalid(
        "pollInterval",
        "a duration from 1 millisecond to a third of leaseTime",
        options.pollInterval
      )
    }
    const { agingMillis, bound } = yield* pendingBound("RedisConcurrencyLimiter", options)
    const { connection, prefix } = yield* connect(operation, options.name, options)
    const recorded = yield* recording("RedisConcurrencyLimiter", options.name)
    const base = `${prefix}:${options.name}:leases`
    const channel = connection.channel(base)
    const keys = [base, `${base}:line`, `${base}:waiters`, `${base}:seq`, `${base}:settings`, `${base}:ids`, channel]
    const leaseMicros = leaseMillis * 1000
    const nextId = idSource()
    const context = yield* Effect.context<never>()
    const clock = yield* Effect.clockWith(Effect.succeed)

    /**
     * Gives a lease or a registration back in a fiber of its own, tried again every 50 ms — the
     * connection may be coming back — until it gets through or the lease would have expired anyway.
     */
    const giveBack = (member: string, byId: boolean) => {
      // held from now: a connection this limiter opened stays open, after its scope closed, until it is done
      const done = connection.hold()
      Effect.runForkWith(context)(Effect.ensuring(
        Effect.ignore(
          Effect.retry(
            connection.run("release", Scripts.leave, keys, [permits, leaseMicros, member, byId ? "1" : "0"]),
            {
              schedule: Schedule.spaced(Duration.millis(50)),
              times: Math.ceil(leaseMillis / 50),
              // a connection closed for good (the caller's, closed by them) will not come back: nothing to wait for
              while: () => connection.client.status !== "end"
            }
          )
        ),
        Effect.sync(done)
      ))
    }

    const line = new LeaseLine(connection, keys, {
      name: options.name,
      nextId,
      limit: permits,
      leaseMillis,
      pollMillis,
      agingMillis,
      bound,
      giveBack,
      clock
    })
    // the limit in force, `concurrency` then each one Redis tells (a resize by any process)
    if (recorded !== undefined) line.limit.follow((limit) => recorded.heard(limit))
    yield* subscribe(
      connection.client,
      channel,
      connection.timeoutMillis,
      (message) => line.onMessage(message),
      line.pollNow
    )
    yield* Effect.forkScoped(line.loop)
    yield* Effect.addFinalizer(() => Effect.sync(() => line.close()))

    /** The holder's lease released as its effect ends; if Redis cannot be asked now, given back in the background. */
    const release = (member: string) =>
      Effect.catch(
        connection.run("release", Scripts.leave, keys, [permits, leaseMicros, member, "0"]),
        () => Effect.sync(() => giveBack(member, false))
      )

    /**
     * Renews the lease when a third of it has passed since it was last confirmed, while its holder
     * runs. It fails — and the holder is interrupted — when Redis says the lease is gone, or when no
     * renewal got through before the lease, as last confirmed, expired: the permit may be someone
     * else's by then. A failed renewal is tried again soon (`retryDelay`), until the lease expires.
     */
    const keepRenewed = (member: string, takenAt: number): Effect.Effect<never, RedisLimiterUnavailable> =>
      Effect.clockWith((clock) =>
        Effect.gen(function*() {
          let confirmedUntil = takenAt + leaseMillis
          let nextAt = takenAt + leaseMillis / 3
          let failures = 0
          for (;;) {
            yield* Effect.sleep(Duration.millis(Math.max(0, Math.ceil(nextAt - monotonicMillis(clock)))))
            const sentAt = monotonicMillis(clock)
            if (sentAt >= confirmedUntil) return yield* lost("no renewal got through before the lease expired")
            // no reply by the time the lease, as last confirmed, expires: the permit may be another
            // holder's from then on, so the holder stops then, not a whole command timeout later
            const renew = Effect.timeoutOrElse(
              connection.run("renew", Scripts.renew, keys, [permits, leaseMicros, member]),
              {
                duration: Duration.millis(confirmedUntil - sentAt),
                orElse: () => Effect.fail(lost("no renewal got through before the lease expired"))
              }
            )
            const renewed = yield* Effect.result(renew)
            if (renewed._tag === "Success" && integer(renewed.success) === 1) {
              confirmedUntil = sentAt + leaseMillis
              nextAt = sentAt + leaseMillis / 3
              failures = 0
            } else if (renewed._tag === "Success") {
              return yield* lost("the lease expired before it was renewed")
            } else if (monotonicMillis(clock) >= confirmedUntil) {
              return yield* renewed.failure
            } else {
              // Redis may be back in a moment: tried again soon, never later than the lease's expiry
              nextAt = Math.min(monotonicMillis(clock) + retryDelay(failures++, leaseMillis), confirmedUntil)
            }
          }
        })
      )
    const lost = (why: string) =>
      new RedisLimiterUnavailable({
        limiter: options.name,
        operation: "renew",
        cause: new Error(`${why}: its permit may be another holder's`)
      })

    const inside = <A, E, R>(
      effect: Effect.Effect<A, E, R>,
      rank: number,
      restore: Restore,
      started: Effect.Effect<void>
    ) =>
      Effect.gen(function*() {
        // inside (`line.occupancy`) from the step its request stops waiting
        const { member, takenAt } = yield* line.acquire(rank, restore)
        yield* started
        return yield* Effect.ensuring(
          restore(Effect.raceFirst(effect, keepRenewed(member, takenAt))),
          Effect.andThen(release(member), Effect.sync(() => line.occupancy.left()))
        )
      })

    // the rank without the arrival: with aging, the acquire script adds the arrival on Redis's clock
    const ranking = new Priority.Ranking("RedisConcurrencyLimiter.withPriority", agingMillis)
    const run = <A, E, R>(effect: Effect.Effect<A, E, R>, priority: number) =>
      ranking.withRelativeRank(priority, (rank) =>
        Effect.uninterruptibleMask((restore) =>
          // from its try to its release, the request holds the connection (its scope may close meanwhile)
          connection.holding(
            recorded === undefined
              ? inside(effect, rank, restore, Effect.void)
              : recorded.track((started) => inside(effect, rank, restore, started))
          )
        ))

    const limiter = Object.assign(<A, E, R>(effect: Effect.Effect<A, E, R>) => run(effect, 0), {
      inside: Effect.suspend(() => {
        const sent = line.limit.mark
        return Effect.map(connection.run("read", Scripts.count, keys, [permits, leaseMicros]), (reply) => {
          const [count, limit, version] = reply as [unknown, unknown, unknown]
          line.heard(limit, version, sent)
          return integer(count)
        })
      }),
      waiting: Effect.sync(() => line.waiting),
      withPriority: (priority: number) => <A, E, R>(effect: Effect.Effect<A, E, R>) => run(effect, priority),
      resize: (concurrency: number) =>
        isCount(concurrency, 1)
          ? Effect.suspend(() => {
            const sent = line.limit.mark
            return Effect.map(
              connection.run("resize", Scripts.resize, keys, [permits, leaseMicros, concurrency]),
              (reply) => {
                const [limit, version] = reply as [unknown, unknown]
                line.heard(limit, version, sent)
              }
            )
          })
          : Effect.fail(
            new InvalidOptions({
              operation: "RedisConcurrencyLimiter.resize",
              field: "concurrency",
              expected: "an integer ≥ 1",
              value: concurrency
            })
          ),
      awaitIdle: line.occupancy.awaitIdle,
      awaitSizeBelow: (size: number) => line.occupancy.awaitSizeBelow(size)
    })
    // the limit a resize stored wins over `concurrency` (every script reads it): `concurrency` shows
    // it once this read answers, in the background (`make` does not need Redis to answer)
    yield* Effect.forkScoped(Effect.ignore(limiter.inside))
    return Object.defineProperty(limiter, "concurrency", { get: () => line.limit.value, enumerable: true }) as
      & typeof limiter
      & { readonly concurrency: number }
  })
