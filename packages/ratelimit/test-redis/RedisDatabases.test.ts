/**
 * Limits of one name in two databases of one Redis server are two limits: pub/sub spans every
 * database, so a limiter's channel names its database. (From the second review: failed before the
 * fix — database 1's resize reached database 0's limiter.)
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { Redis } from "ioredis"
import * as RedisRateLimiter from "../src/RedisRateLimiter.js"
import { freshName, prefix, url } from "./redis.js"

describe("the limiters on Redis: databases", { concurrent: false }, () => {
  it.live(
    "two limits of one name in two Redis databases are two limits: a resize in one does not change the other's numbers",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const name = yield* freshName("twodbs")
        const otherDb = new URL(url())
        otherDb.pathname = "/1"
        // database 1's keys of this name are removed with the scope
        yield* Effect.addFinalizer(() =>
          Effect.promise(async () => {
            const redis = new Redis(otherDb.toString())
            const keys = await redis.keys(`${prefix}:${name}:*`)
            if (keys.length > 0) await redis.del(...keys)
            await redis.quit()
          })
        )
        const options = { name, prefix, limit: 10, interval: "1 hour" } as const
        const mine = yield* RedisRateLimiter.make({ ...options, url: url() })
        const theirs = yield* RedisRateLimiter.make({ ...options, url: otherDb.toString() })
        yield* theirs.resize({ limit: 2 }) // stored in database 1, for database 1's limit
        yield* Effect.sleep("300 millis")
        // README: "Processes that make limiters of the same name, prefix and algorithm share one limit"
        // — the limit's state is in its keys, and database 0's keys were not resized
        assert.strictEqual(mine.options.limit, 10, "database 1's resize changed database 0's limiter")
        const exit = yield* Effect.exit(mine.withCost(5)(Effect.succeed("ran")))
        assert.deepStrictEqual(exit, Exit.succeed("ran"))
      })),
    20_000
  )
})
