/** Redis for the integration tests: the URL CI gives, and a fresh queue per test, removed after it. */
import { Effect } from "effect"
import { Redis } from "ioredis"
import * as BullMQStore from "../src/BullMQStore.js"
import { removeQueue } from "./keys.js"

/** `FIBERKIT_REDIS_URL`: this project runs only when it is set (see `vitest.workspace.ts`). */
export const url = (): string => {
  const value = process.env.FIBERKIT_REDIS_URL
  if (value === undefined) throw new Error("FIBERKIT_REDIS_URL is not set")
  const host = new URL(value).hostname
  // the tests talk to loopback only
  if (!["127.0.0.1", "localhost", "[::1]"].includes(host)) throw new Error(`not a loopback address: ${host}`)
  return value
}

/** Deletes every key under `prefix:queue:`, on a connection of its own. */
export const removeQueueAt = (redisUrl: string, prefix: string, queue: string) =>
  Effect.acquireUseRelease(
    Effect.sync(() => new Redis(redisUrl)),
    (redis) => removeQueue(redis, prefix, queue),
    (redis) => Effect.sync(() => redis.disconnect())
  )

/** A store on a queue of its own, removed when the scope closes. */
export const freshStore = (options: BullMQStore.Options = {}) =>
  Effect.gen(function*() {
    const queue = options.queue ?? `test-${crypto.randomUUID()}`
    const redisUrl = url()
    yield* Effect.addFinalizer(() => removeQueueAt(redisUrl, "fiberkit-test", queue))
    return yield* BullMQStore.make({ url: redisUrl, queue, prefix: "fiberkit-test", ...options })
  })
