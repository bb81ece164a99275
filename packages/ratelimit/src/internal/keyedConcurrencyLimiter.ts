import * as KeyedSemaphore from "@fiberkit/sync/KeyedSemaphore"
import * as Priority from "@fiberkit/sync/Priority"
import * as Effect from "effect/Effect"
import { InvalidOptions } from "../Errors.js"
import type * as Api from "../KeyedConcurrencyLimiter.js"
import { LimitCore } from "./limitCore.js"
import { recording } from "./recording.js"

const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 1

const invalid = (operation: string, field: string, value: unknown) =>
  Effect.fail(new InvalidOptions({ operation, field, expected: "an integer ≥ 1", value }))

/**
 * Per key, a `KeyedSemaphore` permit (keys forgotten when unused); over all keys, an optional
 * `LimitCore` of `global` permits, taken second — a hot key's waiters hold at most `perKey`
 * places in the global line, so they cannot crowd the other keys out of it. An effect's rank is
 * taken once, at arrival, and places it in both lines.
 *
 * @internal
 */
export const make = <K>(
  options: Api.KeyedConcurrencyLimiter.Options
): Effect.Effect<Api.KeyedConcurrencyLimiter<K>, InvalidOptions> =>
  Effect.suspend(() => {
    const op = "KeyedConcurrencyLimiter.make"
    if (!isCount(options.perKey)) return invalid(op, "perKey", options.perKey)
    if (options.global !== undefined && !isCount(options.global)) return invalid(op, "global", options.global)
    const global = options.global === undefined
      ? undefined
      : new LimitCore(options.global, { source: "KeyedConcurrencyLimiter", maxPending: undefined, onFull: "fail" })
    const inside = new Map<K, number>()
    const count = (key: K, delta: number) => {
      const n = (inside.get(key) ?? 0) + delta
      if (n === 0) inside.delete(key)
      else inside.set(key, n)
    }
    return Effect.zipWith(
      Effect.zip(Effect.orDie(KeyedSemaphore.make<K>(options.perKey)), Priority.decodeAging(op, options.aging)),
      recording("KeyedConcurrencyLimiter", options.name),
      ([perKey, agingMillis], recorded) => {
        const ranking = new Priority.Ranking("KeyedConcurrencyLimiter.withPriority", agingMillis)
        const within = <A, E, R>(key: K, effect: Effect.Effect<A, E, R>, rank: number): Effect.Effect<A, E, R> => {
          const counted = Effect.uninterruptibleMask((restore) =>
            Effect.suspend(() => {
              count(key, 1)
              return Effect.ensuring(restore(effect), Effect.sync(() => count(key, -1)))
            })
          )
          // the global line has no bound: its `PendingLimitExceeded` cannot happen (and the
          // effect's own errors stay its own)
          return perKey.withPermits(key, 1, rank)(
            global === undefined ? counted : global.enter(counted, rank) as typeof counted
          )
        }
        const run = <A, E, R>(key: K, effect: Effect.Effect<A, E, R>, priority: number) =>
          ranking.withRank(priority, (rank) =>
            recorded === undefined
              ? within(key, effect, rank)
              : recorded.track((started) => within(key, Effect.andThen(started, effect), rank)))
        const byKey = (key: K) => <A, E, R>(effect: Effect.Effect<A, E, R>) => run(key, effect, 0)
        const limiter = Object.assign(byKey, {
          withPriority: (key: K, priority: number) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
            run(key, effect, priority),
          inside: (key: K) => Effect.sync(() => inside.get(key) ?? 0),
          waiting: (key: K) => perKey.waiting(key),
          keys: perKey.keys,
          insideAll: Effect.sync(() => global?.inside ?? sumOf(inside)),
          resize: (sizes: Api.KeyedConcurrencyLimiter.Sizes) => {
            if (sizes.perKey !== undefined && !isCount(sizes.perKey)) {
              return invalid("KeyedConcurrencyLimiter.resize", "perKey", sizes.perKey)
            }
            if (sizes.global !== undefined && (global === undefined || !isCount(sizes.global))) {
              return Effect.fail(
                new InvalidOptions({
                  operation: "KeyedConcurrencyLimiter.resize",
                  field: "global",
                  expected: global === undefined
                    ? "no global limit: the limiter was made without one"
                    : "an integer ≥ 1",
                  value: sizes.global
                })
              )
            }
            return Effect.andThen(
              sizes.perKey === undefined ? Effect.void : Effect.orDie(perKey.resize(sizes.perKey)),
              Effect.sync(() => {
                if (sizes.global !== undefined) global!.resize(sizes.global)
              })
            )
          }
        })
        return Object.defineProperties(limiter, {
          perKey: { get: () => perKey.permits, enumerable: true },
          global: { get: () => global?.total, enumerable: true }
        }) as typeof limiter & { readonly perKey: number; readonly global: number | undefined }
      }
    )
  })

const sumOf = <K>(counts: Map<K, number>): number => {
  let sum = 0
  for (const n of counts.values()) sum += n
  return sum
}
