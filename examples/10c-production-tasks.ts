/**
 * Background tasks in production — delays, schedules, dead letters and replay, progress.
 *
 * What people pick BullMQ, pg-boss or graphile-worker for, on a durable store (SQLite, in a
 * temporary file; `BullMQStore.layer` runs the same program across processes):
 *
 * 1. Delays: a reminder added with `{ delay: "1200 millis" }` is `queued` with its `runAt`, and
 *    runs after its time; a task added after it runs first.
 * 2. Dead letters and replay: a card payment whose card is declined fails after its retry (1
 *    retry): `list({ state: "failed" })` shows it with its last error, and it never runs again on
 *    its own. Once the card is fixed, `retry(id)` queues it again: it succeeds, with `replays: 1`.
 * 3. Progress: an import reports `TaskContext.progress(rows done)`; `status(id).progress` shows
 *    it while it runs, and its result carries the last value.
 * 4. Schedules: `TaskSchedule.cron("heartbeat", …, cron: "* * * * * *")` adds a task every second
 *    (each tick's id names its time, so two managers on one store would run it once). The manager
 *    stops; 2.5 seconds later a new one on the same file resumes the schedule: of the ticks it
 *    missed, only the latest runs, at once, then one every second again.
 *
 * Run: pnpm tsx examples/10c-production-tasks.ts
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { TaskContext, TaskManager, TaskSchedule } from "@fiberkit/tasks"
import * as SqliteStore from "@fiberkit/tasks/SqliteStore"
import { Clock, Console, Data, Effect, Fiber, Schedule, Schema, Stream } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

class CardDeclined extends Data.TaggedError("CardDeclined")<{ readonly card: string }> {
  override get message() {
    return `card ${this.card} declined`
  }
}

/** The cards the bank declines: one, until it is fixed in step 2. */
const declined = new Set(["4000-0002"])

const chargeCard = TaskManager.define("charge-card", {
  args: Schema.Struct({ card: Schema.String, cents: Schema.Number }),
  run: ({ card, cents }) =>
    declined.has(card) ? Effect.fail(new CardDeclined({ card })) : Console.log(`  charged ${cents} cents to ${card}`),
  // one retry, 50 ms later
  retry: Schedule.max([Schedule.spaced("50 millis"), Schedule.recurs(1)])
})

const remind = TaskManager.define("remind", {
  args: Schema.String,
  run: (what) => Console.log(`  reminder "${what}" runs`)
})

const importRows = TaskManager.define("import-rows", {
  args: Schema.Number,
  run: (rows) =>
    Effect.forEach(
      Array.from({ length: rows }, (_, i) => i + 1),
      (done) => Effect.andThen(Effect.sleep("60 millis"), TaskContext.progress(done)),
      { discard: true }
    )
})

const heartbeat = TaskManager.define("heartbeat", { args: Schema.String, run: () => Effect.void })

const tasks = [chargeCard, remind, importRows, heartbeat]
const schedules = [TaskSchedule.cron("heartbeat", { task: heartbeat, args: "ping", cron: "* * * * * *" })]

/** The ticks of the heartbeat schedule the store holds, as their times. */
const ticks = (manager: TaskManager.TaskManager<(typeof tasks)[number]>) =>
  Effect.map(
    manager.list({ name: "heartbeat" }),
    (records) => records.map((record) => Number(record.id.split(":")[2])).sort((a, b) => a - b)
  )

const program = (filename: string) =>
  Effect.gen(function*() {
    const store = SqliteStore.layer({ filename })
    const first = Effect.scoped(Effect.gen(function*() {
      const manager = yield* TaskManager.make({ tasks, concurrency: 2, schedules })

      yield* Console.log("1. Delays")
      const later = yield* manager.add(remind, "stand up", { delay: "1200 millis" })
      const record = yield* manager.status(later)
      yield* Console.log(
        `  "stand up" is ${record.state}, runAt ${record.runAt! - record.addedAt} ms after it was added`
      )
      yield* manager.add(remind, "drink water")

      yield* Console.log("2. Dead letters and replay")
      const payment = yield* manager.add(chargeCard, { card: "4000-0002", cents: 1999 })
      while ((yield* manager.status(payment)).state !== "failed") yield* Effect.sleep("20 millis")
      const [dead] = yield* manager.list({ state: "failed" })
      yield* Console.log(`  dead letter: ${dead!.name} after ${dead!.attempts} attempts — ${dead!.error}`)
      declined.delete("4000-0002")
      yield* Console.log(`  the card is fixed; retry: ${yield* manager.retry(payment)}`)
      while ((yield* manager.status(payment)).state !== "succeeded") yield* Effect.sleep("20 millis")
      const replayed = yield* manager.status(payment)
      yield* Console.log(`  ${replayed.state}, replays: ${replayed.replays}, attempts: ${replayed.attempts}`)

      yield* Console.log("3. Progress")
      const results = yield* manager.subscribe
      const imported = yield* manager.add(importRows, 10)
      const result = yield* Effect.forkChild(Stream.runHead(Stream.filter(results, (r) => r.id === imported)))
      yield* Effect.sleep("330 millis")
      const halfway = (yield* manager.status(imported)).progress ?? 0
      yield* Console.log(
        `  while it runs: progress ${halfway >= 1 && halfway < 10 ? "between 1 and 9" : halfway} of 10`
      )
      const ended = yield* Fiber.join(result)
      yield* Console.log(
        `  its result: ${ended._tag === "Some" ? `${ended.value.state}, progress ${ended.value.progress}` : "none"}`
      )

      yield* Console.log("4. Schedules")
      while ((yield* ticks(manager)).length < 3) yield* Effect.sleep("50 millis")
      yield* manager.shutdown({ drain: true })
      const seen = yield* ticks(manager)
      yield* Console.log(
        `  ${seen.length} heartbeats, one second apart: ${seen.slice(1).every((t, i) => t - seen[i]! === 1000)}`
      )
      const reminder = yield* manager.status(later)
      yield* Console.log(
        `  "stand up" started at least 1.2 s after it was added: ${reminder.startedAt! - reminder.addedAt >= 1200}`
      )
      return seen.at(-1)!
    })).pipe(Effect.provide(store))
    const last = yield* first
    yield* Console.log("  the manager stops; 2.5 seconds pass")
    yield* Effect.sleep("2500 millis")
    yield* Effect.scoped(Effect.gen(function*() {
      const manager = yield* TaskManager.make({ tasks, concurrency: 2, schedules })
      const restarted = yield* Clock.currentTimeMillis
      while ((yield* ticks(manager)).filter((t) => t > last).length < 2) yield* Effect.sleep("50 millis")
      yield* manager.shutdown({ drain: true })
      const after = (yield* ticks(manager)).filter((t) => t > last)
      const missed = after.filter((t) => t <= restarted)
      yield* Console.log(
        `  a new manager on the file: ${missed.length} missed heartbeat run (the latest), then on schedule: ${
          after[1]! - after[0]! === 1000
        }`
      )
    })).pipe(Effect.provide(store))
  })

const main = Effect.acquireUseRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "fiberkit-10c-"))),
  (dir) => program(path.join(dir, "tasks.db")),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

NodeRuntime.runMain(main)
