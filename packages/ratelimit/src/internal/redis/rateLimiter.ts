import * as Durations from "@fiberkit/sync/Durations"
import type { PendingLimitExceeded } from "@fiberkit/sync/Errors"
import * as Priority from "@fiberkit/sync/Priority"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import { InvalidOptions, type RedisLimiterUnavailable } from "../../Errors.js"
import type * as RateLimiter from "../../RateLimiter.js"
import type * as Api from "../../RedisRateLimiter.js"
import { checkCost, resolve } from "../rateLimiter.js"
import { recording } from "../recording.js"
import { connect, integer } from "./connection.js"
import { RateLine } from "./rateLine.js"
import * as Scripts from "./scripts.js"
import { MAX_PAUSE_MILLIS } from "./scripts.js"
import { pendingBound } from "./steering.js"
import { Versioned } from "./versioned.js"
import { subscribe } from "./wakeups.js"

type Restore = <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>

/**
 * Request ids: unique across processes (a random part per limiter) and within one (a counter).
 *
 * @internal
 */
export const idSource = (): () => string => {
  const origin = crypto.randomUUID()
  let count = 0
  return () => `${origin}:${++count}`
}

/** A script's answer: see `Scripts`. */
interface Decision {
  readonly started: number
  readonly wait: number
  readonly available: number
  readonly pausedFor: number
}

/**
 * The longest interval on Redis, in ms: 100 years, as a pause. The interval travels in µs, and
 * the scripts add it to Redis's clock: within it, both stay exact integers (below 2^53).
 *
 * @internal
 */
export const MAX_INTERVAL_MILLIS = MAX_PAUSE_MILLIS

/** The options checked as `RateLimiter`'s are, and the interval within `MAX_INTERVAL_MILLIS`. */
const resolveOnRedis = (operation: string, options: RateLimiter.RateLimiter.Options) =>
  Effect.flatMap(resolve(operation, options), (resolved) =>
    Duration.toMillis(resolved.interval) <= MAX_INTERVAL_MILLIS
      ? Effect.succeed(resolved)
      : Effect.fail(
        new InvalidOptions({
          operation,
          field: "interval",
          expected: "a whole number of milliseconds from 1 to 3,155,760,000,000 (100 years)",
          value: options.interval
        })
      ))

/** @internal */
export const make = (
  options: Api.Options
): Effect.Effect<
  Api.DistributedRateLimiter<PendingLimitExceeded>,
  InvalidOptions | RedisLimiterUnavailable,
  Scope.Scope
> =>
  Effect.gen(function*() {
    const resolved = yield* resolveOnRedis("RedisRateLimiter.make", options)
    const { bound } = yield* pendingBound("RedisRateLimiter", {
      maxPending: options.maxPending,
      onFull: options.onFull
    })
    const { connection, prefix } = yield* connect("RedisRateLimiter.make", options.name, options)
    const recorded = yield* recording("RedisRateLimiter", options.name)
    const { algorithm } = resolved
    const script = algorithm === "sliding-window"
      ? Scripts.slidingWindow
      : algorithm === "token-bucket"
      ? Scripts.tokenBucket
      : Scripts.gcra
    // the algorithm is in the key: limiters of one name but different algorithms never read each other's state
    const base = `${prefix}:${options.name}:${algorithm}`
    const channel = connection.channel(base)
    const keys = [base, `${base}:settings`, channel]
    const given = [resolved.limit, Duration.toMillis(resolved.interval) * 1000, resolved.burst]
    const nextId = idSource()
    /** The numbers in force, as Redis last said: `make`'s, or the last `resize`'s of any process. */
    const numbers = new Versioned<RateLimiter.RateLimiter.Resolved>(resolved)
    // the limit in force, `make`'s then each one Redis tells (a resize by any process)
    if (recorded !== undefined) numbers.follow((numbers) => recorded.heard(numbers.limit))
    /**
     * Takes the numbers of a reply (to a request sent at `sent`, `numbers.mark`) or a message, unless
     * they are older than those in force (see `Versioned`): whether those in force are these now.
     */
    const update = (limit: number, intervalMicros: number, burst: number, version: number, sent?: number): boolean => {
      const current = numbers.value
      const same = limit === current.limit && burst === current.burst &&
        intervalMicros === Duration.toMillis(current.interval) * 1000
      const next = same ? current : { limit, interval: Duration.millis(intervalMicros / 1000), algorithm, burst }
      return numbers.offer(next, version, sent) || same
    }
    const capacity = () => algorithm === "sliding-window" ? numbers.value.limit : numbers.value.burst

    const decide = (operation: string, op: string, args: ReadonlyArray<string | number>) =>
      Effect.suspend(() => {
        const sent = numbers.mark
        // the connection held while the script is under way (its NOSCRIPT fallback included): a
        // connection this limiter opened outlives its scope until then
        const run = connection.holding(connection.run(operation, script, keys, [op, ...given, ...args]))
        return Effect.map(run, (reply): Decision => {
          const [started, wait, available, pausedFor, limit, interval, burst, of] = (reply as Array<unknown>).map(
            integer
          ) as [number, number, number, number, number, number, number, number]
          // a wait computed on numbers that others, heard while it was on its way, replaced is computed
          // again at once — by a request whose reply is taken (see `Versioned`): once per change heard
          const fresh = update(limit, interval, burst, of, sent)
          return { started, wait: fresh ? wait : 0, available, pausedFor }
        })
      })

    /** A cost above the most the numbers in force allow at once: a defect, as for the local limiter. */
    const impossible = (cost: number) => {
      const error = checkCost(numbers.value, cost)
      return new Cause.IllegalArgumentError(
        (error?.message ?? `cost ${cost} is above the limit`).replace("RateLimiter", "RedisRateLimiter")
      )
    }
    const line = new RateLine(
      (costs, first) =>
        Effect.flatMap(
          decide("take", first ? "try" : "take", [nextId(), ...costs]),
          // Redis refused a first try: its cost is above the numbers a resize stored (`numbers` now has them)
          (decision) => decision.started === -1 ? Effect.die(impossible(costs[0]!)) : Effect.succeed(decision)
        ),
      capacity,
      bound,
      options.name
    )
    yield* subscribe(connection.client, channel, connection.timeoutMillis, (message) => {
      const [kind, ...numbers] = message.split(" ")
      if (kind !== "s") return
      const [limit, interval, burst, of] = numbers.map(integer)
      if (update(limit!, interval!, burst!, of!)) line.reconsider()
    }, line.reconsider)
    // the numbers a resize stored win over `make`'s: read in the background (`make` does not need
    // Redis to answer); meanwhile a cost is checked by Redis itself, at its first try
    yield* Effect.forkScoped(Effect.ignore(decide("read", "peek", [])))
    yield* Effect.forkScoped(line.loop)
    yield* Effect.addFinalizer(() => Effect.sync(() => line.close()))

    const acquire = (cost: number, rank: number, restore: Restore) => {
      // an impossible cost is a programming mistake: a defect, as for the local limiter
      return checkCost(numbers.value, cost) === undefined
        ? line.acquire(cost, rank, restore)
        : Effect.die(impossible(cost))
    }
    const limited = (cost: number, rank: number) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.uninterruptibleMask((restore) =>
        recorded === undefined
          ? Effect.andThen(acquire(cost, rank, restore), restore(effect))
          : recorded.track((started) =>
            Effect.andThen(acquire(cost, rank, restore), Effect.andThen(started, restore(effect)))
          )
      )

    const pause = (duration: Duration.Input) => {
      const decoded = Durations.decodeNonNegative(duration)
      const millis = Option.isSome(decoded) ? Math.ceil(Duration.toMillis(decoded.value)) : Number.NaN
      return Number.isFinite(millis)
        ? Effect.asVoid(decide("pause", "pause", [millis]))
        : Effect.die(
          new Cause.IllegalArgumentError(
            `RedisRateLimiter.pause: duration must be a finite duration ≥ 0, got ${String(duration)}`
          )
        )
    }

    const resize = (sizes: RateLimiter.RateLimiter.Sizes) =>
      Effect.flatMap(
        // checked as make checks them, each number given against the others in force
        resolveOnRedis("RedisRateLimiter.resize", {
          limit: sizes.limit ?? numbers.value.limit,
          interval: sizes.interval ?? numbers.value.interval,
          algorithm,
          burst: algorithm === "sliding-window" ? sizes.burst : sizes.burst ?? numbers.value.burst
        }),
        (checked) =>
          Effect.map(
            decide("resize", "resize", [
              sizes.limit === undefined ? "" : checked.limit,
              sizes.interval === undefined ? "" : Duration.toMillis(checked.interval) * 1000,
              sizes.burst === undefined ? "" : checked.burst
            ]),
            () => line.reconsider()
          )
      )

    const strict = new Priority.Ranking("RedisRateLimiter.withPriority", undefined)
    const limiter = Object.assign(limited(1, 0), {
      withCost: (cost: number) => limited(cost, 0),
      take: (cost = 1) => Effect.uninterruptibleMask((restore) => acquire(cost, 0, restore)),
      // strict: this process's line ranks by priority, then arrival
      withPriority: (priority: number) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        strict.withRank(priority, (rank) => limited(1, rank)(effect)),
      stats: Effect.map(decide("read", "peek", []), ({ available, pausedFor }) => ({
        granted: line.granted,
        waiting: line.waiting,
        available,
        usage: Math.max(0, capacity() - available),
        pausedFor: Math.ceil(pausedFor / 1000)
      })),
      pause,
      drain: Effect.suspend(() => Effect.asVoid(decide("drain", "drain", [nextId()]))),
      resize
    })
    return Object.defineProperty(limiter, "options", { get: () => numbers.value, enumerable: true }) as
      & typeof limiter
      & { readonly options: RateLimiter.RateLimiter.Resolved }
  })
