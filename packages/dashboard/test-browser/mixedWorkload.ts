/**
 * A busy program for the screenshot: a FiberPool resizing thumbnails, a rate-limited API client,
 * a bounded upload queue with two consumers, and a task manager sending emails, some of which
 * fail. It runs in the background for as long as the scope lasts.
 */
import * as FiberPool from "@fiberkit/executor/FiberPool"
import * as JoinableQueue from "@fiberkit/queue/JoinableQueue"
import * as RateLimiter from "@fiberkit/ratelimit/RateLimiter"
import * as TaskManager from "@fiberkit/tasks/TaskManager"
import * as TaskStore from "@fiberkit/tasks/TaskStore"
import { Effect, Schedule, Schema } from "effect"
import * as Dashboard from "../src/Dashboard.js"

const pause = (n: number) => Effect.sleep(`${10 + (n * 37) % 60} millis`)

export const mixedWorkload = Effect.gen(function*() {
  const thumbnails = yield* FiberPool.make({ concurrency: 4, name: "thumbnails" })
  const api = yield* RateLimiter.make({ limit: 20, interval: "1 second", name: "api" })
  const uploads = yield* JoinableQueue.make<number>({ capacity: 8, name: "uploads" })
  const sendEmail = TaskManager.define("send-email", {
    args: Schema.String,
    run: (to) =>
      Effect.andThen(
        pause(to.length),
        to.endsWith("@invalid") ? Effect.fail(`no mailbox ${to}`) : Effect.void
      )
  })
  const emails = yield* TaskManager.make({ tasks: [sendEmail], concurrency: 2, name: "emails" }).pipe(
    Effect.provide(TaskStore.layerMemory)
  )
  yield* Dashboard.watchTasks("emails", emails)

  let n = 0
  const round = Effect.gen(function*() {
    n++
    yield* Effect.forEach([0, 1, 2], (i) => thumbnails.submit(pause(n + i)))
    yield* Effect.forkChild(api(pause(n)))
    yield* uploads.tryPut(n)
    yield* emails.add("send-email", n % 4 === 0 ? `user${n}@invalid` : `user${n}@example.com`, { id: `email-${n}` })
  })
  yield* Effect.forkScoped(Effect.repeat(round, Schedule.spaced("40 millis")))
  const consume = Effect.forever(Effect.andThen(uploads.take, (item) => Effect.andThen(pause(item), uploads.taskDone)))
  yield* Effect.forkScoped(consume)
  yield* Effect.forkScoped(consume)
})
