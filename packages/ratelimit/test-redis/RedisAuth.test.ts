/**
 * Review: a Redis that wants a password (a redis-server of the test's own, with requirepass, on a
 * free port): a wrong or missing password fails `make` promptly, typed, and the password stays out
 * of the error.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option } from "effect"
import { spawn } from "node:child_process"
import { RedisLimiterUnavailable } from "../src/Errors.js"
import * as RedisRateLimiter from "../src/RedisRateLimiter.js"
import { deadPort } from "./redis.js"

const errorOf = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.findErrorOption(exit.cause)) : undefined

/** A redis-server with a password, on a free loopback port, killed with the scope. */
const guarded = Effect.acquireRelease(
  Effect.gen(function*() {
    const port = yield* deadPort()
    const child = spawn("redis-server", [
      "--bind",
      "127.0.0.1",
      "--port",
      String(port),
      "--save",
      "",
      "--requirepass",
      "s3cret"
    ], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    yield* Effect.callback<void>((resume) => {
      child.stdout!.on("data", (chunk: Buffer) => {
        if (chunk.toString().includes("Ready to accept connections")) resume(Effect.void)
      })
    })
    return { port, child }
  }),
  ({ child }) => Effect.sync(() => child.kill("SIGKILL"))
)

describe("Redis with a password", { concurrent: false }, () => {
  for (const [label, auth] of [["a wrong password", ":wrong-TOPSECRET@"], ["no password", ""]] as const) {
    // Promise: "make with a url connects first, and fails with it when Redis does not answer" — promptly, typed, password redacted
    it.live(
      `${label}: make fails RedisLimiterUnavailable promptly, without the password in the message`,
      () =>
        Effect.scoped(Effect.gen(function*() {
          const { port } = yield* guarded
          const started = Date.now()
          const exit = yield* Effect.exit(Effect.scoped(Effect.gen(function*() {
            const limiter = yield* RedisRateLimiter.make({
              name: "auth",
              url: `redis://${auth}127.0.0.1:${port}`,
              limit: 1,
              interval: 1000,
              commandTimeout: "300 millis"
            })
            return yield* limiter.take()
          }))).pipe(Effect.timeoutOption("5 seconds"))
          const took = Date.now() - started
          assert.isTrue(Option.isSome(exit), "hangs")
          const error = errorOf((exit as Option.Some<Exit.Exit<void, unknown>>).value)
          assert.instanceOf(error, RedisLimiterUnavailable, String(error))
          assert.notInclude((error as RedisLimiterUnavailable).message, "TOPSECRET")
          assert.isBelow(
            took,
            1000,
            `${(error as RedisLimiterUnavailable).operation}: ${(error as RedisLimiterUnavailable).message}`
          )
        })),
      15_000
    )
  }
})
