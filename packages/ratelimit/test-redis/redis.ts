/** Redis for the limiters' integration tests: the URL CI gives, a name per test, its keys removed after it. */
import { Effect, type Scope } from "effect"
import { Redis } from "ioredis"

/** `FIBERKIT_REDIS_URL`: this project runs only when it is set (see `vitest.workspace.ts`). */
export const url = (): string => {
  const value = process.env.FIBERKIT_REDIS_URL
  if (value === undefined) throw new Error("FIBERKIT_REDIS_URL is not set")
  const host = new URL(value).hostname
  // the tests talk to loopback only
  if (!["127.0.0.1", "localhost", "[::1]"].includes(host)) throw new Error(`not a loopback address: ${host}`)
  return value
}

/** The key prefix of every test limiter. */
export const prefix = "fiberkit-test:ratelimit"

/** A client of the test's own, closed with the scope; its connection errors are the test's to see through commands. */
export const client: Effect.Effect<Redis, never, Scope.Scope> = Effect.acquireRelease(
  Effect.sync(() => {
    const redis = new Redis(url(), { maxRetriesPerRequest: 1 })
    redis.on("error", () => {})
    return redis
  }),
  (redis) => Effect.promise(() => redis.quit().then(() => undefined, () => redis.disconnect()))
)

/** A limiter name of its own, whose keys are deleted when the scope closes. */
export const freshName = (label: string): Effect.Effect<string, never, Scope.Scope> =>
  Effect.gen(function*() {
    const name = `${label}-${crypto.randomUUID()}`
    const redis = yield* client
    yield* Effect.addFinalizer(() =>
      Effect.promise(async () => {
        const keys = await redis.keys(`${prefix}:${name}:*`)
        if (keys.length > 0) await redis.del(...keys)
      }).pipe(Effect.ignore)
    )
    return name
  })

/** A loopback port nobody listens on: taken from the system, then closed. */
export const deadPort = (): Effect.Effect<number> =>
  Effect.promise(() =>
    import("node:net").then((net) =>
      new Promise<number>((resolve) => {
        const server = net.createServer()
        server.listen(0, "127.0.0.1", () => {
          const port = (server.address() as { port: number }).port
          server.close(() => resolve(port))
        })
      })
    )
  )

/** Redis's clock, in microseconds. */
export const redisMicros = (redis: Redis): Effect.Effect<number> =>
  Effect.promise(() => redis.time()).pipe(Effect.map(([s, us]) => Number(s) * 1_000_000 + Number(us)))

/** The most of the sorted `times` in any half-open window `[a, a + width)`. */
export const mostWithin = (times: ReadonlyArray<number>, width: number): number => {
  let most = 0
  let end = 0
  for (let start = 0; start < times.length; start++) {
    while (end < times.length && times[end]! < times[start]! + width) end++
    most = Math.max(most, end - start)
  }
  return most
}

/** The process's clock with sub-millisecond precision, in ms since the epoch. */
export const preciseNow = (): number => performance.timeOrigin + performance.now()

/** Polls `check` every 10 ms until it holds (`within` ms at most, default 2 s). */
export const eventually = (check: Effect.Effect<boolean, unknown>, within = 2000) =>
  Effect.gen(function*() {
    for (let waited = 0; waited < within; waited += 10) {
      if (yield* check) return
      yield* Effect.sleep("10 millis")
    }
    return yield* Effect.die(new Error(`condition not met within ${within} ms`))
  })

/** The `KEYS` of the concurrency limiter's scripts (see `leaseScripts.ts`), for a limiter named `name` in database 0. */
export const scriptKeys = (name: string): Array<string> => {
  const base = `${prefix}:${name}:leases`
  return [base, `${base}:line`, `${base}:waiters`, `${base}:seq`, `${base}:settings`, `${base}:ids`, `${base}:wake:db0`]
}

/** The keys of a concurrency limiter's line: its sorted set, and the list its test fixtures append to when they enter. */
export const lineKeys = (name: string) => ({
  leases: `${prefix}:${name}:leases`,
  line: `${prefix}:${name}:leases:line`,
  waiters: `${prefix}:${name}:leases:waiters`,
  entered: `${prefix}:${name}:entered`
})

/** `connection` with every script it sends counted. */
export const counting = (connection: Redis) => {
  const counter = { scripts: 0 }
  const evalsha = connection.evalsha.bind(connection) as (...args: Array<unknown>) => Promise<unknown>
  ;(connection as unknown as { evalsha: typeof evalsha }).evalsha = (...args) => {
    counter.scripts++
    return evalsha(...args)
  }
  return counter
}
