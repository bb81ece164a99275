import { Effect } from "effect"
import { KeyedConcurrencyLimiter } from "./packages/ratelimit/src/index.js"

const N = Number(process.argv[2] ?? 5000)
const run = (global: number | undefined) =>
  Effect.gen(function*() {
    const limiter = yield* KeyedConcurrencyLimiter.make<string>(global === undefined ? { perKey: 1 } : { perKey: 1, global })
    const t0 = performance.now()
    // a hot key with N waiters, and N effects of other keys arriving meanwhile
    yield* Effect.forEach(
      Array.from({ length: 2 * N }, (_, i) => i),
      (i) => limiter(i % 2 === 0 ? "hot" : `k${i}`)(Effect.yieldNow),
      { concurrency: "unbounded", discard: true }
    )
    return performance.now() - t0
  })
for (const g of [undefined, 1_000_000]) console.log(`N=${N} global=${g}`, (await Effect.runPromise(run(g))).toFixed(0), "ms")
