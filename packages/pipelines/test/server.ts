/**
 * A real HTTP server for the Fetch tests: `node:http` on 127.0.0.1, a random port, started and
 * closed (with its connections and pending timers) by a scope.
 *
 * Routes (any further path segments only make a URL distinct, e.g. `/fail/2/a`):
 *
 * - `/ok/:n`: 200 with a body of n bytes (see {@link bodyOf})
 * - `/slow/:ms`, `/hold/:ms`: 200 after ms (a real timer, cleared if the client goes away)
 * - `/slow-once/:ms`: the first request to the path answers after ms, later ones at once
 * - `/fail/:k`: 500 the first k requests to the path, then 200
 * - `/status/:code`: that status
 * - `/meet/:group/:n`: answers 200 once n requests of the group are in flight together (all of
 *   them at that moment); 504 if that has not happened within 10 s
 * - `/redirect/:k/<rest>`: 302 to `/redirect/<k-1>/<rest>`, and `/redirect/1/<rest>` to `/<rest>`
 *   (relative Locations): k redirects, then `/<rest>`
 * - `/goto/:code?to=<location>`: that status with that `Location` (none without `to`)
 * - `/stall/:code/:n`: that status, a `content-length` of 2n, n bytes of the body, and no more
 * - `/chunked/:n`: 200 with a body of n bytes (see {@link bodyOf}), without a `content-length`
 * - `/retry-after/:k/:seconds/:form`: 429 with `Retry-After` the first k requests to the path,
 *   then 200; `form` is `seconds` (`Retry-After: <seconds>`) or `date` (the HTTP-date that many
 *   seconds from now)
 *
 * One server may listen on several ports (`listeners`): the routes and the counters are shared.
 * The server records every request (path, Host header, arrival time), the attempts per path,
 * and the requests in flight (from arrival to the start of the answer) per host, with the most
 * ever seen at once. A host is the Host header: `127.0.0.1:p` and `localhost:p` are two hosts.
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as http from "node:http"
import type * as net from "node:net"

/** A request as the server saw it. */
export interface Arrival {
  readonly path: string
  readonly host: string
  /** `Date.now()` when the request arrived. */
  readonly at: number
}

export interface TestServer {
  /** The first listener's port. */
  readonly port: number
  /** Every listener's port. */
  readonly ports: ReadonlyArray<number>
  /** `http://127.0.0.1:<port>` */
  readonly base: string
  /** The URL of `path` through `hostname` (default `127.0.0.1`) and `port` (default the first). */
  readonly url: (path: string, hostname?: string, port?: number) => string
  /** Requests the server received for `path` (its pathname). */
  readonly attempts: (path: string) => number
  /** Every request, in arrival order. */
  readonly arrivals: ReadonlyArray<Arrival>
  /** The most requests in flight at once to `host` (`hostname:port`, as in the Host header). */
  readonly maxInFlight: (host: string) => number
  /** The most requests in flight at once, all hosts together. */
  readonly maxInFlightTotal: () => number
  /** Requests in flight now. */
  readonly inFlight: () => number
}

/** The body of `/ok/:n`: byte i is `i % 251`. */
export const bodyOf = (n: number): Uint8Array => {
  const body = new Uint8Array(n)
  for (let i = 0; i < n; i++) body[i] = i % 251
  return body
}

const MEET_FALLBACK_MILLIS = 10_000

const listen = (server: http.Server): Effect.Effect<number> =>
  Effect.callback<number>((resume) => {
    server.listen(0, "127.0.0.1", () => {
      resume(Effect.succeed((server.address() as net.AddressInfo).port))
    })
  })

const close = (server: http.Server): Effect.Effect<void> =>
  Effect.callback<void>((resume) => {
    server.closeAllConnections()
    server.close(() => resume(Effect.void))
  })

/**
 * Starts the server, listening on `listeners` (default 1) ports of 127.0.0.1 that share the
 * routes and the counters; the scope closes them, their connections and the pending timers.
 */
export const start = (options?: { readonly listeners?: number }): Effect.Effect<TestServer, never, Scope.Scope> =>
  Effect.gen(function*() {
    const attempts = new Map<string, number>()
    const arrivals: Array<Arrival> = []
    const inFlight = new Map<string, number>()
    const maxInFlight = new Map<string, number>()
    let total = 0
    let maxTotal = 0
    const timers = new Set<NodeJS.Timeout>()
    const groups = new Map<string, Set<() => void>>()

    const later = (res: http.ServerResponse, millis: number, answer: () => void) => {
      const timer = setTimeout(() => {
        timers.delete(timer)
        answer()
      }, millis)
      timers.add(timer)
      res.once("close", () => {
        clearTimeout(timer)
        timers.delete(timer)
      })
    }

    /** Each open request's way out of the in-flight counts (once). */
    const leaving = new WeakMap<http.ServerResponse, () => void>()

    const send = (res: http.ServerResponse, status: number, body: Uint8Array | string = "") => {
      if (res.writableEnded || res.destroyed) return
      // out of flight as the answer starts, before the client can see it and send another
      leaving.get(res)?.()
      res.writeHead(status, { "content-type": "application/octet-stream", "content-length": Buffer.byteLength(body) })
      res.end(body)
    }

    /** The start of an answer that `send` does not give whole: out of flight first. */
    const head = (res: http.ServerResponse, status: number, headers: http.OutgoingHttpHeaders) => {
      leaving.get(res)?.()
      res.writeHead(status, headers)
    }

    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const host = req.headers.host ?? ""
      const requested = new URL(req.url ?? "/", "http://x")
      const path = requested.pathname
      const count = (attempts.get(path) ?? 0) + 1
      attempts.set(path, count)
      arrivals.push({ path, host, at: Date.now() })
      const now = (inFlight.get(host) ?? 0) + 1
      inFlight.set(host, now)
      maxInFlight.set(host, Math.max(maxInFlight.get(host) ?? 0, now))
      total++
      maxTotal = Math.max(maxTotal, total)
      let inside = true
      const leave = () => {
        if (!inside) return
        inside = false
        inFlight.set(host, (inFlight.get(host) ?? 1) - 1)
        total--
      }
      leaving.set(res, leave)
      res.once("close", leave) // the client went away without an answer
      // drain the request (GETs have no body, but be safe)
      req.resume()

      const [, route = "", arg = "", arg2 = ""] = path.split("/")
      const n = Number(arg)
      switch (route) {
        case "ok":
          return send(res, 200, bodyOf(n))
        case "slow":
        case "hold":
          return later(res, n, () => send(res, 200, route))
        case "slow-once":
          return count === 1 ? later(res, n, () => send(res, 200, "slow")) : send(res, 200, "fast")
        case "fail":
          return count <= n ? send(res, 500, "failed") : send(res, 200, "recovered")
        case "status":
          return send(res, n, String(n))
        case "meet": {
          const size = Number(arg2)
          const waiting = groups.get(arg) ?? new Set<() => void>()
          groups.set(arg, waiting)
          const release = () => send(res, 200, "met")
          waiting.add(release)
          res.once("close", () => waiting.delete(release))
          if (waiting.size >= size) {
            const all = [...waiting]
            waiting.clear()
            for (const answer of all) answer()
            return
          }
          return later(res, MEET_FALLBACK_MILLIS, () => {
            waiting.delete(release)
            send(res, 504, "nobody came")
          })
        }
        case "redirect": {
          const rest = path.split("/").slice(3).join("/")
          head(res, 302, { location: n > 1 ? `/redirect/${n - 1}/${rest}` : `/${rest}`, "content-length": 0 })
          return res.end()
        }
        case "goto": {
          const to = requested.searchParams.get("to")
          head(res, n, { ...(to === null ? {} : { location: to }), "content-length": 0 })
          return res.end()
        }
        case "stall": {
          const size = Number(arg2)
          head(res, n, { "content-type": "application/octet-stream", "content-length": 2 * size })
          return void res.write(bodyOf(size))
        }
        case "chunked": {
          head(res, 200, { "content-type": "application/octet-stream" })
          const body = bodyOf(n)
          for (let at = 0; at < n; at += 16_384) res.write(body.subarray(at, at + 16_384))
          return res.end()
        }
        case "retry-after": {
          if (count > n) return send(res, 200, "welcome back")
          const seconds = Number(arg2)
          const form = path.split("/")[4]
          const value = form === "date" ? new Date(Date.now() + seconds * 1000).toUTCString() : String(seconds)
          head(res, 429, { "retry-after": value, "content-length": 0 })
          return res.end()
        }
        default:
          return send(res, 404, "no such route")
      }
    }

    const ports: Array<number> = []
    for (let i = 0; i < (options?.listeners ?? 1); i++) {
      const server = http.createServer(handler)
      ports.push(yield* Effect.acquireRelease(listen(server), () => close(server)))
    }
    // runs first: the pending timers go before the listeners close
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        for (const timer of timers) clearTimeout(timer)
        timers.clear()
      })
    )
    const port = ports[0]!
    return {
      port,
      ports,
      base: `http://127.0.0.1:${port}`,
      url: (path, hostname = "127.0.0.1", at = port) => `http://${hostname}:${at}${path}`,
      attempts: (path) => attempts.get(path) ?? 0,
      arrivals,
      maxInFlight: (host) => maxInFlight.get(host) ?? 0,
      maxInFlightTotal: () => maxTotal,
      inFlight: () => total
    }
  })

/** A loopback port where nothing listens: one a server had, closed again. */
export const freePort: Effect.Effect<number> = Effect.gen(function*() {
  const server = http.createServer()
  const port = yield* listen(server)
  yield* close(server)
  return port
})
