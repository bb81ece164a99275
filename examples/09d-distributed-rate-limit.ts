/**
 * API rate limiting across processes — RedisRateLimiter and RedisConcurrencyLimiter, one limit for every process.
 *
 * The guide's `RateLimitedAPI` limits one process. Run the client in three processes and each has
 * its own semaphore: three times the calls the API allows. Here the limits live in Redis
 * (`@fiberkit/ratelimit/RedisRateLimiter` and `/RedisConcurrencyLimiter`): every process that
 * makes a limiter of the same name shares it.
 *
 * - Redis: `FIBERKIT_REDIS_URL` when it is set; otherwise a throwaway `redis-server` on a free
 *   loopback port (`RedisServer.make` from `@fiberkit/testkit`), removed at the end. Each run uses
 *   new limiter names, `example-09b-<random>`; the keys still there at the end are deleted (an
 *   idle limiter's keys expire by themselves).
 * - Three worker processes (this file, run as `… 09d-distributed-rate-limit.ts worker <name>`),
 *   each with its own connection, make the same two limiters: at most 4 starts per second and at
 *   most 2 requests in flight, for all three together. When all are ready, each sends 4 requests
 *   of 300 ms at once, `inFlight(rate(request))`, and prints when each started and ended. This
 *   process prints the 12 starts in order, then the most starts in any second and the most
 *   requests in flight, counted from those times (on the processes' clocks, which read a start
 *   some milliseconds after Redis's clock allowed it: the seconds counted are 0.95 s). Waiters are not served in order: a process may
 *   get its turns late.
 * - A holder killed: a fourth process (started with the workers) enters a concurrency limit of 1
 *   (lease time 1 s, renewed every third of it) and, once the workers are done, is killed with
 *   SIGKILL while inside. It cannot release its permit; the
 *   permit comes back when its lease expires, and this process gets in then.
 * - Redis unreachable: a limiter whose Redis does not answer (a port nobody listens on) fails
 *   with `RedisLimiterUnavailable`, and the request does not run — there is no local fallback.
 *
 * Run: pnpm tsx examples/09d-distributed-rate-limit.ts
 * Needs `redis-server` on the PATH when `FIBERKIT_REDIS_URL` is not set.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as RedisConcurrencyLimiter from "@fiberkit/ratelimit/RedisConcurrencyLimiter"
import * as RedisRateLimiter from "@fiberkit/ratelimit/RedisRateLimiter"
import * as RedisServer from "@fiberkit/testkit/RedisServer"
import { Config, Console, Effect, Option } from "effect"
import { Redis } from "ioredis"
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import * as net from "node:net"
import * as readline from "node:readline"
import { fileURLToPath } from "node:url"

const PROCESSES = 3
const REQUESTS_PER_PROCESS = 4
const RATE = 4
const IN_FLIGHT = 2

// ---------------------------------------------------------------------------------------------
// The worker processes
// ---------------------------------------------------------------------------------------------

/** The limiters every worker makes, the same options in each: their names make them shared. */
const limiters = (name: string) =>
  Effect.all([
    RedisRateLimiter.make({ name, limit: RATE, interval: "1 second" }), // URL: FIBERKIT_REDIS_URL
    RedisConcurrencyLimiter.make({ name, concurrency: IN_FLIGHT })
  ])

const waitForGo = Effect.callback<void>((resume) => {
  const lines = readline.createInterface({ input: process.stdin })
  lines.on("line", (line) => {
    if (line !== "go") return
    lines.close() // stdin no longer keeps the process alive
    resume(Effect.void)
  })
})

const worker = (name: string) =>
  Effect.scoped(Effect.gen(function*() {
    const [rate, inFlight] = yield* limiters(name)
    yield* Console.log("ready")
    yield* waitForGo
    const request = (i: number) =>
      Effect.gen(function*() {
        yield* Console.log(`start ${Date.now()} ${i}`)
        yield* Effect.sleep("300 millis")
        yield* Console.log(`end ${Date.now()} ${i}`)
      })
    yield* Effect.forEach(Array.from({ length: REQUESTS_PER_PROCESS }, (_, i) => i + 1), (i) =>
      inFlight(rate(request(i))), {
      concurrency: "unbounded"
    })
  }))

/** Enters a concurrency limit of 1 and stays inside until it is killed. */
const holder = (name: string) =>
  Effect.scoped(Effect.gen(function*() {
    const limit = yield* RedisConcurrencyLimiter.make({ name, concurrency: 1, leaseTime: "1 second" })
    yield* limit(Effect.andThen(Console.log("holding"), Effect.never))
  }))

// ---------------------------------------------------------------------------------------------
// This process: starts Redis and the workers, and shows what they did
// ---------------------------------------------------------------------------------------------

/** `FIBERKIT_REDIS_URL`, or a throwaway redis-server on a free loopback port, stopped when the scope closes. */
const redisUrl = Effect.gen(function*() {
  const given = yield* Config.option(Config.NonEmptyString("FIBERKIT_REDIS_URL"))
  if (Option.isSome(given)) {
    const shown = new URL(given.value)
    if (shown.password !== "") shown.password = "***"
    yield* Console.log(`Redis: ${shown}, from FIBERKIT_REDIS_URL`)
    return given.value
  }
  const server = yield* RedisServer.make
  yield* Console.log(
    `Redis: FIBERKIT_REDIS_URL is not set — started a throwaway redis-server on 127.0.0.1:${server.port}`
  )
  return server.url
})

interface Child {
  readonly child: ChildProcess
  readonly lines: Array<string>
}

/** This file as a child process (`mode name`), with the URL in FIBERKIT_REDIS_URL; started once it prints `readyLine`. */
const startChild = (url: string, mode: "worker" | "holder", name: string, readyLine: string) =>
  Effect.gen(function*() {
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), mode, name], {
          env: { ...process.env, FIBERKIT_REDIS_URL: url },
          stdio: ["pipe", "pipe", "inherit"]
        })
      ),
      (child) => Effect.sync(() => child.exitCode === null && child.signalCode === null && child.kill("SIGKILL"))
    )
    const lines: Array<string> = []
    yield* Effect.callback<void, Error>((resume) => {
      readline.createInterface({ input: child.stdout! }).on("line", (line) => {
        lines.push(line)
        if (line === readyLine) resume(Effect.void)
      })
      child.once("exit", (code) => resume(Effect.fail(new Error(`${mode} ended (${code}) before "${readyLine}"`))))
    })
    return { child, lines } satisfies Child
  })

const exited = (child: ChildProcess) =>
  Effect.callback<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    child.once("exit", () => resume(Effect.void))
  })

/** The most of the sorted `times` in any window `[a, a + width)`. */
const mostWithin = (times: ReadonlyArray<number>, width: number) =>
  times.reduce((most, start, i) => Math.max(most, times.filter((t, j) => j >= i && t < start + width).length), 0)

/** Deletes the limiters' keys (`fiberkit:ratelimit:<name>…`); how many there were. */
const removeKeys = (url: string, name: string) =>
  Effect.acquireUseRelease(
    Effect.sync(() => new Redis(url, { maxRetriesPerRequest: 1 })),
    (redis) =>
      Effect.tryPromise(async () => {
        const keys = await redis.keys(`fiberkit:ratelimit:${name}*`)
        return keys.length === 0 ? 0 : await redis.del(...keys)
      }),
    (redis) => Effect.sync(() => redis.disconnect())
  )

const deadPort = Effect.callback<number>((resume) => {
  const server = net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as net.AddressInfo).port
    server.close(() => resume(Effect.succeed(port)))
  })
})

const main = Effect.scoped(Effect.gen(function*() {
  const url = yield* redisUrl
  const name = `example-09b-${crypto.randomUUID().slice(0, 8)}`
  yield* Effect.addFinalizer(() =>
    removeKeys(url, name).pipe(
      Effect.flatMap((n) =>
        Console.log(
          `Removed the limiters' keys still in Redis (fiberkit:ratelimit:${name}*): ${n}; idle ones expire by themselves`
        )
      ),
      Effect.catch((error) => Console.error(`Could not remove the limiters' keys: ${error}`))
    )
  )
  yield* Console.log(
    `Limiters: ${name}, ${RATE} starts per second and ${IN_FLIGHT} in flight, shared by ${PROCESSES} processes`
  )

  // 1. three processes, one limit (and the holder of part 2, started meanwhile)
  const [workers, held] = yield* Effect.all([
    Effect.all(
      Array.from({ length: PROCESSES }, () => startChild(url, "worker", name, "ready")),
      { concurrency: "unbounded" }
    ),
    startChild(url, "holder", `${name}-killed`, "holding")
  ], { concurrency: "unbounded" })
  const go = Date.now()
  for (const { child } of workers) child.stdin!.end("go\n")
  yield* Effect.forEach(workers, ({ child }) => exited(child), { discard: true })
  const events = workers.flatMap(({ lines }, w) =>
    lines.flatMap((line) => {
      const [kind, at, i] = line.split(" ")
      return kind === "start" || kind === "end" ? [{ kind, at: Number(at), who: `worker-${w + 1} request ${i}` }] : []
    })
  ).sort((a, b) => a.at - b.at || (a.kind === "end" ? -1 : 1))
  const starts = events.filter((e) => e.kind === "start")
  for (const start of starts) yield* Console.log(`  +${((start.at - go) / 1000).toFixed(1)}s  ${start.who} starts`)
  let inFlight = 0
  let most = 0
  for (const event of events) most = Math.max(most, inFlight += event.kind === "start" ? 1 : -1)
  // Redis's clock decides, and on it the window is strict; each process reads a start some time
  // after Redis allowed it (tens of ms on a busy machine), so the windows counted here are 0.95 s
  const perSecond = mostWithin(starts.map((e) => e.at), 950)
  yield* Console.log(
    `${starts.length} requests from ${PROCESSES} processes: at most ${perSecond} started in any second ` +
      `(limit ${RATE}), at most ${most} in flight at once (limit ${IN_FLIGHT})`
  )

  // 2. a holder killed with SIGKILL: its permit comes back when its lease expires
  held.child.kill("SIGKILL")
  yield* exited(held.child)
  const killedAt = Date.now()
  const limit = yield* RedisConcurrencyLimiter.make({
    name: `${name}-killed`,
    url,
    concurrency: 1,
    pollInterval: "50 millis"
  })
  const waited = yield* limit(Effect.sync(() => (Date.now() - killedAt) / 1000))
  yield* Console.log(
    `A holder process killed with SIGKILL while inside a limit of 1: the permit came back ${
      waited.toFixed(1)
    }s later, ` +
      `when its 1 s lease (renewed every 0.33 s) expired`
  )

  // 3. Redis unreachable: a typed error, the request does not run
  const port = yield* deadPort
  let ran = false
  const failed = yield* Effect.flip(Effect.scoped(Effect.flatMap(
    RedisRateLimiter.make({ name, url: `redis://127.0.0.1:${port}`, limit: RATE, interval: "1 second" }),
    (rate) => rate(Effect.sync(() => ran = true))
  )))
  yield* Console.log(
    `Redis unreachable (nobody on port ${port}): ${failed._tag}, operation "${
      "operation" in failed ? failed.operation : "?"
    }"; the request ran: ${ran}`
  )
}))

const mode = process.argv[2]
const name = process.argv[3] ?? ""
if (mode === "worker") {
  NodeRuntime.runMain(worker(name))
} else if (mode === "holder") {
  NodeRuntime.runMain(holder(name))
} else if (
  (process.env.FIBERKIT_REDIS_URL ?? "") === "" && spawnSync("redis-server", ["--version"]).error !== undefined
) {
  console.log(
    "Skipped: this example needs Redis — set FIBERKIT_REDIS_URL to a Redis on loopback, or put redis-server on " +
      "the PATH (Debian: apt-get install redis-server)"
  )
} else {
  NodeRuntime.runMain(main)
}
