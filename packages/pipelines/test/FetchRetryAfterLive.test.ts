/**
 * `Retry-After` on real sockets: a loopback `node:http` server answers 429 with a `Retry-After` on
 * one port (one host) and 200 on another; the pause holds that host only, and the retry succeeds.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Result, Schedule } from "effect"
import { collect } from "./outcomes.js"
import { start } from "./server.js"

/** Real sockets and a real pause of 1 to 2 s: generous, for a loaded CI machine. */
const NETWORK_TIMEOUT = 30_000

describe("Fetch.fetchAll and Retry-After, on a loopback server", { concurrent: false }, () => {
  for (const form of ["seconds", "date"] as const) {
    it.live(
      `a 429 with Retry-After as ${form} pauses its host only; the retry then succeeds`,
      () =>
        Effect.gen(function*() {
          const server = yield* start({ listeners: 2 })
          const [busyPort, calmPort] = server.ports
          const busy = `/retry-after/1/2/${form}` // 429, "wait 2 s", once
          const urls = [
            server.url(busy, "127.0.0.1", busyPort),
            server.url("/ok/10/a", "127.0.0.1", calmPort),
            server.url("/ok/10/b", "127.0.0.1", busyPort), // the same host: waits for the pause
            server.url("/ok/10/c", "127.0.0.1", calmPort)
          ]
          const began = Date.now()
          const outcomes = yield* collect(urls, {
            concurrency: 4,
            perHostConcurrency: 1, // /ok/10/b starts after the 429, so it meets the pause
            retry: Schedule.recurs(2)
          })
          assert.isTrue(outcomes.every(Result.isSuccess), JSON.stringify(outcomes))
          const arrivals = (path: string) => server.arrivals.filter((a) => a.path === path).map((a) => a.at - began)
          const [refused, retried] = arrivals(busy)
          assert.strictEqual(server.attempts(busy), 2)
          // seconds: exactly 2 s after the answer; a date has whole seconds (the server's Date too): 1 to 2 s
          assert.isAtLeast(retried! - refused!, form === "seconds" ? 1990 : 990)
          assert.isAtLeast(arrivals("/ok/10/b")[0]! - refused!, form === "seconds" ? 1990 : 990)
          // the other host was not paused
          for (const path of ["/ok/10/a", "/ok/10/c"]) assert.isBelow(arrivals(path)[0]!, refused! + 900, path)
        }).pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici)),
      NETWORK_TIMEOUT
    )
  }

  it.live(
    "many URLs of the paused host answered 429 at once: one pause, every URL succeeds after it",
    () =>
      Effect.gen(function*() {
        const server = yield* start()
        const paths = Array.from({ length: 8 }, (_, i) => `/retry-after/1/1/seconds/${i}`)
        const began = Date.now()
        const outcomes = yield* collect(paths.map((path) => server.url(path)), {
          concurrency: 8,
          retry: Schedule.recurs(1)
        })
        assert.isTrue(outcomes.every(Result.isSuccess), JSON.stringify(outcomes))
        const firsts = paths.map((path) => server.arrivals.find((a) => a.path === path)!.at - began)
        const retries = paths.map((path) => server.arrivals.filter((a) => a.path === path)[1]!.at - began)
        // every retry after the last refusal's pause began: no attempt inside any pause
        assert.isAtLeast(Math.min(...retries), Math.max(...firsts) + 990)
      }).pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici)),
    NETWORK_TIMEOUT
  )
})
