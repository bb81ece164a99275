/**
 * Review-8 regression test (it failed before the fix): a holder was interrupted after an outage much
 * shorter than its lease, though Redis was back well before the lease expired.
 *
 * JSDoc of `RedisConcurrencyLimiter` (Errors): "If a running holder's lease cannot be renewed before
 * it expires (Redis away for longer than `leaseTime`, or the process stalled past it), its permit may
 * already be another's: the effect is interrupted". README (Leases): "If a holder cannot renew its
 * lease before it expires (Redis away that long, or its event loop blocked) … the holder's effect is
 * interrupted".
 *
 * `keepRenewed` tried a failed renewal again only a third of a lease later. With a lease of 900 ms
 * taken at 0, renewals went at 300, 600 and 900; an outage covering 300 and 600 (here 250 → 650 ms,
 * 400 ms, under half the lease) made both fail at once (a connection that fails commands while it
 * is disconnected, as the one `make` opens from a `url` does), and the next renewal, at 900, was sent
 * with no time left: the holder was interrupted with `RedisLimiterUnavailable` ("renew") although
 * Redis answered again from about 670 ms on. Now a failed renewal is tried again soon (after 10 ms,
 * then twice as long each time, at most a sixth of the lease), until the lease expires.
 *
 * Deterministic up to scheduling delays of tens of ms (the margins are > 200 ms).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber } from "effect"
import { Redis } from "ioredis"
import * as net from "node:net"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import { errorOf } from "./faults.js"
import { client, eventually, freshName, lineKeys, prefix, url } from "./redis.js"

/** A TCP proxy to the test Redis that can be taken down (its connections cut, new ones refused) and up again. */
const switchableProxy = Effect.acquireRelease(
  Effect.callback<{ server: net.Server; state: { url: string; down: boolean; cut: () => void } }>((resume) => {
    const target = new URL(url())
    const sockets = new Set<net.Socket>()
    const state = {
      url: "",
      down: false,
      cut: () => {
        for (const socket of sockets) socket.destroy()
        sockets.clear()
      }
    }
    const server = net.createServer((downstream) => {
      downstream.on("error", () => {})
      if (state.down) return void downstream.destroy()
      const upstream = net.connect(Number(target.port), target.hostname)
      upstream.on("error", () => {})
      sockets.add(downstream)
      sockets.add(upstream)
      downstream.on("data", (chunk) => upstream.write(chunk))
      upstream.on("data", (chunk) => downstream.write(chunk))
      downstream.on("close", () => upstream.destroy())
      upstream.on("close", () => downstream.destroy())
    })
    server.listen(0, "127.0.0.1", () => {
      state.url = `redis://127.0.0.1:${(server.address() as net.AddressInfo).port}`
      resume(Effect.succeed({ server, state }))
    })
  }),
  ({ server, state }) =>
    Effect.sync(() => {
      state.cut()
      server.close()
    })
).pipe(Effect.map(({ state }) => state))

describe("RedisConcurrencyLimiter: a holder through a short outage", { concurrent: false }, () => {
  it.live(
    "a holder whose Redis is away for less than half its lease, and back well before it expires, keeps its lease",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("review8-outage")
        const redis = yield* client
        const proxy = yield* switchableProxy
        // fails commands at once while disconnected (as a `url` connection does), reconnects every 20 ms
        const own = yield* Effect.acquireRelease(
          Effect.sync(() => {
            const connection = new Redis(proxy.url, {
              enableOfflineQueue: false,
              maxRetriesPerRequest: 0,
              retryStrategy: () => 20
            })
            connection.on("error", () => {})
            return connection
          }),
          (connection) => Effect.sync(() => connection.disconnect())
        )
        yield* eventually(Effect.sync(() => own.status === "ready"), 1000)
        const limiter = yield* RedisConcurrencyLimiter.make({
          name,
          prefix,
          redis: own,
          concurrency: 1,
          leaseTime: "900 millis",
          commandTimeout: "2 seconds"
        })
        yield* limiter.inside
        const holder = yield* Effect.forkChild(Effect.exit(limiter(Effect.sleep("1500 millis"))))
        yield* eventually(Effect.map(Effect.promise(() => redis.zcard(lineKeys(name).leases)), (n) => n === 1), 1000)
        // the lease taken at ~0: renewals due at ~300 and ~600 ms; Redis away from ~250 to ~650 ms
        yield* Effect.sleep("250 millis")
        proxy.down = true
        proxy.cut()
        yield* Effect.sleep("400 millis")
        proxy.down = false
        yield* eventually(Effect.sync(() => own.status === "ready"), 1000)
        const exit = yield* Fiber.join(holder)
        const error = errorOf(exit) as { operation?: string } | undefined
        assert.isTrue(
          Exit.isSuccess(exit),
          `the holder was interrupted (${error?.operation ?? "?"}) though Redis was back long before its lease expired`
        )
      })),
    20_000
  )
})
