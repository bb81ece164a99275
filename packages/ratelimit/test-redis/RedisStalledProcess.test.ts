/**
 * A process whose event loop stalls for longer than `leaseTime` while one of its requests waits, or
 * while its try is on its way. README, "A waiter that dies": "a process that was only stalled puts
 * it back in its place at its next poll"; "Leases": an effect never starts on a lease that may have
 * expired. A waiter granted during the stall (by a release in another process) hears the grant's
 * message after it: its lease, dated from its last poll, has expired — the poll puts it back and
 * it enters on a lease of its own, not interrupted a moment later ("renew"). A request whose try's
 * reply is read after the stall does not start on the expired lease its try took.
 *
 * Both tests failed before the fix (a review found them: an earlier fix covered a grant found by
 * the poll, not one heard by message nor a try's reply).
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber } from "effect"
import { execFileSync } from "node:child_process"
import * as Scripts from "../src/internal/redis/leaseScripts.js"
import * as RedisConcurrencyLimiter from "../src/RedisConcurrencyLimiter.js"
import { client, eventually, freshName, lineKeys, prefix, scriptKeys, url } from "./redis.js"

/** `redis-cli` against the test Redis, run synchronously: it runs while this process is stalled. */
const cli = (...args: Array<string>): string => {
  const target = new URL(url())
  return execFileSync("redis-cli", ["-h", target.hostname, "-p", target.port || "6379", ...args], {
    encoding: "utf8"
  }).trim()
}

describe("RedisConcurrencyLimiter: a process stalled past the lease", { concurrent: false }, () => {
  it.live(
    "a waiter only stalled (not dead) enters with a valid lease, and is not interrupted",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("stalled-waiter")
        const redis = yield* client
        const keys = lineKeys(name)
        const leaseMillis = 600
        const limiter = yield* RedisConcurrencyLimiter.make({
          name,
          prefix,
          url: url(),
          concurrency: 1,
          leaseTime: leaseMillis,
          pollInterval: 200
        })
        const holder = yield* Effect.forkChild(Effect.exit(limiter(Effect.never)))
        yield* eventually(Effect.map(limiter.inside, (n) => n === 1))
        let started = false
        let insideWhenStarted = -1
        const waiter = yield* Effect.forkChild(Effect.exit(limiter(Effect.gen(function*() {
          started = true
          insideWhenStarted = yield* limiter.inside // its own lease, if it holds one
          yield* Effect.sleep("100 millis")
          return "done"
        }))))
        yield* eventually(Effect.map(Effect.promise(() => redis.zcard(keys.line)), (n) => n === 1))
        const [held] = yield* Effect.promise(() => redis.zrange(keys.leases, "0", "-1"))

        // the process stalls for 1 s (> the 600 ms lease); meanwhile another process releases the permit,
        // which its script hands to the waiter, leased until the waiter's registration would expire
        yield* Effect.sync(() => {
          const keys = scriptKeys(name)
          cli(
            "EVAL",
            Scripts.leave.source,
            String(keys.length),
            ...keys,
            "1",
            String(leaseMillis * 1000),
            held!,
            "0"
          )
          const until = Date.now() + 1000
          while (Date.now() < until) {
            // blocked
          }
        })
        const exit = yield* Fiber.join(waiter)
        yield* Fiber.interrupt(holder)
        assert.deepStrictEqual(
          exit,
          Exit.succeed("done"),
          `started ${started} (leases in Redis as it started: ${insideWhenStarted}); ${
            Exit.isFailure(exit) ? Cause.pretty(exit.cause).split("\n")[0] : ""
          }`
        )
      })),
    20_000
  )

  it.live(
    "a request whose process stalls between its try and the reply does not start on the lease that expired",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("stalled-try")
        const limiter = yield* RedisConcurrencyLimiter.make({
          name,
          prefix,
          url: url(),
          concurrency: 1,
          leaseTime: 600,
          pollInterval: 200
        })
        yield* limiter.inside // connected, scripts loaded
        let started = false
        const request = yield* Effect.forkChild(
          Effect.exit(limiter(Effect.andThen(
            Effect.sync(() => {
              started = true
            }),
            Effect.as(Effect.sleep("100 millis"), "done")
          ))),
          { startImmediately: true }
        )
        assert.strictEqual(yield* limiter.waiting, 1) // its try is sent: Redis gives it a lease of 600 ms
        yield* Effect.sync(() => {
          const until = Date.now() + 1000
          while (Date.now() < until) {
            // the process stalls for 1 s before it reads the reply
          }
        })
        const exit = yield* Fiber.join(request)
        // the README's stalled holder is interrupted; a request whose lease expired before it started
        // should not start on it (anyone may have taken the permit meanwhile): it either starts on a
        // lease it holds and ends normally, or fails without starting
        assert.isFalse(
          started && Exit.isFailure(exit),
          `the effect started on a lease that had expired, then was interrupted: ${
            Exit.isFailure(exit) ? Cause.pretty(exit.cause).split("\n")[0] : ""
          }`
        )
      })),
    20_000
  )
})
