/**
 * API rate limiting — ConcurrencyLimiter and RateLimiter, the guide's RateLimitedAPI.
 *
 * The guide's `RateLimitedAPI(requests_per_second=3)` wraps each request in
 * `with self.semaphore:`, a `Semaphore(requests_per_second)`. A semaphore bounds how many
 * requests are in flight, not how many start per second: each request takes 0.5 s, so a
 * `Semaphore(3)` lets 3 start at once and the next ones as soon as those end, half a second
 * later — 5 in the first second here, more than the "3 per second" an API would allow. The same
 * client three ways, with 6 endpoints instead of the guide's 4, all submitted at once (each
 * request its own fiber, where the guide has a pool of 5, so that only the limiter decides when
 * a request starts):
 *
 * 1. `ConcurrencyLimiter.make({ concurrency: 3 })`, the guide's semaphore: at most 3 in flight.
 * 2. `RateLimiter.make({ limit: 3, interval: "1 second" })`: never more than 3 starts in any
 *    1-second window (a sliding window), so they come in waves at 0 s and 1 s. But it does not
 *    bound how many are in flight: a slow response overlaps the next wave.
 * 3. Both, `concurrency(rate(request))`: at most 3 in flight and at most 3 starts per second.
 *    The concurrency limit goes outside, so that a request waits for its rate turn holding its
 *    slot — the other order would count starts that then wait for a slot.
 *
 * Every request takes 0.5 s but `/reports`, the third, which takes 1.5 s: that is what makes the
 * difference between 2 and 3 show. Each request prints its start time, relative to the start of
 * its part, to the tenth of a second; each part ends with the most starts in any 1-second window
 * and the most requests in flight at once, counted from those printed times.
 *
 * `--timeline FILE.svg` draws each limiter's requests in FILE.svg, each one's wait for its turn
 * before its run; `--chart` prints the same chart here (see `timeline.ts`).
 *
 * Run: pnpm tsx examples/09-api-rate-limit.ts
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { ConcurrencyLimiter, type HttpLimiter, RateLimiter } from "@fiberkit/ratelimit"
import { Clock, Console, Effect, Ref } from "effect"
import { withTimeline } from "./timeline.js"

const endpoints = ["/users", "/products", "/reports", "/orders", "/customers", "/invoices"]

/** How long the simulated API call takes: 0.5 s, as in the guide, but 1.5 s for `/reports`. */
const latency = (endpoint: string) => endpoint === "/reports" ? "1500 millis" : "500 millis"

/**
 * A request's start and end, in tenths of a second since its part began — as printed, so that the
 * counts below are those of the printed times. (A request reads the clock just after the limiter
 * lets it start, now and then a millisecond later than the limiter did: at a finer resolution,
 * two starts exactly 1 s apart could show 0.999 s apart.)
 */
interface Request {
  readonly start: number
  readonly end: number
}

const seconds = (tenths: number) => (tenths / 10).toFixed(1)

/** The most starts in any 1-second window `[t, t + 1 s)`: the windows opening at a start are enough. */
const mostStartsPerSecond = (requests: ReadonlyArray<Request>) =>
  Math.max(...requests.map(({ start: t }) => requests.filter(({ start }) => t <= start && start < t + 10).length))

/** The most requests in flight at once: the peaks are at starts. */
const mostInFlight = (requests: ReadonlyArray<Request>) =>
  Math.max(...requests.map(({ start: t }) => requests.filter(({ end, start }) => start <= t && t < end).length))

/** The guide's `RateLimitedAPI` with `limit` where the guide has `with self.semaphore:`; runs every endpoint at once. */
const callAll = (title: string, limit: HttpLimiter.Limit) =>
  Effect.gen(function*() {
    yield* Console.log(`\n${title}`)
    const requestCount = yield* Ref.make(0)
    const requests: Array<Request> = []
    const begin = yield* Clock.currentTimeMillis
    const now = Effect.map(Clock.currentTimeMillis, (millis) => Math.round((millis - begin) / 100))

    const makeRequest = (endpoint: string) =>
      limit(Effect.gen(function*() {
        const start = yield* now
        const requestId = yield* Ref.updateAndGet(requestCount, (n) => n + 1)
        yield* Console.log(`  +${seconds(start)}s API Request #${requestId}: ${endpoint}`)
        yield* Effect.sleep(latency(endpoint)) // simulate the API call
        requests.push({ start, end: yield* now })
        return `Response from ${endpoint}`
      }))

    const responses = yield* Effect.forEach(endpoints, makeRequest, { concurrency: "unbounded" })
    const total = yield* now
    yield* Console.log(`Most starts in any 1-second window: ${mostStartsPerSecond(requests)}`)
    yield* Console.log(`Most in flight at once: ${mostInFlight(requests)}`)
    yield* Console.log(`${responses.length} responses in ${seconds(total)}s`)
  })

const program = Effect.gen(function*() {
  yield* Console.log(
    `${endpoints.length} API requests submitted at once, each taking 0.5 s (/reports 1.5 s); the API allows 3 per second`
  )

  yield* callAll(
    "1. The guide's Semaphore(3), ConcurrencyLimiter.make({ concurrency: 3 }): at most 3 in flight, not 3 per second",
    yield* ConcurrencyLimiter.make({ concurrency: 3 })
  )

  yield* callAll(
    "2. RateLimiter.make({ limit: 3, interval: \"1 second\" }): at most 3 starts in any second",
    yield* RateLimiter.make({ limit: 3, interval: "1 second" })
  )

  const concurrency = yield* ConcurrencyLimiter.make({ concurrency: 3 })
  const rate = yield* RateLimiter.make({ limit: 3, interval: "1 second" })
  yield* callAll(
    "3. Both, concurrency(rate(request)): at most 3 in flight and at most 3 starts in any second",
    (request) => concurrency(rate(request))
  )
})

NodeRuntime.runMain(
  withTimeline(program, { title: "09 · API rate limiting: ConcurrencyLimiter, RateLimiter and both" })
)
