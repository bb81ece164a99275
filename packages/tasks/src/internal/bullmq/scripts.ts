/**
 * The few steps the BullMQ store takes on BullMQ's keys itself, in Lua, each atomic. They follow
 * BullMQ 6.7's own scripts (`dist/cjs/commands/*.lua`) and its key layout (`queue.keys`): check
 * them again when BullMQ is upgraded.
 *
 * @internal
 */
import { type Job, UnrecoverableError } from "bullmq"
import { cancelledFailure, cancelMark } from "./codec.js"
import type { BullStore, JobData } from "./store.js"

/**
 * Wakes a Worker that waits for a job (BullMQ 6.7's `addBaseMarkerIfNeeded`, as its scripts do
 * after putting a job where workers take from): the marker, unless the queue is paused or at its
 * global concurrency. Needed after `Job.moveToWait`: BullMQ 6.7's `moveJobFromActiveToWait` adds
 * the marker for a job of its wait list, but puts a prioritized job — every task of this store —
 * back in the prioritized set without one (`pushBackJobWithPriority`), so an idle worker slept on
 * until its blocking wait timed out (`drainDelay`, 5 s).
 *
 * KEYS: meta, active, marker.
 */
const wakeScript = `
local attributes = redis.call("HMGET", KEYS[1], "paused", "concurrency")
if attributes[1] then return 0 end
if attributes[2] and redis.call("LLEN", KEYS[2]) >= tonumber(attributes[2]) then return 0 end
redis.call("ZADD", KEYS[3], 0, "0")
return 1
`

/**
 * Puts a running job back in the queue, before the jobs of its priority, and wakes an idle worker
 * to take it. (The move and the wake are two steps: a worker that takes the job in between only
 * makes the wake a spurious one, which BullMQ's workers allow for.)
 *
 * @internal
 */
export const handBack = async (store: BullStore, job: Job<JobData>, token: string | undefined): Promise<void> => {
  await job.moveToWait(token)
  const keys = store.queue.keys
  await store.redis.eval(wakeScript, 3, keys.meta!, keys.active!, keys.marker!)
}

/**
 * Marks an unfinished job cancelled, in one step with reading where it is: -1 if there is no such
 * job, 0 if it has finished, 2 if a worker has it (marked: a worker that gives it back leaves it
 * to be failed with the mark), 1 if it was queued — in BullMQ 6.7's wait list, prioritized set or
 * delayed set: taken out of there, so that no worker can take it any more, and put in the active
 * list (without a lock), from which `failQueued` moves it to failed. The mark stays on it: if
 * that move never happens (Redis went away), BullMQ's stalled-job check puts the job back in the
 * wait list, and a worker that takes it fails it with the mark, unrun. 3 if it is marked but in
 * none of those (a state BullMQ's scripts never leave a job in between).
 *
 * KEYS: the job, active, wait, paused, prioritized, delayed. ARGV: the mark, the job id.
 */
const cancelScript = `
if redis.call("EXISTS", KEYS[1]) == 0 then return -1 end
if redis.call("HEXISTS", KEYS[1], "finishedOn") == 1 then return 0 end
redis.call("HSET", KEYS[1], "defa", ARGV[1])
if redis.call("LPOS", KEYS[2], ARGV[2]) then return 2 end
local removed = redis.call("LREM", KEYS[3], 0, ARGV[2]) + redis.call("LREM", KEYS[4], 0, ARGV[2])
  + redis.call("ZREM", KEYS[5], ARGV[2]) + redis.call("ZREM", KEYS[6], ARGV[2])
if removed == 0 then return 3 end
redis.call("LPUSH", KEYS[2], ARGV[2])
return 1
`

/** Where `markCancelled` found the job. @internal */
export type Marked = "unknown" | "finished" | "queued" | "running" | "marked"

const markedBy: Record<number, Marked> = { [-1]: "unknown", 0: "finished", 1: "queued", 2: "running", 3: "marked" }

/** Marks a job cancelled (see `cancelScript`); a queued one is then for `failQueued` to end. @internal */
export const markCancelled = async (store: BullStore, jobId: string): Promise<Marked> => {
  const keys = store.queue.keys
  const found = await store.redis.eval(
    cancelScript,
    6,
    `${store.jobKeyPrefix}${jobId}`,
    keys.active!,
    keys.wait!,
    keys.paused!,
    keys.prioritized!,
    keys.delayed!,
    JSON.stringify(cancelMark),
    jobId
  )
  return markedBy[found as number] ?? "marked"
}

/**
 * Ends a job `markCancelled` took out of the queue: failed as cancelled by BullMQ's own move to
 * failed (its `failed` event, the `removeOnFail` trimming), with the lock token "0", which
 * BullMQ 6.7's `removeLock` lets through for a job without a lock. No attempt of it started
 * there: the failure says so by not being the mark (`unstarted`), which BullMQ's take would have
 * counted.
 *
 * @internal
 */
export const failQueued = async (store: BullStore, jobId: string): Promise<void> => {
  const job = await store.queue.getJob(jobId)
  if (job === undefined) return
  await job.moveToFailed(new UnrecoverableError(JSON.stringify(cancelledFailure)), "0", false)
}

/**
 * A take that will not run its job (its definition is at its `concurrency` here): BullMQ counted
 * it as an attempt started (`ats`) and dated it (`processedOn`), the task's record must not —
 * the date is dropped while no attempt has started (after one, it shows the put-off take's time).
 *
 * @internal
 */
export const uncountTake = async (store: BullStore, jobId: string): Promise<void> => {
  await store.redis.eval(uncountScript, 1, `${store.jobKeyPrefix}${jobId}`)
}

/** KEYS: the job. One take less; a job no attempt of which started has no start time either. */
const uncountScript = `
if redis.call("HINCRBY", KEYS[1], "ats", -1) <= 0 then redis.call("HDEL", KEYS[1], "processedOn") end
return 1
`
