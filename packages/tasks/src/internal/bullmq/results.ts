import type { Job } from "bullmq"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { TaskOutcomeUnreadable, type TaskStoreError } from "../../Errors.js"
import type * as Api from "../../TaskManager.js"
import type { TaskResult } from "../../TaskResult.js"
import { decodeFailure, decodeValue, parseFailure } from "./codec.js"
import { fromJobId } from "./jobIds.js"
import { type BullStore, type JobData, tryRedis } from "./store.js"

/**
 * The result of a task whose outcome could not be read: `unknown`, with the reason.
 *
 * @internal
 */
export const unreadable = (jobId: string, event: string, reason: string): Effect.Effect<TaskResult> =>
  Effect.map(Clock.currentTimeMillis, (now) => ({
    id: fromJobId(jobId),
    name: "",
    state: "unknown",
    error: new TaskOutcomeUnreadable({ id: fromJobId(jobId), event, reason }),
    attempts: 0,
    addedAt: now,
    startedAt: undefined,
    finishedAt: now
  }))

/**
 * The result of a job that ended, read when its event arrives: its value or typed error decoded
 * by the task's Schemas; `unknown` if the job is gone (removed as `retain` says before its
 * event was read).
 *
 * @internal
 */
export const resultOf = (
  store: BullStore,
  definitions: ReadonlyMap<string, Api.TaskDefinition.Any>,
  event: string,
  jobId: string
): Effect.Effect<TaskResult, TaskStoreError> =>
  Effect.gen(function*() {
    const job = (yield* tryRedis("read a task", () => store.queue.getJob(jobId))) as Job<JobData> | undefined
    if (job === undefined) return yield* unreadable(jobId, event, "its job is gone (removed before its event was read)")
    const definition = definitions.get(job.name)
    const record = store.record(job, event === "completed" ? "completed" : "failed")
    const base = {
      id: fromJobId(jobId),
      name: job.name,
      attempts: record.attempts,
      addedAt: record.addedAt,
      startedAt: record.startedAt,
      finishedAt: record.finishedAt ?? Date.now(),
      progress: record.progress
    }
    if (record.state === "succeeded") {
      return { ...base, state: "succeeded" as const, value: yield* decodeValue(definition, job.returnvalue) }
    }
    if (record.state === "cancelled") return { ...base, state: "cancelled" as const }
    const failure = parseFailure(job.failedReason) ?? { fiberkit: "defect", text: "failed" }
    return { ...base, state: "failed" as const, error: yield* decodeFailure(definition, failure, base.id) }
  })
