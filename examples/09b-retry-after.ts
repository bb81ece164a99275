/**
 * API rate limiting, the server's side — HttpLimiter.limitByHost honours 429 and Retry-After.
 *
 * A rate limit on the client is a guess at what the server allows. When the server is busy it
 * says so: `429 Too Many Requests` (or `503 Service Unavailable`) with a `Retry-After` header,
 * either seconds (`Retry-After: 1`) or a date (`Retry-After: Wed, 21 Oct 2026 07:28:00 GMT`).
 * `HttpLimiter.limitByHost` pauses the limiter of that host — and of no other — until then
 * (`KeyedRateLimiter.pause`); the requests to that host wait, in order, and a retry of the refused
 * request waits too. The example starts its own HTTP server on 127.0.0.1, on two ports, so two
 * hosts: "busy" answers its first request of each round 429, "calm" always answers 200.
 *
 * Each round asks busy for `/a`, then, 0.2 s later, busy for `/b` and calm for `/c` and `/d`. The
 * first round's 429 says `Retry-After: 1`, the second's a date 2 s ahead (whole seconds, so
 * 1 to 2 s). Each line is a request as the server saw it, with its time since the round began:
 * calm's answers come at once, busy's only after the pause.
 *
 * Run: pnpm tsx examples/09b-retry-after.ts
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { HttpLimiter, KeyedRateLimiter } from "@fiberkit/ratelimit"
import { Console, Effect, Schedule } from "effect"
import { FetchHttpClient, HttpClient } from "effect/http"
import * as http from "node:http"
import type { AddressInfo } from "node:net"

/** A request as the server saw it: which host, which path, when (`Date.now()`), the status it got. */
interface Arrival {
  readonly host: "busy" | "calm"
  readonly path: string
  readonly at: number
  readonly status: number
}

/** The Retry-After of the busy host's next 429: seconds, or a date 2 s ahead. */
let retryAfter: () => string = () => "1"
let refuseNext = true
const arrivals: Array<Arrival> = []

const handler = (host: Arrival["host"]) => (req: http.IncomingMessage, res: http.ServerResponse) => {
  const refuse = host === "busy" && refuseNext
  if (refuse) refuseNext = false
  arrivals.push({ host, path: req.url ?? "", at: Date.now(), status: refuse ? 429 : 200 })
  const headers = refuse ? { "retry-after": retryAfter(), "content-length": 0 } : { "content-length": 2 }
  res.writeHead(refuse ? 429 : 200, headers).end(refuse ? undefined : "ok")
}

/** A server on 127.0.0.1, a random port, closed with the scope. */
const listen = (host: Arrival["host"]) =>
  Effect.acquireRelease(
    Effect.callback<http.Server>((resume) => {
      const server = http.createServer(handler(host))
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) =>
      Effect.callback<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

const seconds = (millis: number) => (millis / 1000).toFixed(1)

const program = Effect.gen(function*() {
  const busy = `http://127.0.0.1:${((yield* listen("busy")).address() as AddressInfo).port}`
  const calm = `http://127.0.0.1:${((yield* listen("calm")).address() as AddressInfo).port}`
  // 10 requests per second to each host; a 429 or 503 with Retry-After pauses that host, at most 30 s
  const perHost = yield* KeyedRateLimiter.make<string>({ limit: 10, interval: "1 second" })
  const client = (yield* HttpClient.HttpClient).pipe(
    HttpLimiter.limitByHost(perHost, { maxRetryAfter: "30 seconds" }),
    HttpClient.filterStatusOk,
    HttpClient.retry(Schedule.recurs(2)) // no delay of its own: the pause sets when
  )
  const get = (url: string) => Effect.scoped(Effect.asVoid(client.get(url)))

  yield* Console.log("Two hosts on 127.0.0.1: busy answers its first request of each round 429, calm always 200")
  const round = (title: string) =>
    Effect.gen(function*() {
      yield* Console.log(`\n${title}`)
      arrivals.length = 0
      refuseNext = true
      const began = Date.now()
      yield* Effect.all([
        get(`${busy}/a`),
        Effect.andThen(
          Effect.sleep("200 millis"),
          Effect.all([get(`${busy}/b`), get(`${calm}/c`), get(`${calm}/d`)], { concurrency: "unbounded" })
        )
      ], { concurrency: "unbounded" })
      for (const { at, host, path, status } of [...arrivals].sort((x, y) => x.at - y.at)) {
        yield* Console.log(`  +${seconds(at - began)}s ${host} ${path} → ${status}`)
      }
      const refusedAt = arrivals.find((a) => a.status === 429)!.at
      const busyAgain = Math.min(...arrivals.filter((a) => a.host === "busy" && a.status === 200).map((a) => a.at))
      const calmLast = Math.max(...arrivals.filter((a) => a.host === "calm").map((a) => a.at))
      yield* Console.log(
        `busy paused ${seconds(busyAgain - refusedAt)}s; calm waited for the pause: ${calmLast > busyAgain}`
      )
    })

  retryAfter = () => "1"
  yield* round("1. 429 with Retry-After: 1 (seconds)")
  retryAfter = () => new Date(Date.now() + 2000).toUTCString()
  yield* round("2. 429 with Retry-After: <a date 2 s ahead> (an HTTP-date)")
}).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))

NodeRuntime.runMain(program)
