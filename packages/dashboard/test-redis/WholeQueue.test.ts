/**
 * The dashboard of a BullMQ task manager shows the whole queue, across processes: another
 * process (a child) adds four tasks and runs one; this process's manager, the one the page
 * watches, runs two. The page lists each task in its state wherever it runs, with the error of
 * the one that failed; its Cancel stops the task running in the other process, whose worker then
 * takes the last one; its Retry queues the failed one again, which runs once a worker is free.
 */
import { assert, describe, it } from "@effect/vitest"
import * as BullMQStore from "@fiberkit/tasks/BullMQStore"
import * as TaskManager from "@fiberkit/tasks/TaskManager"
import { ChildScript } from "@fiberkit/testkit"
import { Effect } from "effect"
import { Redis } from "ioredis"
import * as path from "node:path"
import * as Dashboard from "../src/Dashboard.js"
import type * as Snapshot from "../src/Snapshot.js"
import { act, eventually, snapshotOf } from "../test/fixtures.js"
import { fail, hold } from "./fixtures/jobs.js"

const redisUrl = (): string => {
  const value = process.env.FIBERKIT_REDIS_URL
  if (value === undefined) throw new Error("FIBERKIT_REDIS_URL is not set")
  return value
}

/** Deletes the queue's keys (this test's prefix and queue only). */
const removeQueue = (queue: string) =>
  Effect.promise(async () => {
    const redis = new Redis(redisUrl())
    const keys = await redis.keys(`fiberkit-test:${queue}:*`)
    if (keys.length > 0) await redis.del(...keys)
    redis.disconnect()
  })

/** The other process, ready once it has added `tasks`; killed with the scope. */
const otherProcess = (queue: string, tasks: ReadonlyArray<string>) =>
  ChildScript.start(path.join(__dirname, "fixtures", "otherProcess.ts"), [redisUrl(), queue, ...tasks])

const stateOf = (snapshot: Snapshot.Snapshot, id: string) =>
  snapshot.taskManagers[0]?.tasks.find((task) => task.id === id)

describe("the dashboard of a BullMQ task manager", () => {
  it.live(
    "shows the whole queue across processes; cancel and retry act on tasks wherever they run",
    () =>
      Effect.gen(function*() {
        const { url } = yield* Dashboard.Dashboard
        const queue = `dashboard-${crypto.randomUUID()}`
        yield* Effect.addFinalizer(() => removeQueue(queue))
        // the other process's one worker takes h1 as soon as it is added, and holds it
        const other = yield* otherProcess(queue, ["hold:h1", "fail:f1", "hold:h2", "hold:h3"])
        yield* eventually(
          Effect.sync(() => other.lines),
          (lines) => lines.some((l) => l.startsWith("running h1")),
          "h1 there"
        )

        // this process's manager, watched by the page: it takes f1 (fails), then h2 (holds)
        const store = yield* BullMQStore.make({ url: redisUrl(), queue, prefix: "fiberkit-test" })
        const here = yield* TaskManager.make({ tasks: [hold, fail], concurrency: 1, store, name: "here" })
        yield* Dashboard.watchTasks("queue", here)
        const seen = yield* eventually(
          snapshotOf(url),
          (s) => stateOf(s, "h2")?.state === "running" && stateOf(s, "f1")?.state === "failed",
          "h2 running here, f1 failed"
        )
        assert.deepStrictEqual(
          ["h1", "f1", "h2", "h3"].map((id) => stateOf(seen, id)?.state),
          ["running", "failed", "running", "queued"]
        )
        assert.strictEqual(stateOf(seen, "f1")?.error, "f1 failed in the other process")

        // Cancel on the page: h1, running in the other process, stops there; its worker takes h3
        const cancelled = yield* act(url, "cancel", { manager: "queue", id: "h1" })
        assert.deepStrictEqual(cancelled.json, { done: true })
        const after = yield* eventually(
          snapshotOf(url),
          (s) => stateOf(s, "h1")?.state === "cancelled" && stateOf(s, "h3")?.state === "running",
          "h1 cancelled, h3 running"
        )
        assert.strictEqual(stateOf(after, "h2")?.state, "running")
        yield* eventually(
          Effect.sync(() => other.lines),
          (lines) => lines.some((l) => l.startsWith("running h3")),
          "h3 there"
        )

        // Retry on the page: f1 is queued again (both workers hold a task), replayed once; once
        // h2 is cancelled from the page too, this process's worker runs it, and it fails again
        const retried = yield* act(url, "retry", { manager: "queue", id: "f1" })
        assert.deepStrictEqual(retried.json, { done: true })
        const queued = yield* eventually(snapshotOf(url), (s) => stateOf(s, "f1")?.state === "queued", "f1 queued")
        assert.deepStrictEqual([stateOf(queued, "f1")?.replays, stateOf(queued, "f1")?.error], [1, undefined])
        assert.deepStrictEqual((yield* act(url, "cancel", { manager: "queue", id: "h2" })).json, { done: true })
        const again = yield* eventually(snapshotOf(url), (s) => stateOf(s, "f1")?.state === "failed", "f1 failed again")
        assert.deepStrictEqual(
          [stateOf(again, "f1")?.replays, stateOf(again, "f1")?.error, stateOf(again, "h2")?.state],
          [1, "f1 failed in the other process", "cancelled"]
        )
      }).pipe(Effect.scoped, Effect.provide(Dashboard.layer({ port: 0, write: true }))),
    60_000
  )
})
