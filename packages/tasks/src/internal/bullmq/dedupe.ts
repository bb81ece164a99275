/**
 * Deduplication windows on BullMQ: each window is BullMQ's own deduplication key
 * (`<prefix>:<queue>:de:<window key>`, expiring at the window's end), set by BullMQ's add script
 * in one step with adding the window's task — so adds of one key from many processes add one
 * task per window. A debounce adds one step of its own before: while the window's task waits in
 * BullMQ's delayed set, it moves the task and the key's expiry later, in one script.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { TaskStoreError } from "../../Errors.js"
import type * as TaskStore from "../../TaskStore.js"
import { fromJobId } from "./jobIds.js"
import type { BullStore } from "./store.js"
import { tryRedis } from "./store.js"

/**
 * A debounce's move: the window's task waits for `at` (ms) instead, and the window lasts `ttl`
 * (ms) more; returns the task's job id. Nothing (nil) if the added task's own id is held (the add
 * then adds nothing, as without a window), if no window is open, or if the window's task no
 * longer waits for its time (taken, cancelled): the window is then over, its key deleted.
 * The job keeps its low 12 bits of BullMQ's delayed score (`getDelayedScore`: time × 4096 and an
 * order within the millisecond), its `delay` field (from its `timestamp`) and its data's `runAt`
 * follow: the data is JSON that `BullStore.jobOf` wrote, where `"runAt":` followed by digits can
 * only be that field (a quote inside the arguments' text is escaped).
 *
 * KEYS: the window's key, the delayed set, the added task's job. ARGV: job key prefix, at, ttl.
 */
const moveScript = `
if redis.call("EXISTS", KEYS[3]) == 1 then return false end
local id = redis.call("GET", KEYS[1])
if not id then return false end
local score = redis.call("ZSCORE", KEYS[2], id)
if not score then
  redis.call("DEL", KEYS[1])
  return false
end
local job = ARGV[1] .. id
local at = tonumber(ARGV[2])
redis.call("ZADD", KEYS[2], at * 4096 + tonumber(score) % 4096, id)
redis.call("HSET", job, "delay", at - tonumber(redis.call("HGET", job, "timestamp")))
local data = redis.call("HGET", job, "data")
redis.call("HSET", job, "data", (string.gsub(data, '"runAt":%-?%d+', '"runAt":' .. ARGV[2], 1)))
redis.call("PEXPIRE", KEYS[1], ARGV[3])
return id
`

/** Adds the job unless the window's key is set (BullMQ's deduplication); the job id that stands for it. */
const addOnce = async (
  store: BullStore,
  job: ReturnType<BullStore["jobOf"]>,
  window: TaskStore.DedupeWindow
): Promise<string> => {
  const added = await store.queue.add(job.name, job.data, {
    ...job.opts,
    deduplication: { id: window.key, ttl: window.ttl }
  })
  return added.id!
}

/** Adds a task through its window (see `TaskStore.addDeduped`). @internal */
export const addDeduped = (
  store: BullStore,
  task: TaskStore.NewTask,
  window: TaskStore.DedupeWindow
) =>
  Effect.flatMap(
    Effect.try({
      try: () => store.jobOf(task),
      catch: (cause) => new TaskStoreError({ operation: "store the arguments of a task", cause })
    }),
    (job) =>
      tryRedis("add a task through its window", async (): Promise<TaskStore.Deduped> => {
        // (`added` is true for an id BullMQ held already too: the BullMQ manager counts no adds)
        const answer = (jobId: string) => ({ id: fromJobId(jobId), added: jobId === job.opts.jobId })
        if (window.mode === "throttle") return answer(await addOnce(store, job, window))
        const key = `${store.queue.keys.de}:${window.key}`
        // (a second try only when another process opened the window between the move and the add)
        for (let tries = 1;; tries++) {
          const moved = await store.redis.eval(
            moveScript,
            3,
            key,
            store.queue.keys.delayed!,
            `${store.jobKeyPrefix}${job.opts.jobId}`,
            store.jobKeyPrefix,
            String(task.runAt),
            String(window.ttl)
          ) as string | null
          if (moved !== null) return { id: fromJobId(moved), added: false }
          const jobId = await addOnce(store, job, window)
          if (jobId === job.opts.jobId || tries === 3) return answer(jobId)
        }
      })
  )
