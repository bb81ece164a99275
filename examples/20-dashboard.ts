/**
 * See it live — a dashboard of the running program in the browser.
 *
 * The guide's "monitor thread performance" ends in prints; a program that runs for hours is
 * watched instead. `Dashboard.layer()` serves one page, on 127.0.0.1, of everything made under it:
 * here a `FiberPool` resizing thumbnails, a `RateLimiter` in front of an API (20 calls a second,
 * asked for 25: calls wait), and a `TaskManager` sending emails, one in four to an address that
 * does not exist — those fail and stay as dead letters. Open the printed address: the figures move,
 * the Timeline scrolls, and with `write: true` each failed email has a Retry button (here the
 * example retries them itself at the end, as the button does). The page updates by Server-Sent
 * Events; there is nothing to install in the browser.
 *
 * It listens on port 9380, or on any free port when 9380 is taken (`DashboardUnavailable` is a
 * typed error: `Layer.catchTag`). It runs for `--seconds N` (default: 60 on a terminal, 3
 * otherwise — the tour), then prints what the page showed last.
 *
 * Run: pnpm tsx examples/20-dashboard.ts [--seconds N]
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Dashboard } from "@fiberkit/dashboard"
import { FiberPool } from "@fiberkit/executor"
import { RateLimiter } from "@fiberkit/ratelimit"
import { TaskManager, TaskStore } from "@fiberkit/tasks"
import { Console, Effect, Layer, Schedule, Schema } from "effect"

class NoMailbox extends Schema.TaggedError<NoMailbox>()("NoMailbox", { to: Schema.String }) {
  override get message() {
    return `no mailbox ${this.to}`
  }
}

const argument = process.argv.indexOf("--seconds")
const seconds = argument === -1 ? (process.stdout.isTTY ? 60 : 3) : Number(process.argv[argument + 1])
if (!(seconds >= 0.1 && seconds <= 86_400)) {
  throw new Error(`--seconds must be a number of seconds from 0.1 to 86400, got ${process.argv[argument + 1]}`)
}

/** Some milliseconds of work, different for each number. */
const work = (n: number) => Effect.sleep(`${10 + (n * 37) % 50} millis`)

const sendEmail = TaskManager.define("send-email", {
  args: Schema.String,
  failure: NoMailbox,
  run: (to) =>
    Effect.andThen(work(to.length), to.endsWith(".invalid") ? Effect.fail(new NoMailbox({ to })) : Effect.void)
})

const program = Effect.gen(function*() {
  const dashboard = yield* Dashboard.Dashboard
  yield* Console.log(`Dashboard: ${dashboard.url} (for ${seconds} s)`)

  const thumbnails = yield* FiberPool.make({ concurrency: 4, name: "thumbnails" })
  const api = yield* RateLimiter.make({ limit: 20, interval: "1 second", name: "api" })
  const emails = yield* TaskManager.make({ tasks: [sendEmail], concurrency: 2, name: "emails" })
  yield* Dashboard.watchTasks("emails", emails)

  // every 40 ms: 3 thumbnails, an API call, an email (every fourth to a mailbox that does not exist)
  let n = 0
  const round = Effect.gen(function*() {
    n++
    yield* Effect.forEach([0, 1, 2], (i) => thumbnails.submit(work(n + i)))
    yield* Effect.forkChild(api(work(n)))
    const to = n % 4 === 0 ? `user${n}@example.invalid` : `user${n}@example.com`
    yield* emails.add(sendEmail, to, { id: `email-${n}` })
  })
  yield* Effect.forkScoped(Effect.repeat(round, Schedule.spaced("40 millis")))
  yield* Effect.sleep(`${seconds} seconds`)

  // what the page showed last, then the dead letters replayed (the "Retry all failed" button)
  const snapshot = yield* dashboard.snapshot()
  for (const row of snapshot.instances.filter((row) => row.task === undefined)) {
    yield* Console.log(
      `${row.source} ${row.group}: ${row.outcomes.succeeded} succeeded, ${row.outcomes.failed} failed, ` +
        `${row.running} running, ${row.pending} waiting`
    )
  }
  const failed = snapshot.taskManagers[0]!.tasks.filter((task) => task.state === "failed")
  yield* Console.log(`Dead letters: ${failed.length}, e.g. ${failed[0]?.id}: ${failed[0]?.error}`)
  yield* Console.log(`Retry all failed: ${yield* emails.retryAll()} back in the queue`)
})

// port 9380, or any free one when it is taken; actions allowed (the page is on loopback only)
const dashboard = Dashboard.layer({ port: 9380, write: true }).pipe(
  Layer.catchTag("DashboardUnavailable", () => Dashboard.layer({ port: 0, write: true }))
)

program.pipe(Effect.scoped, Effect.provide(TaskStore.layerMemory), Effect.provide(dashboard), NodeRuntime.runMain)
