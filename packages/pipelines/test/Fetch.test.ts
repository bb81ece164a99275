import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import * as RateLimiter from "@fiberkit/ratelimit/RateLimiter"
import { Clock, Effect, Result, Schedule, Stream } from "effect"
import type * as HttpClient from "effect/http/HttpClient"
import type * as Scope from "effect/Scope"
import * as dns from "node:dns"
import { ConnectionFailed, FetchTimeout, HttpStatusError, InvalidUrl } from "../src/Errors.js"
import * as Fetch from "../src/Fetch.js"
import { bodyOf, freePort, start, type TestServer } from "./server.js"

/** Real sockets: generous, for a loaded CI machine. */
const NETWORK_TIMEOUT = 30_000

const collect = (urls: Iterable<string>, options: Fetch.FetchOptions) =>
  Fetch.fetchAll(urls, options).pipe(Stream.runCollect)

const urlOf = (outcome: Fetch.FetchOutcome): string =>
  Result.isSuccess(outcome) ? outcome.success.url : outcome.failure.url

/** The outcome of `url`, which must appear exactly once. */
const outcomeOf = (outcomes: ReadonlyArray<Fetch.FetchOutcome>, url: string): Fetch.FetchOutcome => {
  const found = outcomes.filter((outcome) => urlOf(outcome) === url)
  assert.strictEqual(found.length, 1, `${url} appears ${found.length} times`)
  return found[0]!
}

const success = (outcomes: ReadonlyArray<Fetch.FetchOutcome>, url: string): Fetch.FetchResult => {
  const outcome = outcomeOf(outcomes, url)
  if (Result.isFailure(outcome)) assert.fail(`${url} failed: ${outcome.failure.message}`)
  return outcome.success
}

const failure = (outcomes: ReadonlyArray<Fetch.FetchOutcome>, url: string): Fetch.FetchError => {
  const outcome = outcomeOf(outcomes, url)
  if (Result.isSuccess(outcome)) assert.fail(`${url} succeeded with status ${outcome.success.status}`)
  return outcome.failure
}

/** Runs a test against the real server through the undici client. */
const live = <A, E>(name: string, body: Effect.Effect<A, E, HttpClient.HttpClient | Scope.Scope>) =>
  it.live(name, () => body.pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici)), NETWORK_TIMEOUT)

/**
 * Two hosts on one server: `127.0.0.1:<port>` and `localhost:<port>` when `localhost` resolves
 * to 127.0.0.1 only here, else `127.0.0.1` on the server's second port.
 */
const twoHosts = (server: TestServer) =>
  Effect.tryPromise(() => dns.promises.lookup("localhost", { all: true })).pipe(
    Effect.orElseSucceed(() => []),
    Effect.map((addresses) => {
      const localhostIsIpv4 = addresses.length > 0 && addresses.every((a) => a.address === "127.0.0.1")
      const second = localhostIsIpv4 ? { hostname: "localhost", port: server.port } : {
        hostname: "127.0.0.1",
        port: server.ports[1]!
      }
      return {
        a: { host: `127.0.0.1:${server.port}`, url: (path: string) => server.url(path) },
        b: {
          host: `${second.hostname}:${second.port}`,
          url: (path: string) => server.url(path, second.hostname, second.port)
        }
      }
    })
  )

describe("Fetch.fetchAll on a real server", () => {
  live(
    "every URL appears exactly once: successes, error statuses, invalid URLs, timeouts, retried failures",
    Effect.gen(function*() {
      const server = yield* start()
      const ok = Array.from({ length: 30 }, (_, i) => server.url(`/ok/${i * 100}/${i}`))
      const urls = [
        ...ok,
        server.url("/status/404"),
        "not a url",
        "ftp://x",
        server.url("/slow/20000"),
        server.url("/fail/1/a"),
        server.url("/ok/100000")
      ]
      const outcomes = yield* collect(urls, {
        concurrency: 8,
        timeout: "2 seconds",
        retry: Schedule.recurs(1)
      })
      assert.strictEqual(outcomes.length, urls.length)
      assert.deepStrictEqual(outcomes.map(urlOf).sort(), [...urls].sort())
      for (const [i, url] of ok.entries()) {
        const result = success(outcomes, url)
        assert.strictEqual(result.status, 200)
        assert.strictEqual(result.bytes, i * 100)
      }
      assert.deepStrictEqual(
        failure(outcomes, server.url("/status/404")),
        new HttpStatusError({
          url: server.url("/status/404"),
          status: 404
        })
      )
      assert.deepStrictEqual(failure(outcomes, "not a url"), new InvalidUrl({ url: "not a url" }))
      assert.deepStrictEqual(failure(outcomes, "ftp://x"), new InvalidUrl({ url: "ftp://x" }))
      assert.deepStrictEqual(
        failure(outcomes, server.url("/slow/20000")),
        new FetchTimeout({ url: server.url("/slow/20000"), millis: 2000 })
      )
      assert.strictEqual(success(outcomes, server.url("/fail/1/a")).attempts, 2)
      assert.strictEqual(success(outcomes, server.url("/ok/100000")).bytes, 100_000)
    })
  )

  live(
    "summarize: the successes and the failures, every URL in one of them",
    Effect.gen(function*() {
      const server = yield* start()
      const urls = [
        server.url("/ok/5"),
        server.url("/status/500"),
        "nope",
        server.url("/ok/7"),
        server.url("/status/403")
      ]
      const summary = yield* Fetch.summarize(Fetch.fetchAll(urls, { concurrency: 3 }))
      assert.deepStrictEqual(summary.successful.map((r) => [r.url, r.bytes]).sort(), [
        [server.url("/ok/5"), 5],
        [server.url("/ok/7"), 7]
      ])
      assert.deepStrictEqual(
        summary.failed.map((e) => `${e._tag} ${e.url}`).sort(),
        [
          `HttpStatusError ${server.url("/status/403")}`,
          `HttpStatusError ${server.url("/status/500")}`,
          "InvalidUrl nope"
        ].sort()
      )
    })
  )

  live(
    "a slow response hits the timeout: FetchTimeout",
    Effect.gen(function*() {
      const server = yield* start()
      const url = server.url("/slow/2000")
      const outcomes = yield* collect([url], { concurrency: 1, timeout: "100 millis" })
      assert.deepStrictEqual(outcomes, [Result.fail(new FetchTimeout({ url, millis: 100 }))])
    })
  )

  live(
    "a timeout is retried: a path slow only the first time succeeds on a later attempt",
    Effect.gen(function*() {
      const server = yield* start()
      const url = server.url("/slow-once/20000")
      const outcomes = yield* collect([url], {
        concurrency: 1,
        timeout: "1 second",
        retry: Schedule.recurs(3),
        keepBody: true
      })
      const result = success(outcomes, url)
      assert.isAtLeast(result.attempts, 2)
      assert.strictEqual(new TextDecoder().decode(result.body), "fast")
      // an attempt timed out before it reached the server is counted by the client only
      assert.isAtMost(server.attempts("/slow-once/20000"), result.attempts)
    })
  )

  live(
    "500s are retried by the schedule, then succeed; the attempts are counted",
    Effect.gen(function*() {
      const server = yield* start()
      const url = server.url("/fail/2/a")
      const outcomes = yield* collect([url], { concurrency: 1, retry: Schedule.recurs(3) })
      const result = success(outcomes, url)
      assert.strictEqual(result.status, 200)
      assert.strictEqual(result.attempts, 3)
      assert.strictEqual(server.attempts("/fail/2/a"), 3)
    })
  )

  live(
    "5xx and 429 that keep failing are retried until the schedule ends, then reported",
    Effect.gen(function*() {
      const server = yield* start()
      const paths = ["/fail/10/b", "/status/503", "/status/429"]
      const outcomes = yield* collect(paths.map((path) => server.url(path)), {
        concurrency: 3,
        retry: Schedule.recurs(3)
      })
      assert.deepStrictEqual(
        failure(outcomes, server.url("/fail/10/b")),
        new HttpStatusError({
          url: server.url("/fail/10/b"),
          status: 500
        })
      )
      assert.strictEqual((failure(outcomes, server.url("/status/503")) as HttpStatusError).status, 503)
      assert.strictEqual((failure(outcomes, server.url("/status/429")) as HttpStatusError).status, 429)
      // one attempt and three retries each
      assert.deepStrictEqual(paths.map((path) => server.attempts(path)), [4, 4, 4])
    })
  )

  live(
    "a 404 (or another 4xx but 429) is not retried: one attempt",
    Effect.gen(function*() {
      const server = yield* start()
      const paths = ["/status/404", "/status/400", "/status/403"]
      const outcomes = yield* collect(paths.map((path) => server.url(path)), {
        concurrency: 3,
        retry: Schedule.recurs(3)
      })
      assert.deepStrictEqual(
        paths.map((path) => failure(outcomes, server.url(path))),
        paths.map((path) => new HttpStatusError({ url: server.url(path), status: Number(path.split("/")[2]) }))
      )
      assert.deepStrictEqual(paths.map((path) => server.attempts(path)), [1, 1, 1])
    })
  )

  live(
    "connection refused is a typed failure: ConnectionFailed, also after retries",
    Effect.gen(function*() {
      const port = yield* freePort
      const urls = [`http://127.0.0.1:${port}/ok/1`, `http://127.0.0.1:${port}/ok/2`]
      const outcomes = yield* collect(urls, { concurrency: 2, retry: Schedule.recurs(2) })
      for (const url of urls) {
        const error = failure(outcomes, url)
        assert.instanceOf(error, ConnectionFailed)
        assert.match((error as ConnectionFailed).reason, /ECONNREFUSED/)
      }
    })
  )

  live(
    "perHostConcurrency: never more than the limit in flight to one host, though concurrency is larger",
    Effect.gen(function*() {
      const server = yield* start()
      const urls = Array.from({ length: 8 }, (_, i) => server.url(`/hold/100/${i}`))
      const outcomes = yield* collect(urls, { concurrency: 8, perHostConcurrency: 2 })
      assert.deepStrictEqual(outcomes.map((outcome) => Result.isSuccess(outcome)), urls.map(() => true))
      assert.isAtMost(server.maxInFlight(`127.0.0.1:${server.port}`), 2)
    })
  )

  live(
    "perHostConcurrency: two hosts proceed in parallel, each up to its limit and never above",
    Effect.gen(function*() {
      const server = yield* start({ listeners: 2 })
      const { a, b } = yield* twoHosts(server)
      // `/meet/g/4` answers only when 4 requests of the group are in flight together: with a
      // limit of 2 per host, that takes 2 to each host at once
      const urls = [0, 1, 2, 3].flatMap((i) => [a.url(`/meet/g/4/${i}`), b.url(`/meet/g/4/${i}`)])
      const outcomes = yield* collect(urls, { concurrency: 8, perHostConcurrency: 2 })
      for (const url of urls) assert.strictEqual(success(outcomes, url).status, 200)
      assert.strictEqual(server.maxInFlight(a.host), 2)
      assert.strictEqual(server.maxInFlight(b.host), 2)
      assert.strictEqual(server.maxInFlightTotal(), 4)
    })
  )

  live(
    "bytes are the body sizes; no body is kept unless asked",
    Effect.gen(function*() {
      const server = yield* start()
      const sizes = [0, 1, 65_536, 1_000_003]
      const urls = sizes.map((n) => server.url(`/ok/${n}`))
      const outcomes = yield* collect(urls, { concurrency: 4 })
      for (const [i, url] of urls.entries()) {
        const result = success(outcomes, url)
        assert.strictEqual(result.bytes, sizes[i])
        assert.isFalse("body" in result)
      }
    })
  )

  live(
    "keepBody: the body is in the result",
    Effect.gen(function*() {
      const server = yield* start()
      const sizes = [0, 10, 300_001]
      const urls = sizes.map((n) => server.url(`/ok/${n}`))
      const outcomes = yield* collect(urls, { concurrency: 3, keepBody: true })
      for (const [i, url] of urls.entries()) {
        const result = success(outcomes, url)
        assert.strictEqual(result.bytes, sizes[i])
        assert.deepStrictEqual(result.body, bodyOf(sizes[i]!))
      }
    })
  )

  live(
    "rateLimit paces the starts: no 500 ms window holds more than 3, as the server sees them too",
    Effect.gen(function*() {
      const server = yield* start()
      const limiter = yield* RateLimiter.make({ limit: 3, interval: "500 millis" })
      // the grants: the (monotonic) clock reading the limiter started each attempt on. Each call gets the
      // limiter through a clock that remembers its last reading (the limiter's own, as it reads
      // the clock just before it lets the effect start), and the effect runs on the real clock.
      const grants: Array<number> = []
      const recording: RateLimiter.RateLimiter = Object.assign(
        <A, E, R>(effect: Effect.Effect<A, E, R>) =>
          Effect.clockWith((real) => {
            let last = Number.NaN
            // the limiter reads the monotonic time (in whole milliseconds, as it counts them)
            const read = () => {
              const nanos = real.monotonicTimeNanosUnsafe()
              last = Number(nanos / 1_000_000n)
              return nanos
            }
            // both readings, the unsafe one and the effect
            const spy: Clock.Clock = Object.create(real, {
              monotonicTimeNanosUnsafe: { value: read },
              monotonicTimeNanos: { value: Effect.sync(read) }
            })
            const started = Effect.andThen(
              Effect.sync(() => grants.push(last)),
              Effect.provideService(effect, Clock.Clock, real)
            )
            return Effect.provideService(limiter(started), Clock.Clock, spy)
          }),
        {
          options: limiter.options,
          withCost: limiter.withCost,
          take: limiter.take,
          stats: limiter.stats,
          pause: limiter.pause,
          drain: limiter.drain,
          resize: limiter.resize,
          withPriority: limiter.withPriority,
          awaitIdle: limiter.awaitIdle,
          awaitSizeBelow: limiter.awaitSizeBelow
        }
      )
      const urls = Array.from({ length: 9 }, (_, i) => server.url(`/ok/1/${i}`))
      const began = Date.now()
      const outcomes = yield* collect(urls, { concurrency: 9, rateLimit: recording })
      assert.deepStrictEqual(outcomes.map(urlOf).sort(), [...urls].sort())
      assert.strictEqual((yield* limiter.stats).granted, 9)
      // the sliding window's guarantee, on the clock's readings: no closed window of 500 ms holds
      // more than 3 starts, i.e. a start and the third after it are more than 500 ms apart
      grants.sort((x, y) => x - y)
      for (let i = 0; i + 3 < grants.length; i++) {
        assert.isAbove(grants[i + 3]! - grants[i]!, 500, `starts ${i} and ${i + 3}: ${grants}`)
      }
      // each request reaches the server after its start, so the i-th arrival is no earlier than
      // the i-th start, itself at least ⌊i/3⌋ intervals after the run began
      const arrivals = server.arrivals.map((arrival) => arrival.at).sort((x, y) => x - y)
      assert.strictEqual(arrivals.length, 9)
      for (const [i, at] of arrivals.entries()) {
        assert.isAtLeast(at - began, Math.floor(i / 3) * 501, `arrival ${i}: ${arrivals.map((t) => t - began)}`)
      }
    })
  )

  it.live("bad options fail InvalidOptions", () =>
    Effect.gen(function*() {
      const cases: Array<[Fetch.FetchOptions, string]> = [
        [{ concurrency: 0 }, "concurrency"],
        [{ concurrency: 1.5 }, "concurrency"],
        [{ concurrency: Number.NaN }, "concurrency"],
        [{ concurrency: 2, perHostConcurrency: 0 }, "perHostConcurrency"],
        [{ concurrency: 2, perHostConcurrency: -1 }, "perHostConcurrency"],
        // negative timeouts decoded as zero: every URL timed out at once (outside review)
        [{ concurrency: 1, timeout: -1 }, "timeout"],
        [{ concurrency: 1, timeout: Number.NaN }, "timeout"],
        [{ concurrency: 1, timeout: -1n }, "timeout"],
        [{ concurrency: 1, timeout: "-5 millis" }, "timeout"],
        [{ concurrency: 1, timeout: [-1, 0] }, "timeout"]
      ]
      for (const [options, field] of cases) {
        const error = yield* Effect.flip(collect(["http://127.0.0.1:1/"], options))
        assert.strictEqual(error._tag, "InvalidOptions")
        assert.strictEqual(error.field, field)
      }
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
})
