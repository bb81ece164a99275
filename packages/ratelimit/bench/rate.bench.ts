/**
 * Rate limiters on the real clock: 200 requests submitted at once to a limit of 50 per second,
 * through each of our algorithms (sliding window, token bucket, GCRA), bottleneck (a reservoir
 * refreshed every second, and `minTime: 20`) and Effect's own `RateLimiter` (`effect/persistence`,
 * token bucket and fixed window, on its in-memory store, waiting with `onExceeded: "delay"`). Each
 * request only records when it started.
 *
 * For each limiter: when the last request started, against the ideal for its algorithm (waves of
 * 50 at 0, 1, 2 and 3 s for a window or a reservoir; 50 at once then one every 20 ms for a token
 * bucket, also 3 s; one every 20 ms for GCRA and `minTime`, 3.98 s); the most starts in any
 * sliding 1-second window `[a, a + 1 s)` (a limit of 50 per second promises at most 50), and in
 * any 999 ms window (the limiters read a millisecond clock: see the table's description); and
 * the largest burst in any 100 ms window.
 *
 * This is a one-shot measurement on the real clock, not a repeated median, so it prints and
 * records its own table (in the layout of `Report.main`'s sections, honouring `--no-record`):
 * after a warm-up at 50 per 10 ms, each contender runs with a fresh limiter, one after another
 * with a short pause between, twice over (all contenders, then all again); the table shows the
 * worse of the two runs for each figure, and every run is printed below it. A busy machine makes
 * timers late, which shows in the last start of the limiters that chain their timers.
 */
import { Report } from "@fiberkit/bench"
import { RateLimiter } from "@fiberkit/ratelimit"
import Bottleneck from "bottleneck"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as EffectRateLimiter from "effect/persistence/RateLimiter"
import * as fs from "node:fs"
import * as path from "node:path"

const SOURCE = "packages/ratelimit/bench/rate.bench.ts"
const REQUESTS = 200
const LIMIT = 50
const INTERVAL = 1000
const BURST_WINDOW = 100
const ROUNDS = 2
const PAUSE = 500
const WARM_UP_INTERVAL = 10

/** A fresh limiter: submits `n` requests at once, resolves when all have run; then closes. */
interface Instance {
  readonly submit: (n: number, request: () => void) => Promise<void>
  readonly close: () => Promise<void>
}

interface Contender {
  readonly name: string
  /** The last start, in ms after submission, if the limiter started each request exactly on time. */
  readonly ideal: number
  /** A limiter of `LIMIT` per `interval` ms. */
  readonly make: (interval: number) => Promise<Instance>
}

const ids = Array.from({ length: REQUESTS }, (_, i) => i)

/**
 * Each request is its own program, as if from its own caller (and like bottleneck's `schedule`):
 * `Effect.runPromise` starts it at once, where `Effect.forEach` with unbounded concurrency would
 * first fork all 200 fibers (2–10 ms before the first one runs).
 */
const submitEach =
  (limit: <A>(effect: Effect.Effect<A>) => Effect.Effect<A>) => async (n: number, request: () => void) => {
    await Promise.all(ids.slice(0, n).map(() => Effect.runPromise(limit(Effect.sync(request)))))
  }

/** Our limiters need no scope: nothing runs in the background. */
const ours = (algorithm: RateLimiter.RateLimiter.Algorithm, ideal: number): Contender => ({
  name: `fiberkit ${algorithm}`,
  ideal,
  make: async (interval) => {
    const limiter = await Effect.runPromise(RateLimiter.make({ limit: LIMIT, interval, algorithm }))
    return { submit: submitEach(limiter), close: async () => {} }
  }
})

/**
 * Effect's limiter keeps its counts in a store (here the in-memory one) under a key: each instance
 * gets a key of its own, as layers are memoized across `provide` calls and may share the store.
 * It computes each request's delay when the request arrives and sleeps it; nothing runs in the
 * background.
 */
let effectKeys = 0
const effects = (algorithm: "token-bucket" | "fixed-window", ideal: number): Contender => ({
  name: `Effect RateLimiter ${algorithm}`,
  ideal,
  make: async (interval) => {
    const withLimiter = await Effect.runPromise(Effect.provide(
      EffectRateLimiter.makeWithRateLimiter,
      EffectRateLimiter.layer.pipe(Layer.provide(EffectRateLimiter.layerStoreMemory))
    ))
    const limiter = withLimiter({
      algorithm,
      window: interval,
      limit: LIMIT,
      key: `bench-${effectKeys++}`,
      onExceeded: "delay"
    })
    return { submit: submitEach(<A>(effect: Effect.Effect<A>) => Effect.orDie(limiter(effect))), close: async () => {} }
  }
})

const bottleneck = (
  name: string,
  options: (interval: number) => Bottleneck.ConstructorOptions,
  ideal: number
): Contender => ({
  name: `bottleneck ${name}`,
  ideal,
  make: async (interval) => {
    const limiter = new Bottleneck(options(interval))
    return {
      submit: async (n, request) => {
        await Promise.all(ids.slice(0, n).map(() => limiter.schedule(() => Promise.resolve(request()))))
      },
      close: () => limiter.disconnect()
    }
  }
})

// waves of LIMIT at 0, 1, 2, 3 s; a full bucket then one token every 20 ms; one start every 20 ms
const waves = (Math.ceil(REQUESTS / LIMIT) - 1) * INTERVAL
const bucket = (REQUESTS - LIMIT) * (INTERVAL / LIMIT)
const spaced = (REQUESTS - 1) * (INTERVAL / LIMIT)

const contenders: ReadonlyArray<Contender> = [
  ours("sliding-window", waves),
  ours("token-bucket", bucket),
  ours("gcra", spaced),
  bottleneck(
    `reservoir ${LIMIT}, refreshed every ${INTERVAL} ms`,
    (interval) => ({ reservoir: LIMIT, reservoirRefreshAmount: LIMIT, reservoirRefreshInterval: interval }),
    waves
  ),
  bottleneck(`minTime ${INTERVAL / LIMIT}`, (interval) => ({ minTime: interval / LIMIT }), spaced),
  effects("token-bucket", bucket),
  effects("fixed-window", waves)
]

/** The most of the sorted `times` in any half-open window `[a, a + width)`. */
const mostWithin = (times: ReadonlyArray<number>, width: number): number => {
  let most = 0
  let end = 0
  for (let start = 0; start < times.length; start++) {
    while (end < times.length && times[end]! < times[start]! + width) end++
    most = Math.max(most, end - start)
  }
  return most
}

interface Measurement {
  readonly last: number
  readonly perInterval: number
  /** The most in any window 1 ms shorter than the interval: see the table's description. */
  readonly perShorter: number
  readonly perBurst: number
}

const measure = async (contender: Contender, interval: number): Promise<Measurement> => {
  const instance = await contender.make(interval)
  const starts: Array<number> = []
  const origin = performance.now()
  await instance.submit(REQUESTS, () => void starts.push(performance.now() - origin))
  await instance.close()
  if (starts.length !== REQUESTS) throw new Error(`${contender.name}: ${starts.length} of ${REQUESTS} requests ran`)
  starts.sort((a, b) => a - b)
  return {
    last: starts[starts.length - 1]!,
    perInterval: mostWithin(starts, interval),
    perShorter: mostWithin(starts, interval - 1),
    perBurst: mostWithin(starts, BURST_WINDOW)
  }
}

const gc = (globalThis as { gc?: () => void }).gc
const pause = () => new Promise((resolve) => setTimeout(resolve, PAUSE))

// Warm-up: every contender once at 50 per 10 ms, so no measured run pays for cold code.
process.stdout.write(`warming up …\n`)
for (const contender of contenders) await measure(contender, WARM_UP_INTERVAL)

const runs = contenders.map((): Array<Measurement> => [])
for (let round = 1; round <= ROUNDS; round++) {
  for (const [i, contender] of contenders.entries()) {
    gc?.()
    await pause()
    process.stdout.write(`round ${round}/${ROUNDS}: ${contender.name} …\n`)
    runs[i]!.push(await measure(contender, INTERVAL))
  }
}

const seconds = (value: number) => (value / 1000).toFixed(3)
const percent = (value: number) => `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(2)}%`
const worst = (i: number, figure: (m: Measurement) => number) => Math.max(...runs[i]!.map(figure))

const table = [
  `### ${REQUESTS} requests at once, limit ${LIMIT} per second, real clock`,
  "",
  `All ${REQUESTS} requests are submitted at once; each records when it started (\`performance.now()\` since ` +
  `the submission) and does nothing else. Ideal last start: waves of ${LIMIT} at 0, 1, 2, 3 s (sliding and ` +
  `fixed window, reservoir); a full bucket of ${LIMIT}, then one every ${INTERVAL / LIMIT} ms (token buckets); ` +
  `one every ${INTERVAL / LIMIT} ms (GCRA, \`minTime\`). A limit of ${LIMIT} per second means at most ${LIMIT} ` +
  `in any 1 s window \`[a, a + 1 s)\`: the sliding window promises it; token buckets allow a burst on top ` +
  `(up to ${2 * LIMIT}), fixed windows up to ${2 * LIMIT} across a window boundary. The limiters read a ` +
  `millisecond clock (\`Date.now()\`), so starts 1000 ms apart on it can be 999.x ms apart in real time: ` +
  `the 999 ms column counts what that clock's resolution allows. Each contender ran ${ROUNDS} times with a ` +
  `fresh limiter (after a warm-up at ${LIMIT} per ${WARM_UP_INTERVAL} ms); each figure is the worse of the ` +
  `${ROUNDS} runs (the later last start, the most starts).`,
  "",
  `| contender | ideal last start (s) | last start (s) | vs ideal | most starts in any 1 s | in any 999 ms | ` +
  `most starts in any ${BURST_WINDOW} ms |`,
  "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...contenders.map((contender, i) => {
    const last = worst(i, (m) => m.last)
    return `| ${contender.name} | ${seconds(contender.ideal)} | ${seconds(last)} | ${
      percent((last - contender.ideal) / contender.ideal * 100)
    } | ${worst(i, (m) => m.perInterval)} | ${worst(i, (m) => m.perShorter)} | ${worst(i, (m) => m.perBurst)} |`
  })
].join("\n")

process.stdout.write(`\n${table}\n`)
process.stdout.write(
  `\nevery run (last start s / most in 1 s / in 999 ms / in ${BURST_WINDOW} ms):\n${
    contenders.map((contender, i) =>
      `${contender.name}: ${
        runs[i]!.map((m) => `${seconds(m.last)} / ${m.perInterval} / ${m.perShorter} / ${m.perBurst}`).join(", ")
      }`
    ).join("\n")
  }\n`
)

if (!process.argv.includes("--no-record")) {
  const file = path.join(Report.workspaceRoot(), "BENCHMARKS.md")
  fs.appendFileSync(file, `\n${Report.section(SOURCE, [])}\n${table}\n`)
  process.stdout.write(`\nrecorded in BENCHMARKS.md\n`)
}
