/** Deleting a queue's keys after a test or a benchmark run (ioredis only, so that both can import it). */
import { Effect } from "effect"
import type { Redis } from "ioredis"

/** Deletes every key under `prefix:queue:` — BullMQ's and fiberkit's. */
export const removeQueue = (redis: Redis, prefix: string, queue: string): Effect.Effect<void> =>
  Effect.promise(async () => {
    let cursor = "0"
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:${queue}:*`, "COUNT", 1000)
      cursor = next
      if (keys.length > 0) await redis.unlink(...keys)
    } while (cursor !== "0")
  })
