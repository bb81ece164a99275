import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import { InvalidOptions, RedisLimiterUnavailable } from "../../Errors.js"
import type * as Api from "../../RedisConcurrencyLimiter.js"
import { recording } from "../recording.js"
import { connect, sleepMillis } from "./connection.js"
import { idSource } from "./rateLimiter.js"
import * as Scripts from "./scripts.js"

type Restore = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

/** A waiter's first wait between tries; each next one is twice as long, up to `pollInterval`. */
const FIRST_POLL_MILLIS = 5

const milliseconds = (input: Duration.Input): number => {
  const decoded = Duration.fromInput(input)
  return decoded._tag === "Some" ? Duration.toMillis(decoded.value) : Number.NaN
}

/** @internal */
export const make = (
  options: Api.Options
): Effect.Effect<Api.DistributedConcurrencyLimiter, InvalidOptions | RedisLimiterUnavailable, Scope.Scope> =>
  Effect.gen(function*() {
    const operation = "RedisConcurrencyLimiter.make"
    const invalid = (field: string, expected: string, value: unknown) =>
      new InvalidOptions({ operation, field, expected, value })
    const permits = options.concurrency
    if (!Number.isSafeInteger(permits) || permits < 1) {
      return yield* invalid("concurrency", "an integer ≥ 1", permits)
    }
    const leaseMillis = milliseconds(options.leaseTime ?? "10 seconds")
    if (!Number.isSafeInteger(leaseMillis) || leaseMillis < 30) {
      return yield* invalid("leaseTime", "a whole number of milliseconds ≥ 30", options.leaseTime)
    }
    const pollMillis = milliseconds(options.pollInterval ?? "100 millis")
    if (!(pollMillis >= 1)) return yield* invalid("pollInterval", "a duration ≥ 1 millisecond", options.pollInterval)
    const { connection, prefix } = yield* connect(operation, options.name, options)
    const recorded = yield* recording("RedisConcurrencyLimiter", options.name)
    const keys = [`${prefix}:${options.name}:leases`]
    const leaseMicros = leaseMillis * 1000
    const nextId = idSource()
    let waiting = 0

    const release = (id: string) => Effect.ignore(connection.run("release", Scripts.releaseLease, keys, [id]))

    /**
     * A try that failed may have taken the lease (its reply lost with the connection): it is given
     * back, tried again every 50 ms in a fiber of its own — the connection may be coming back —
     * until it gets through or the lease would have expired anyway.
     */
    const giveBack = (id: string) =>
      Effect.forkDetach(
        Effect.ignore(
          Effect.retry(connection.run("release", Scripts.releaseLease, keys, [id]), {
            schedule: Schedule.spaced(Duration.millis(50)),
            times: Math.ceil(leaseMillis / 50),
            // a connection closed for good (its scope ended) will not come back: nothing to wait for
            while: () => connection.client.status !== "end"
          })
        )
      )

    /**
     * Takes a lease, trying again after a wait that doubles from 5 ms up to `pollInterval` (with
     * jitter, so waiters of many processes do not try in step), and never past the moment the
     * first lease expires. Only the waits can be interrupted: a try is one script whose answer is
     * always read. A try that failed may have taken the lease: it is given back (see `giveBack`).
     * Succeeds with the time the winning try was sent: the lease lasts at least until then + lease.
     */
    const acquire = (id: string, restore: Restore): Effect.Effect<number, RedisLimiterUnavailable> => {
      let delay = FIRST_POLL_MILLIS
      const attempt: Effect.Effect<number, RedisLimiterUnavailable> = Effect.flatMap(
        Effect.zip(
          Clock.currentTimeMillis,
          connection.run("acquire", Scripts.acquireLease, keys, [permits, leaseMicros, id]).pipe(
            Effect.tapError(() => giveBack(id))
          )
        ),
        ([sentAt, reply]) => {
          const [taken, untilExpiry] = reply as [number, number]
          if (taken === 1) return Effect.succeed(sentAt)
          const jittered = Math.ceil(delay * (0.5 + Math.random() / 2))
          delay = Math.min(delay * 2, pollMillis)
          const wait = Math.min(jittered, sleepMillis(untilExpiry))
          return Effect.andThen(restore(Effect.sleep(Duration.millis(wait))), attempt)
        }
      )
      return Effect.suspend(() => {
        waiting++
        return Effect.ensuring(attempt, Effect.sync(() => waiting--))
      })
    }

    /**
     * Renews the lease every third of the lease time, while its holder runs. It fails — and the
     * holder is interrupted — when Redis says the lease is gone, or when no renewal got through
     * before the lease, as last confirmed, expired: the permit may be someone else's by then. A
     * failed renewal is tried again at the next tick.
     */
    const keepRenewed = (id: string, takenAt: number): Effect.Effect<never, RedisLimiterUnavailable> =>
      Effect.gen(function*() {
        let confirmedUntil = takenAt + leaseMillis
        for (;;) {
          yield* Effect.sleep(Duration.millis(Math.max(1, Math.floor(leaseMillis / 3))))
          const sentAt = yield* Clock.currentTimeMillis
          // no reply by the time the lease, as last confirmed, expires: the permit may be another
          // holder's from then on, so the holder stops then, not a whole command timeout later
          const renew = Effect.timeoutOrElse(connection.run("renew", Scripts.renewLease, keys, [leaseMicros, id]), {
            duration: Duration.millis(Math.max(0, confirmedUntil - sentAt)),
            orElse: () =>
              Effect.fail(
                new RedisLimiterUnavailable({
                  limiter: options.name,
                  operation: "renew",
                  cause: new Error(
                    "no renewal got through before the lease expired: its permit may be another holder's"
                  )
                })
              )
          })
          const renewed = yield* Effect.result(renew)
          if (renewed._tag === "Success" && renewed.success === 1) {
            confirmedUntil = sentAt + leaseMillis
          } else if (renewed._tag === "Success") {
            return yield* new RedisLimiterUnavailable({
              limiter: options.name,
              operation: "renew",
              cause: new Error("the lease expired before it was renewed: its permit may be another holder's")
            })
          } else if ((yield* Clock.currentTimeMillis) >= confirmedUntil) {
            return yield* renewed.failure
          }
        }
      })

    const inside = <A, E, R>(effect: Effect.Effect<A, E, R>, restore: Restore, started: Effect.Effect<void>) =>
      Effect.gen(function*() {
        const id = nextId()
        const takenAt = yield* acquire(id, restore)
        yield* started
        return yield* Effect.ensuring(
          restore(Effect.raceFirst(effect, keepRenewed(id, takenAt))),
          release(id)
        )
      })

    const limiter: Api.DistributedConcurrencyLimiter = Object.assign(
      <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        Effect.uninterruptibleMask((restore) =>
          recorded === undefined
            ? inside(effect, restore, Effect.void)
            : recorded.track((started) => inside(effect, restore, started))
        ),
      {
        concurrency: permits,
        inside: Effect.map(connection.run("read", Scripts.countLeases, keys, []), (count) => count as number),
        waiting: Effect.sync(() => waiting)
      }
    )
    return limiter
  })
