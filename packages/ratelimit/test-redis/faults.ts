/**
 * What the fault tests of the limiters on Redis share: a TCP proxy that delays replies (and a
 * connection through it), a hook on the scripts a connection sends, a wall clock that can be
 * stepped, and small readers of Redis's state.
 */
import { Cause, Clock, Deferred, Effect, Exit, Option, Scope } from "effect"
import { Redis } from "ioredis"
import * as net from "node:net"
import * as Scripts from "../src/internal/redis/leaseScripts.js"
import type { Script } from "../src/internal/redis/scripts.js"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import { client, eventually, freshName, lineKeys, prefix, url } from "./redis.js"

export const errorOf = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.findErrorOption(exit.cause)) : undefined

/** The two ends of a connection through a proxy: to the client, and to Redis. */
interface Ends {
  readonly downstream: net.Socket
  readonly upstream: net.Socket
}

/**
 * A TCP proxy to the test Redis, closed with the scope: its URL. What the client sends is passed
 * on as it is; what Redis sends on the `connection`-th connection made through it (from 0) goes
 * to `relay`, which passes it on (or not).
 */
const proxy = (
  relay: (reply: Buffer, connection: number, ends: Ends) => void
): Effect.Effect<string, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.callback<{ server: net.Server; sockets: Set<net.Socket>; url: string }>((resume) => {
      const target = new URL(url())
      const sockets = new Set<net.Socket>()
      let accepted = 0
      const server = net.createServer((downstream) => {
        const connection = accepted++
        const upstream = net.connect(Number(target.port), target.hostname)
        for (const socket of [downstream, upstream]) {
          sockets.add(socket)
          socket.on("error", () => {})
        }
        downstream.on("data", (chunk) => upstream.write(chunk))
        upstream.on("data", (chunk: Buffer) => relay(chunk, connection, { downstream, upstream }))
        downstream.on("close", () => upstream.destroy())
        upstream.on("close", () => downstream.destroy())
      })
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as net.AddressInfo).port
        resume(Effect.succeed({ server, sockets, url: `redis://127.0.0.1:${port}` }))
      })
    }),
    ({ server, sockets }) =>
      Effect.sync(() => {
        for (const socket of sockets) socket.destroy()
        server.close()
      })
  ).pipe(Effect.map(({ url }) => url))

/**
 * A TCP proxy to the test Redis, closed with the scope, that delays by `millis` what Redis sends on
 * the first connection made through it (a limiter's script connection; its subscriber, made next,
 * is not delayed).
 */
export const delayingProxy = (millis: number): Effect.Effect<string, never, Scope.Scope> =>
  proxy((reply, connection, { downstream }) => {
    if (connection === 0) setTimeout(() => downstream.write(reply), millis)
    else downstream.write(reply)
  })

/** An ioredis connection to the test Redis whose replies come `millis` late (`delayingProxy`), closed with the scope. */
export const slowConnection = (millis: number): Effect.Effect<Redis, never, Scope.Scope> =>
  Effect.flatMap(delayingProxy(millis), (proxied) =>
    Effect.acquireRelease(
      Effect.sync(() => {
        const connection = new Redis(proxied, { maxRetriesPerRequest: 1 })
        connection.on("error", () => {})
        return connection
      }),
      (connection) => Effect.sync(() => connection.disconnect())
    ))

/** Calls `seen` with the SHA of each script `connection` sends by EVALSHA, as it sends it. */
export const onEvalsha = (connection: Redis, seen: (sha: unknown) => void): void => {
  const evalsha = connection.evalsha.bind(connection) as (...args: Array<unknown>) => Promise<unknown>
  ;(connection as unknown as { evalsha: typeof evalsha }).evalsha = (...args) => {
    const sent = evalsha(...args)
    seen(args[0])
    return sent
  }
}

/**
 * A poll (heartbeat script) of `connection`'s limiter to wait for: once `arm` is called, `sent`
 * completes as the next one is sent (its reply still on its way).
 */
export const nextPoll = (connection: Redis) =>
  Effect.map(Deferred.make<void>(), (sent) => {
    let armed = false
    onEvalsha(connection, (sha) => {
      if (armed && sha === Scripts.heartbeat.sha) {
        armed = false
        Deferred.doneUnsafe(sent, Effect.void)
      }
    })
    return { arm: () => void (armed = true), sent: Deferred.await(sent) }
  })

/** A limiter of `name` (concurrency 1) whose one permit a fiber holds until `gate` opens: it is inside. */
export const heldPermit = (name: string) =>
  Effect.gen(function*() {
    const holding = yield* RedisConcurrencyLimiter.make({ name, prefix, url: url(), concurrency: 1 })
    const gate = yield* Deferred.make<void>()
    const holder = yield* Effect.forkChild(holding(Deferred.await(gate)))
    yield* eventually(Effect.map(holding.inside, (n) => n === 1))
    return { holding, gate, holder }
  })

/**
 * A limiter of concurrency 1, leases of 300 ms, on a connection whose replies come 250 ms late (a
 * link as slow as most of a lease), and how many times it has sent `script` so far.
 */
export const slowLeaseLimiter = (name: string, script: Script) =>
  Effect.gen(function*() {
    const own = yield* slowConnection(250)
    const counted = { sent: 0 }
    onEvalsha(own, (sha) => {
      if (sha === script.sha) counted.sent++
    })
    const limiter = yield* RedisConcurrencyLimiter.make({
      name,
      prefix,
      redis: own,
      concurrency: 1,
      leaseTime: "300 millis",
      commandTimeout: "2 seconds"
    })
    return { limiter, counted }
  })

/**
 * The scene the NOSCRIPT poll tests share: a permit held (`heldPermit`), and a waiter of another
 * process — replies delayed `millis`, its limiter made in `scope` if given (else the test's) —
 * registered in Redis's line; then Redis's script cache emptied (all but the withdrawal's script,
 * which another process ran again) and that process's poll sent: its `EVALSHA` is on its way,
 * and its `NOSCRIPT` comes back `millis` later.
 */
export const waiterUnderNoscriptPoll = (label: string, millis: number, scope?: Scope.Scope) =>
  Effect.gen(function*() {
    const name = yield* freshName(label)
    const redis = yield* client
    const keys = lineKeys(name)
    const held = yield* heldPermit(name)
    const own = yield* slowConnection(millis)
    const poll = yield* nextPoll(own)
    const make = RedisConcurrencyLimiter.make({
      name,
      prefix,
      redis: own,
      concurrency: 1,
      leaseTime: "30 seconds",
      pollInterval: "300 millis"
    })
    const limiter = yield* (scope === undefined ? make : Scope.provide(scope)(make))
    const waiter = yield* Effect.forkChild(limiter(Effect.succeed("ran")))
    yield* eventually(Effect.map(Effect.promise(() => redis.zcard(keys.line)), (n) => n === 1))
    yield* Effect.promise(() => redis.script("FLUSH"))
    yield* Effect.promise(() => redis.script("LOAD", Scripts.leave.source))
    poll.arm()
    yield* poll.sent
    return { ...held, name, redis, keys, waiter }
  })

/**
 * A TCP proxy to the test Redis, closed with the scope: once `dropNextReply` is set, the next reply
 * Redis sends closes both sockets of its connection instead (its client reconnects).
 */
export const replyDroppingProxy: Effect.Effect<{ url: string; dropNextReply: boolean }, never, Scope.Scope> = Effect
  .suspend(() => {
    const state = { url: "", dropNextReply: false }
    return Effect.map(
      proxy((reply, _, { downstream, upstream }) => {
        if (!state.dropNextReply) return void downstream.write(reply)
        state.dropNextReply = false
        downstream.destroy()
        upstream.destroy()
      }),
      (url) => {
        state.url = url
        return state
      }
    )
  })

/**
 * A wall clock stepped `step` ms from the real one (as NTP steps a machine's clock), with the real
 * timers and monotonic time.
 */
export const steppedClock = Effect.map(Clock.clockWith(Effect.succeed), (real) => {
  const wall = { step: 0, clock: undefined as unknown as Clock.Clock }
  const now = () => real.currentTimeMillisUnsafe() + wall.step
  wall.clock = {
    currentTimeMillisUnsafe: now,
    currentTimeMillis: Effect.sync(now),
    currentTimeNanosUnsafe: () => real.currentTimeNanosUnsafe() + BigInt(wall.step) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => real.currentTimeNanosUnsafe() + BigInt(wall.step) * 1_000_000n),
    monotonicTimeNanosUnsafe: () => real.monotonicTimeNanosUnsafe(),
    monotonicTimeNanos: real.monotonicTimeNanos,
    sleep: (duration) => real.sleep(duration)
  }
  return wall
})

export const zcard = (redis: Redis, key: string) => Effect.promise(() => redis.zcard(key))

/** The connections Redis has, as `CLIENT LIST` shows them. */
export const connections = (redis: Redis) =>
  Effect.promise(() => redis.client("LIST") as Promise<string>).pipe(
    Effect.map((list) =>
      list.split("\n").filter((line) => line !== "").map((line) =>
        Object.fromEntries(line.split(" ").map((field) => field.split("=", 2) as [string, string]))
      )
    )
  )
