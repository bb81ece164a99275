/**
 * What metrics cost a limiter (`@fiberkit/sync`'s `Telemetry`): 100,000 uses through two
 * limiters made alike, one with metrics on (`Telemetry.layer()`) and one without, in the same
 * process, interleaved — a `ConcurrencyLimiter` of 16 and a `RateLimiter` that never makes
 * anyone wait (the cost of the bookkeeping alone).
 */
import { Report } from "@fiberkit/bench"
import { ConcurrencyLimiter, RateLimiter } from "@fiberkit/ratelimit"
import { Telemetry } from "@fiberkit/sync"
import * as Effect from "effect/Effect"

const USES = 100_000
const items = Array.from({ length: USES }, (_, i) => i)
const work = (i: number) => Effect.sync(() => (i * 7) % 13)
const on = Telemetry.layer()

const concurrency = { concurrency: 16, name: "bench" }
const plainLimiter = Effect.runSync(ConcurrencyLimiter.make(concurrency))
const meteredLimiter = Effect.runSync(ConcurrencyLimiter.make(concurrency).pipe(Effect.provide(on)))
const rate = { limit: 1_000_000_000, interval: "1 second", algorithm: "token-bucket", name: "bench" } as const
const plainRate = Effect.runSync(RateLimiter.make(rate))
const meteredRate = Effect.runSync(RateLimiter.make(rate).pipe(Effect.provide(on)))

const through = (limit: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, unknown, R>) => () =>
  Effect.runPromise(Effect.forEach(items, (i) => limit(work(i)), { concurrency: 64, discard: true }))

await Report.main("packages/ratelimit/bench/metrics.bench.ts", [
  {
    title: `metrics on and off: ${USES.toLocaleString("en")} uses of a ConcurrencyLimiter(16), 64 at once`,
    description: "Two limiters, one made under `Telemetry.layer()`; each use computes a number.",
    operations: USES,
    reference: "metrics off",
    rounds: 9,
    contenders: [
      { name: "metrics off", run: through(plainLimiter) },
      { name: "metrics on", run: through(meteredLimiter) }
    ]
  },
  {
    title: `metrics on and off: ${USES.toLocaleString("en")} uses of a RateLimiter that lets all through, 64 at once`,
    description: "A token bucket of 10^9 per second; two limiters, one made under `Telemetry.layer()`.",
    operations: USES,
    reference: "metrics off",
    rounds: 9,
    contenders: [
      { name: "metrics off", run: through(plainRate) },
      { name: "metrics on", run: through(meteredRate) }
    ]
  }
])
