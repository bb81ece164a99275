/**
 * `fiberkit_limit` of the limiters on Redis: the limit in force as this process last heard it from
 * Redis — `make`'s, its own `resize`'s, and another process's resize, heard by message (each
 * "process" here has its own metric registry).
 */
import { assert, describe, it } from "@effect/vitest"
import { Telemetry } from "@fiberkit/sync"
import { type Context, Effect, Metric } from "effect"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import * as RedisRateLimiter from "../src/RedisRateLimiter.js"
import { eventually, freshName, prefix, url } from "./redis.js"

/** A process of its own: a registry of its own, metrics on. */
const processOf = () => {
  const registry = new Map() as Context.Service.Shape<typeof Metric.MetricRegistry>
  const within = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    effect.pipe(Effect.provideService(Metric.MetricRegistry, registry), Effect.provide(Telemetry.layer()))
  const limit = (source: string, group: string) => within(Effect.map(Telemetry.values(source, group), (v) => v.limit))
  return { within, limit }
}

describe("Redis limiters: fiberkit_limit", { concurrent: false }, () => {
  it.live(
    "RedisConcurrencyLimiter: concurrency when made, then every resize, of this process or another",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("limit-metric")
        const options = { name, prefix, url: url(), concurrency: 2, leaseTime: 30_000 }
        const [a, b] = [processOf(), processOf()]
        const first = yield* a.within(RedisConcurrencyLimiter.make(options))
        const second = yield* b.within(RedisConcurrencyLimiter.make(options))
        assert.strictEqual(yield* a.limit("RedisConcurrencyLimiter", name), 2)
        yield* first.resize(5)
        assert.strictEqual(yield* a.limit("RedisConcurrencyLimiter", name), 5)
        // the other process hears the resize (its message, else its next reply)
        yield* eventually(Effect.map(b.limit("RedisConcurrencyLimiter", name), (limit) => limit === 5))
        assert.strictEqual(second.concurrency, 5)
        yield* second.resize(1)
        yield* eventually(Effect.map(a.limit("RedisConcurrencyLimiter", name), (limit) => limit === 1))
        assert.strictEqual(yield* b.limit("RedisConcurrencyLimiter", name), 1)
      })),
    20_000
  )

  it.live(
    "RedisRateLimiter: `limit` (starts per interval) when made, then every resize, of this process or another",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("rate-metric")
        const options = {
          name,
          prefix,
          url: url(),
          limit: 10,
          interval: "1 second",
          algorithm: "token-bucket"
        } as const
        const [a, b] = [processOf(), processOf()]
        const first = yield* a.within(RedisRateLimiter.make(options))
        const second = yield* b.within(RedisRateLimiter.make(options))
        assert.strictEqual(yield* a.limit("RedisRateLimiter", name), 10)
        yield* first.resize({ limit: 30 })
        assert.strictEqual(yield* a.limit("RedisRateLimiter", name), 30)
        yield* eventually(Effect.map(b.limit("RedisRateLimiter", name), (limit) => limit === 30))
        assert.strictEqual(second.options.limit, 30)
        // another number resized: the limit stays
        yield* second.resize({ burst: 4 })
        yield* eventually(Effect.sync(() => first.options.burst === 4))
        assert.strictEqual(yield* a.limit("RedisRateLimiter", name), 30)
      })),
    20_000
  )
})
