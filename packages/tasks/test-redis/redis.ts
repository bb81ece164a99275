/** Redis for the integration tests: the URL CI gives, and a fresh queue per test, removed after it. */
import { Effect } from "effect"
import { Redis } from "ioredis"
import * as BullMQStore from "../src/BullMQStore.js"

/** `FIBERKIT_REDIS_URL`: this project runs only when it is set (see `vitest.workspace.ts`). */
export const url = (): string => {
  const value = process.env.FIBERKIT_REDIS_URL
  if (value === undefined) throw new Error("FIBERKIT_REDIS_URL is not set")
  const host = new URL(value).hostname
  // the tests talk to loopback only
  if (!["127.0.0.1", "localhost", "[::1]"].includes(host)) throw new Error(`not a loopback address: ${host}`)
  return value
}

/** Deletes every key under `prefix:queue`. */
export const removeQueue = (redisUrl: string, prefix: string, queue: string) =>
  Effect.promise(async () => {
    const redis = new Redis(redisUrl)
    try {
      let cursor = "0"
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:${queue}:*`, "COUNT", 1000)
        cursor = next
        if (keys.length > 0) await redis.del(...keys)
      } while (cursor !== "0")
    } finally {
      redis.disconnect()
    }
  })

/** A store on a queue of its own, removed when the scope closes. */
export const freshStore = (options: BullMQStore.Options = {}) =>
  Effect.gen(function*() {
    const queue = `test-${crypto.randomUUID()}`
    const redisUrl = url()
    yield* Effect.addFinalizer(() => removeQueue(redisUrl, "fiberkit-test", queue))
    return yield* BullMQStore.make({ url: redisUrl, queue, prefix: "fiberkit-test", ...options })
  })
