/**
 * Review: the sliding window checked on Redis's own clock — every start's score, as the script
 * wrote it (seen through MONITOR) — with 3 limiters on 3 connections, costs 1 to 3 mixed.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Redis } from "ioredis"
import * as RedisRateLimiter from "../src/RedisRateLimiter.js"
import { freshName, mostWithin, prefix, url } from "./redis.js"

describe("sliding window on Redis's clock", { concurrent: false }, () => {
  it.live(
    "3 connections, costs 1–3 mixed: no closed window of interval (µs) holds more than limit units",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("redisclock")
        const LIMIT = 5
        const INTERVAL_MS = 300
        const key = `${prefix}:${name}:sliding-window`
        const scores: Array<number> = []
        const monitor = yield* Effect.acquireRelease(
          Effect.promise(async () => {
            const redis = new Redis(url())
            redis.on("error", () => {})
            const monitor = await redis.monitor()
            monitor.on("monitor", (_time: string, args: Array<string>) => {
              if (args[0]?.toUpperCase() === "ZADD" && args[1] === key) scores.push(Number(args[2]))
            })
            return { redis, monitor }
          }),
          ({ monitor, redis }) =>
            Effect.promise(() =>
              Promise.all([monitor.disconnect(), redis.quit()]).then(() => undefined, () => undefined)
            )
        )
        void monitor
        const limiters = yield* Effect.all(
          Array.from(
            { length: 3 },
            () => RedisRateLimiter.make({ name, prefix, url: url(), limit: LIMIT, interval: INTERVAL_MS })
          )
        )
        let units = 0
        yield* Effect.forEach(
          Array.from({ length: 30 }, (_, i) => i),
          (i) => {
            const cost = 1 + (i * 7) % 3
            units += cost
            return limiters[i % 3]!.take(cost)
          },
          { concurrency: "unbounded", discard: true }
        )
        yield* Effect.sleep("200 millis")
        assert.strictEqual(scores.length, units)
        scores.sort((a, b) => a - b)
        assert.isAtMost(mostWithin(scores, INTERVAL_MS * 1000 + 1), LIMIT)
      })),
    30_000
  )
})
