/**
 * A throwaway `redis-server` on a loopback port, for tests, benchmarks and examples that need
 * Redis and must not touch one they did not start. It keeps an append-only file (every write
 * synced, unless `makeWith` says otherwise) in a temporary directory, so it can be killed and
 * started again without losing a key. Needs Debian's `redis-server` on the PATH (`.ci/run` installs it).
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"

/**
 * `redis-server` did not start, or did not answer PING in time.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { RedisServer } from "@fiberkit/testkit"
 *
 * // skip, rather than fail, where redis-server is not installed
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const redis = yield* RedisServer.make
 *   yield* Effect.log(`testing against ${redis.url}`)
 * })).pipe(Effect.catchTag("RedisServerError", (e) => Effect.logWarning(`skipped: ${e.reason}`)))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class RedisServerError extends Data.TaggedError("RedisServerError")<{ readonly reason: string }> {
  override get message(): string {
    return `redis-server: ${this.reason}`
  }
}

/**
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import type { RedisServer } from "@fiberkit/testkit"
 *
 * // crash the server, bring it back on the same port and files, and check the client recovers
 * const crashAndRestart = (redis: RedisServer.RedisServer, clientWorks: Effect.Effect<void>) =>
 *   Effect.gen(function*() {
 *     yield* redis.stop() // SIGKILL
 *     yield* redis.start
 *     yield* clientWorks
 *   })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string
  readonly port: number
  /** Kills the server (`SIGKILL` by default: a crash) and waits for it to exit. */
  readonly stop: (signal?: NodeJS.Signals) => Effect.Effect<void>
  /** Starts it again on the same port and files (after `stop`), and waits until it answers. */
  readonly start: Effect.Effect<void, RedisServerError>
}

/**
 * **Example**
 *
 * ```ts
 * import { RedisServer } from "@fiberkit/testkit"
 *
 * // for a benchmark: sync the append-only file once a second, not after every write
 * const options: RedisServer.Options = { appendfsync: "everysec" }
 * const redis = RedisServer.makeWith(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * When the append-only file is synced to disk: `"always"` (after every write, the default),
   * `"everysec"` (Redis's own default, and CI's: more write throughput; the writes of the last
   * second are in the file but may not be on the disk) or `"no"` (when the system decides). A
   * killed server keeps every write it acknowledged under all three; a crash of the machine may
   * lose the unsynced ones.
   */
  readonly appendfsync?: "always" | "everysec" | "no" | undefined
}

/** A free loopback port, as the system hands one out. */
const freePort = Effect.callback<number>((resume) => {
  const server = net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as net.AddressInfo).port
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** True when something on `port` answers `+PONG` to a PING. */
const ping = (port: number) =>
  Effect.callback<boolean>((resume) => {
    const socket = net.connect(port, "127.0.0.1")
    let answer = ""
    socket.setTimeout(500)
    socket.on("connect", () => socket.write("PING\r\n"))
    socket.on("data", (chunk) => {
      answer += chunk.toString()
      if (answer.includes("\r\n")) {
        socket.destroy()
        resume(Effect.succeed(answer.startsWith("+PONG")))
      }
    })
    const fail = () => {
      socket.destroy()
      resume(Effect.succeed(false))
    }
    socket.on("error", fail)
    socket.on("timeout", fail)
  })

const waitUntilUp = (port: number, child: ChildProcess) =>
  Effect.gen(function*() {
    for (let tries = 0; tries < 200; tries++) {
      if (child.exitCode !== null) {
        return yield* new RedisServerError({ reason: `exited with code ${child.exitCode} on port ${port}` })
      }
      if (yield* ping(port)) return
      yield* Effect.sleep("25 millis")
    }
    return yield* new RedisServerError({ reason: `no answer on port ${port} after 5 s` })
  })

/**
 * `make` with options: e.g. `appendfsync: "everysec"` for a benchmark, where syncing every
 * write would measure the disk.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { RedisServer } from "@fiberkit/testkit"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const redis = yield* RedisServer.makeWith({ appendfsync: "everysec" })
 *   yield* Effect.log(`Redis at ${redis.url}`)
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeWith = (options: Options = {}): Effect.Effect<RedisServer, RedisServerError, Scope.Scope> =>
  Effect.gen(function*() {
    const port = yield* freePort
    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "fiberkit-redis-"))),
      (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
    )
    let child: ChildProcess | undefined
    const launch = Effect.suspend(() => {
      const started = spawn("redis-server", [
        "--bind",
        "127.0.0.1",
        "--port",
        String(port),
        "--dir",
        dir,
        "--appendonly",
        "yes",
        "--appendfsync",
        options.appendfsync ?? "always",
        "--save",
        "",
        "--maxmemory-policy",
        "noeviction"
      ], { stdio: "ignore" })
      child = started
      return Effect.callback<void, RedisServerError>((resume) => {
        started.once("error", (error) => resume(Effect.fail(new RedisServerError({ reason: error.message }))))
        started.once("spawn", () => resume(Effect.void))
      }).pipe(Effect.andThen(waitUntilUp(port, started)))
    })
    const stop = (signal: NodeJS.Signals = "SIGKILL") =>
      Effect.callback<void>((resume) => {
        const running = child
        if (running === undefined || running.exitCode !== null || running.signalCode !== null) {
          return resume(Effect.void)
        }
        running.once("exit", () => resume(Effect.void))
        running.kill(signal)
      })
    yield* Effect.acquireRelease(launch, () => stop())
    return { url: `redis://127.0.0.1:${port}`, port, stop, start: launch }
  })

/**
 * Starts a server for the life of the scope; it is killed and its files removed when the scope
 * closes.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { RedisServer } from "@fiberkit/testkit"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const redis = yield* RedisServer.make
 *   yield* Effect.log(`Redis at ${redis.url}`)
 *   yield* redis.stop()
 *   yield* redis.start // the keys written before the kill are back
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<RedisServer, RedisServerError, Scope.Scope> = makeWith()
