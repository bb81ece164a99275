/**
 * Review: trying to break the limiters on Redis with a TCP proxy between a limiter and Redis
 * (replies dropped, traffic black-holed), huge options, and large costs.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Duration, Effect, Exit, Fiber, Option, type Scope } from "effect"
import * as net from "node:net"
import { RedisLimiterUnavailable } from "../src/Errors.js"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import * as RedisRateLimiter from "../src/RedisRateLimiter.js"
import { client, freshName, prefix, url } from "./redis.js"

const errorOf = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.findErrorOption(exit.cause)) : undefined

interface Proxy {
  readonly url: string
  /** "pass": forwards; "blackhole": forwards nothing either way, closes nothing; "dropReply": the next reply from Redis closes the client's socket instead */
  mode: "pass" | "blackhole" | "dropReply"
  readonly sockets: Set<net.Socket>
}

/** A TCP proxy to the test Redis, closed with the scope. */
const proxy: Effect.Effect<Proxy, never, Scope.Scope> = Effect.acquireRelease(
  Effect.promise(() =>
    new Promise<{ proxy: Proxy; server: net.Server }>((resolve) => {
      const target = new URL(url())
      const sockets = new Set<net.Socket>()
      const state: { mode: Proxy["mode"] } = { mode: "pass" }
      const server = net.createServer((downstream) => {
        const upstream = net.connect(Number(target.port), target.hostname)
        sockets.add(downstream)
        sockets.add(upstream)
        downstream.on("error", () => {})
        upstream.on("error", () => {})
        downstream.on("data", (chunk) => {
          if (state.mode !== "blackhole") upstream.write(chunk)
        })
        upstream.on("data", (chunk) => {
          if (state.mode === "pass") downstream.write(chunk)
          else if (state.mode === "dropReply") {
            state.mode = "pass"
            downstream.destroy()
            upstream.destroy()
          }
        })
        downstream.on("close", () => upstream.destroy())
        upstream.on("close", () => downstream.destroy())
      })
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as net.AddressInfo).port
        const p: Proxy = {
          url: `redis://127.0.0.1:${port}`,
          get mode() {
            return state.mode
          },
          set mode(m) {
            state.mode = m
          },
          sockets
        }
        resolve({ proxy: p, server })
      })
    })
  ),
  ({ proxy, server }) =>
    Effect.sync(() => {
      for (const socket of proxy.sockets) socket.destroy()
      server.close()
    })
).pipe(Effect.map(({ proxy }) => proxy))

describe("Redis limiters", { concurrent: false }, () => {
  // "never more than concurrency holders across processes" / "a lost lease interrupts the holder" — a holder cut off from Redis keeps running long after its lease expired and another holder got in
  it.live(
    "a holder cut off from Redis (no reply) is interrupted before its lease can be someone else's",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("partition")
        const p = yield* proxy
        const cut = yield* RedisConcurrencyLimiter.make({
          name,
          prefix,
          url: p.url,
          concurrency: 1,
          leaseTime: "300 millis"
        })
        const other = yield* RedisConcurrencyLimiter.make({
          name,
          prefix,
          url: url(),
          concurrency: 1,
          leaseTime: "300 millis"
        })
        let firstRunning = false
        let firstStoppedAt = 0
        let overlap = false
        const first = yield* Effect.forkChild(
          cut(Effect.acquireUseRelease(
            Effect.sync(() => firstRunning = true),
            () => Effect.sleep("5 seconds"),
            () =>
              Effect.sync(() => {
                firstRunning = false
                firstStoppedAt = Date.now()
              })
          ))
        )
        yield* Effect.sleep("100 millis")
        assert.isTrue(firstRunning)
        p.mode = "blackhole" // a network partition: nothing comes back, nothing is closed
        const second = yield* Effect.forkChild(other(Effect.sync(() => {
          if (firstRunning) overlap = true
        })))
        yield* Fiber.join(second)
        const secondAt = Date.now()
        const firstExit = yield* Fiber.await(first)
        const firstStoppedAfter = firstStoppedAt - secondAt
        assert.isFalse(
          overlap,
          `the second holder ran while the first, whose lease had expired, still ran (for ${firstStoppedAfter} ms more; it then failed ${
            (errorOf(firstExit) as Error | undefined)?.message
          })`
        )
      })),
    15_000
  )

  // "a try left without a reply has its lease given back" / no leaked permit — a connection closed after Redis granted the lease leaves it held until leaseTime
  it.live(
    "an acquire whose reply is lost to a closed connection gives its lease back",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("lostreply")
        const p = yield* proxy
        const cut = yield* RedisConcurrencyLimiter.make({
          name,
          prefix,
          url: p.url,
          concurrency: 1,
          leaseTime: "10 seconds"
        })
        const direct = yield* RedisConcurrencyLimiter.make({ name, prefix, url: url(), concurrency: 1 })
        p.mode = "dropReply"
        let ran = false
        const exit = yield* Effect.exit(cut(Effect.sync(() => ran = true)))
        assert.isFalse(ran)
        assert.instanceOf(errorOf(exit), RedisLimiterUnavailable)
        yield* Effect.sleep("500 millis")
        // nobody runs: the permit must be free again
        assert.strictEqual(yield* direct.inside, 0, "a lease nobody holds blocks the permit until leaseTime")
      })),
    15_000
  )

  // "a typed RedisLimiterUnavailable, promptly, when Redis is unreachable; never a hang" — make() to a server that accepts TCP but never answers hangs, uninterruptibly
  it.live(
    "make with a URL whose server never answers fails RedisLimiterUnavailable within the timeout",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const p = yield* proxy // its sockets are destroyed when this scope closes, which ends the hang
        p.mode = "blackhole"
        const making = yield* Effect.forkDetach(Effect.exit(Effect.scoped(
          RedisRateLimiter.make({
            name: "blackhole",
            prefix,
            url: p.url,
            limit: 1,
            interval: 1000,
            commandTimeout: "300 millis"
          })
        )))
        yield* Effect.sleep("3 seconds")
        const done = making.pollUnsafe()
        // and it cannot be interrupted either
        const interrupted = yield* Effect.forkDetach(Fiber.interrupt(making))
        yield* Effect.sleep("200 millis")
        const interruptible = interrupted.pollUnsafe() !== undefined
        assert.isDefined(
          done,
          `make still pending after 3 s with commandTimeout 300 ms (interruptible: ${interruptible})`
        )
        const made = done as Exit.Exit<Exit.Exit<unknown, unknown>>
        assert.instanceOf(Exit.isSuccess(made) ? errorOf(made.value) : undefined, RedisLimiterUnavailable)
      })),
    15_000
  )

  // "typed error promptly when Redis goes away, never a hang" — a waiter sleeping when the connection is black-holed
  it.live(
    "a waiter whose connection is black-holed mid-wait fails within commandTimeout",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("midwait")
        const p = yield* proxy
        const limiter = yield* RedisRateLimiter.make({
          name,
          prefix,
          url: p.url,
          limit: 1,
          interval: 500,
          commandTimeout: "300 millis"
        })
        yield* limiter.take()
        const waiter = yield* Effect.forkChild(Effect.exit(limiter.take()))
        yield* Effect.sleep("100 millis")
        p.mode = "blackhole"
        const started = Date.now()
        const exit = yield* Fiber.join(waiter)
        assert.isBelow(Date.now() - started, 1500)
        assert.instanceOf(errorOf(exit), RedisLimiterUnavailable)
      })),
    15_000
  )

  // option checks — a commandTimeout past setTimeout's 2^31-1 ms is accepted, then every command "times out" at once
  it.live("a huge commandTimeout (30 days) is either refused as InvalidOptions or works", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("hugetimeout")
      const redis = yield* client
      const exit = yield* Effect.exit(Effect.gen(function*() {
        const limiter = yield* RedisRateLimiter.make({
          name,
          prefix,
          redis,
          limit: 5,
          interval: 1000,
          commandTimeout: "30 days"
        })
        return yield* limiter(Effect.succeed("ran"))
      }))
      const error = errorOf(exit)
      assert.isTrue(
        Exit.isSuccess(exit) || (error as { _tag?: string } | undefined)?._tag === "InvalidOptions",
        `observed: ${String((error as Error | undefined)?.message)}`
      )
    })))

  it.live(
    "every socket to Redis cut (as CLIENT KILL) under a holder and a waiter: typed errors or success, no lease left",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("killed")
        const p = yield* proxy
        const limiter = yield* RedisConcurrencyLimiter.make({
          name,
          prefix,
          url: p.url,
          concurrency: 1,
          leaseTime: "600 millis",
          pollInterval: "20 millis"
        })
        const direct = yield* RedisConcurrencyLimiter.make({ name, prefix, url: url(), concurrency: 1 })
        const holder = yield* Effect.forkChild(Effect.exit(limiter(Effect.sleep("1 second"))))
        yield* Effect.sleep("50 millis")
        const waiter = yield* Effect.forkChild(Effect.exit(limiter(Effect.void)))
        yield* Effect.sleep("150 millis")
        for (const socket of p.sockets) socket.destroy()
        const exits = [yield* Fiber.join(holder), yield* Fiber.join(waiter)]
        for (const exit of exits) {
          if (Exit.isFailure(exit)) assert.instanceOf(errorOf(exit), RedisLimiterUnavailable)
        }
        yield* Effect.sleep("100 millis")
        assert.strictEqual(yield* direct.inside, 0)
      })),
    10_000
  )

  // option checks — commandTimeout Duration.infinity passes the "≥ 1 ms" check, and setTimeout(Infinity) fires at once
  it.live("commandTimeout Duration.infinity (and on the concurrency limiter): refused as InvalidOptions, or works", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("infinitetimeout")
      const redis = yield* client
      const observed: Array<string> = []
      for (const kind of ["rate", "concurrency"] as const) {
        const exit = yield* Effect.exit(Effect.gen(function*() {
          const limiter = kind === "rate"
            ? yield* RedisRateLimiter.make({
              name,
              prefix,
              redis,
              limit: 5,
              interval: 1000,
              commandTimeout: Duration.infinity
            })
            : yield* RedisConcurrencyLimiter.make({
              name,
              prefix,
              redis,
              concurrency: 1,
              commandTimeout: Duration.infinity
            })
          return yield* limiter(Effect.succeed("ran"))
        }))
        const error = errorOf(exit) as { _tag?: string; message?: string } | undefined
        if (!(Exit.isSuccess(exit) || error?._tag === "InvalidOptions")) observed.push(`${kind}: ${error?.message}`)
      }
      assert.isTrue(observed.length === 0, observed.join("; "))
    })))

  it.live("idle keys expire — each algorithm's key and the leases' key have a TTL of at most interval (or lease) + 1 s", () =>
    Effect.scoped(Effect.gen(function*() {
      const name = yield* freshName("ttl")
      const redis = yield* client
      for (const algorithm of ["sliding-window", "token-bucket", "gcra"] as const) {
        const limiter = yield* RedisRateLimiter.make({ name, prefix, redis, limit: 3, interval: 2000, algorithm })
        yield* limiter.take(2)
        const ttl = yield* Effect.promise(() => redis.pttl(`${prefix}:${name}:${algorithm}`))
        assert.isTrue(ttl > 0 && ttl <= 3000, `${algorithm}: ${ttl}`)
      }
      const semaphore = yield* RedisConcurrencyLimiter.make({ name, prefix, redis, concurrency: 2, leaseTime: 500 })
      yield* semaphore(Effect.void)
      const ttl = yield* Effect.promise(() => redis.pttl(`${prefix}:${name}:leases`))
      assert.isTrue(ttl === -2 || (ttl > 0 && ttl <= 1500), `leases: ${ttl}`) // -2: the empty set is gone
    })))
})
