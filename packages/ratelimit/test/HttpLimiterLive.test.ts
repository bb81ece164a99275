/**
 * `HttpLimiter.limitByHost` and `Retry-After` on real sockets: a loopback `node:http` server on two
 * ports (two hosts) answers 429 with `Retry-After` to the first request on one port, 200 otherwise.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Schedule } from "effect"
import { FetchHttpClient, HttpClient } from "effect/http"
import * as http from "node:http"
import type * as net from "node:net"
import * as HttpLimiter from "../src/HttpLimiter.js"
import * as KeyedRateLimiter from "../src/KeyedRateLimiter.js"

/** A server on 127.0.0.1, a random port: `answer(path)` gives the status and headers; closed with the scope. */
interface Listening {
  readonly port: number
  /** Each request's path and arrival time (`Date.now()`). */
  readonly arrivals: Array<readonly [string, number]>
  readonly server: http.Server
}

const serve = (answer: (path: string) => readonly [number, Record<string, string>]) =>
  Effect.acquireRelease(
    Effect.callback<Listening>((resume) => {
      const arrivals: Array<readonly [string, number]> = []
      const server = http.createServer((req, res) => {
        arrivals.push([req.url ?? "", Date.now()])
        const [status, headers] = answer(req.url ?? "")
        res.writeHead(status, { ...headers, "content-length": 0 }).end()
      })
      server.listen(0, "127.0.0.1", () =>
        resume(Effect.succeed({ port: (server.address() as net.AddressInfo).port, arrivals, server })))
    }),
    ({ server }) =>
      Effect.callback<void>((resume) => {
        server.closeAllConnections()
        server.close(() =>
          resume(Effect.void)
        )
      })
  )

describe("HttpLimiter.limitByHost on a loopback server", { concurrent: false }, () => {
  for (const form of ["seconds", "date"] as const) {
    it.live(
      `a 429 with Retry-After as ${form} pauses that host only; the retry then succeeds`,
      () =>
        Effect.gen(function*() {
          let refused = false
          const answer = (): readonly [number, Record<string, string>] => {
            if (refused) return [200, {}]
            refused = true
            const value = form === "seconds" ? "1" : new Date(Date.now() + 2000).toUTCString()
            return [429, { "retry-after": value }]
          }
          const busy = yield* serve(answer)
          const calm = yield* serve(() => [200, {}])
          const perHost = yield* KeyedRateLimiter.make<string>({ limit: 100, interval: "1 second" })
          const client = (yield* HttpClient.HttpClient).pipe(
            HttpLimiter.limitByHost(perHost),
            HttpClient.filterStatusOk,
            HttpClient.retry(Schedule.recurs(1))
          )
          const began = Date.now()
          const get = (port: number, path: string) =>
            Effect.scoped(Effect.map(client.get(`http://127.0.0.1:${port}${path}`), (response) => response.status))
          const busyStatus = yield* Effect.forkChild(get(busy.port, "/a"))
          yield* Effect.sleep("200 millis") // the 429 has come: the busy host is paused
          const [calmStatus, otherBusy] = yield* Effect.all([get(calm.port, "/b"), get(busy.port, "/c")], {
            concurrency: "unbounded"
          })
          assert.deepStrictEqual([yield* Fiber.join(busyStatus), calmStatus, otherBusy], [200, 200, 200])
          const at = (path: string) => busy.arrivals.filter(([p]) => p === path).map(([, t]) => t - began)
          assert.strictEqual(at("/a").length, 2)
          // seconds: 1 s exactly; a date has whole seconds: 1 to 2 s
          assert.isAtLeast(at("/a")[1]! - at("/a")[0]!, 990)
          assert.isAtLeast(at("/c")[0]! - at("/a")[0]!, 990)
          assert.isBelow(calm.arrivals[0]![1] - began, at("/a")[1]!, "the calm host did not wait for the pause")
        }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)),
      30_000
    )
  }
})
