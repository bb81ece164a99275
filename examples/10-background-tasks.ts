/**
 * Background task manager — TaskManager, the guide's BackgroundTaskManager.
 *
 * The guide's `BackgroundTaskManager(num_workers=2)` starts worker threads that loop on
 * `task_queue.get(timeout=1)`, run `task_func(*args)` and put `("success", task_id, result)` or
 * `("error", task_id, str(e))` on a `result_queue`; `add_task(email_task, ("alice@example.com",
 * "Welcome"), "email-1")` queues an email, `task_manager.task_queue.join()` waits, `get_results()`
 * drains the results, and `shutdown()` sets an event the workers notice within a second. What it
 * loses: a task that fails is never tried again, results must be polled, and everything queued
 * is gone when the process dies — the emails not yet sent are never sent.
 *
 * 1. `TaskManager.make({ tasks: [sendEmail], concurrency: 3 })` with `TaskStore.layerMemory`
 *    provided (a manager needs a store: memory is a choice, not a silent default): the guide's email
 *    task, defined with a Schema for its arguments and a retry Schedule that reads its typed error.
 *    `manager.subscribe` gives a stream of every result from then on, typed by the task's
 *    definition, printed as it arrives. carol's mailbox is busy on the first attempt: the retry
 *    (up to 2 retries, 100 ms apart) sends it on the second; nobody@invalid has no mailbox, which
 *    no retry can fix: it fails once, not retried. `shutdown({ drain: true })` runs every queued task
 *    to its end, then stops the workers; an `add` after it fails `TaskManagerShutDown`.
 * 2. The same with a durable store, `SqliteStore.layer({ filename })`, in a temporary file. A
 *    child process (`tasks/mailer.ts`) adds 12 emails and sends them with 2 workers, each
 *    delivery a line in a mailbox file; after 4 deliveries it gets SIGKILL — no finalizer, no
 *    shutdown. Then a new manager on the same file, which adds nothing: the tasks the child left
 *    unfinished are recovered and sent, `join` waits for them, and the mailbox shows every email
 *    once. A task killed after its delivery but before its end was stored runs again (that is
 *    at-least-once); the mail API's idempotency key (the email's id) makes that second run
 *    deliver nothing, so every email is sent exactly once.
 *
 * `--timeline FILE.svg` draws every attempt of the two managers of this process in FILE.svg, one
 * row per worker (the child's manager runs in its own process and is not drawn); `--chart` prints
 * the same chart here (see `timeline.ts`).
 *
 * Run: pnpm tsx examples/10-background-tasks.ts
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { type Errors, TaskManager, TaskStore } from "@fiberkit/tasks"
import * as SqliteStore from "@fiberkit/tasks/SqliteStore"
import { Clock, Console, Data, Effect, Fiber, Layer, Ref, Schedule, Schema, Stream } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as readline from "node:readline"
import { fileURLToPath } from "node:url"
import { delivered, emails, Mailbox, sendEmail as durableSendEmail } from "./tasks/mailer.js"
import { withTimeline } from "./timeline.js"

// ---------------------------------------------------------------------------------------------
// 1. In memory: results as they arrive, a retried task, a graceful shutdown
// ---------------------------------------------------------------------------------------------

class MailboxBusy extends Data.TaggedError("MailboxBusy")<{ readonly to: string }> {
  override get message() {
    return `${this.to}: mailbox busy, try again later`
  }
}

class NoSuchMailbox extends Data.TaggedError("NoSuchMailbox")<{ readonly to: string }> {
  override get message() {
    return `${this.to}: no such mailbox`
  }
}

/** Attempts per address so far: this process's state, which the mail server below reads. */
const attemptsByAddress = new Map<string, number>()

/**
 * The guide's `email_task(recipient, subject)`: 100 ms (the guide's 0.5 s, shorter), then "Email
 * sent to …". Its retry reads its typed error: a busy mailbox is tried again (up to 2 times, 100 ms
 * apart), a mailbox that does not exist is not.
 */
const sendEmail = TaskManager.define("send-email", {
  args: Schema.Struct({ to: Schema.String, subject: Schema.String }),
  run: ({ subject, to }) =>
    Effect.gen(function*() {
      const attempt = (attemptsByAddress.get(to) ?? 0) + 1
      attemptsByAddress.set(to, attempt)
      yield* Console.log(`  sending "${subject}" to ${to} (attempt ${attempt})`)
      yield* Effect.sleep("100 millis")
      const error = to === "nobody@invalid"
        ? new NoSuchMailbox({ to })
        : to === "carol@example.com" && attempt === 1 // busy once
        ? new MailboxBusy({ to })
        : undefined
      if (error !== undefined) {
        yield* Console.log(`  attempt ${attempt} fails ${error._tag}: ${error.message}`)
        return yield* error
      }
      return `Email sent to ${to}`
    }),
  retry: Schedule.max([Schedule.spaced("100 millis"), Schedule.recurs(2)]).pipe(
    Schedule.setInputType<MailboxBusy | NoSuchMailbox | Errors.TaskTimeout>(),
    Schedule.while(({ input }) => input._tag !== "NoSuchMailbox")
  )
})

const inMemory = Effect.scoped(Effect.gen(function*() {
  yield* Console.log("1. In memory: 3 workers, up to 2 retries 100 ms apart, none for a mailbox that does not exist")
  const manager = yield* TaskManager.make({ tasks: [sendEmail], concurrency: 3 })

  const outbox = [
    { to: "alice@example.com", subject: "Welcome" },
    { to: "bob@example.com", subject: "Newsletter" },
    { to: "carol@example.com", subject: "Invoice" },
    { to: "dave@example.com", subject: "Welcome" },
    { to: "nobody@invalid", subject: "Newsletter" }
  ]
  /** The guide's task ids, "email-1" …, by the manager's ids. */
  const names = new Map<string, string>()

  // Subscribed before the first add: no result is missed. Printed as they arrive.
  const results = yield* manager.subscribe
  const printer = yield* results.pipe(
    Stream.take(outbox.length),
    Stream.runForEach((result) => {
      const name = `${names.get(result.id)} (${result.attempts === 1 ? "1 attempt" : `${result.attempts} attempts`})`
      switch (result.state) {
        case "succeeded":
          return Console.log(`✓ ${name}: ${result.value}`)
        case "cancelled":
          return Console.log(`✗ ${name}: cancelled`)
        default: // failed with the task's typed error or the manager's own; unknown
          return Console.log(`✗ ${name}: ${result.state}, ${result.error.message}`)
      }
    }),
    Effect.forkChild
  )

  const start = yield* Clock.currentTimeMillis
  for (const [i, email] of outbox.entries()) {
    const id = yield* manager.add(sendEmail, email)
    names.set(id, `email-${i + 1} to ${email.to}`)
  }
  yield* Console.log(`Added ${outbox.length} emails`)

  yield* manager.shutdown({ drain: true })
  const seconds = ((yield* Clock.currentTimeMillis) - start) / 1000
  yield* Fiber.join(printer)
  yield* Console.log(`shutdown({ drain: true }) returned after ${seconds.toFixed(1)}s: every task ran to its end`)
  const refused = yield* Effect.flip(manager.add(sendEmail, { to: "erin@example.com", subject: "Late" }))
  yield* Console.log(`add after shutdown: fails ${refused._tag}`)
})).pipe(Effect.provide(TaskStore.layerMemory)) // in memory, chosen on purpose

// ---------------------------------------------------------------------------------------------
// 2. SQLite: the child is killed halfway, a new manager finishes its tasks
// ---------------------------------------------------------------------------------------------

/** A temporary folder for the database and the mailbox, removed at the end. */
const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "fiberkit-tasks-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

/** `tasks/mailer.ts`, or the `.js` it compiles to where this example runs compiled. */
const mailerFile = ((compiled) => fs.existsSync(compiled) ? compiled : compiled.replace(/\.js$/, ".ts"))(
  fileURLToPath(new URL("./tasks/mailer.js", import.meta.url))
)

/** The child process running `tasks/mailer.ts`, killed when the scope closes if it still runs. */
const startChild = (database: string, mailbox: string) =>
  Effect.acquireRelease(
    Effect.sync(() =>
      spawn(
        process.execPath,
        [...process.execArgv, mailerFile, database, mailbox],
        { stdio: ["ignore", "pipe", "inherit"] }
      )
    ),
    (child) =>
      Effect.sync(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
      })
  )

/** The child's output, line by line, until its stdout closes. */
const outputLines = (child: ChildProcess): Stream.Stream<string, Error> =>
  Stream.fromAsyncIterable(
    readline.createInterface({ input: child.stdout! }),
    (cause) => new Error("the child's output could not be read", { cause })
  )

/** Waits for the child to end: the signal that ended it, or its exit code. */
const exited = (child: ChildProcess) =>
  Effect.callback<string>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      return resume(Effect.succeed(child.signalCode ?? `exit code ${child.exitCode}`))
    }
    child.once("exit", (code, signal) => resume(Effect.succeed(signal ?? `exit code ${code}`)))
  })

const KILL_AFTER = 4

const durable = Effect.scoped(Effect.gen(function*() {
  yield* Console.log(`\n2. SQLite store: ${emails.length} emails, 2 workers, the process killed halfway`)
  const dir = yield* tempDir
  const database = path.join(dir, "tasks.db")
  const mailbox = path.join(dir, "mailbox.log")

  // The child adds every email (it prints "added <messageId> <task id>") and starts sending.
  const child = yield* startChild(database, mailbox)
  // Its output is relayed, line by line, until it ends; after its 4th delivery it gets SIGKILL.
  const ids = new Map<string, string>()
  const sent = yield* Ref.make(0)
  yield* Stream.runForEach(outputLines(child), (line) => {
    const added = /^added (\S+) (\S+)$/.exec(line)
    if (added !== null) return Effect.sync(() => void ids.set(added[1]!, added[2]!))
    const delivery = / sent to /.test(line)
    return Console.log(`  child: ${line.trim()}`).pipe(
      Effect.andThen(Ref.updateAndGet(sent, (n) => delivery ? n + 1 : n)),
      // no finalizer runs, no shutdown: as a crash or `kill -9`
      Effect.andThen((n) => delivery && n === KILL_AFTER ? Effect.sync(() => child.kill("SIGKILL")) : Effect.void)
    )
  })
  const ended = yield* exited(child)
  if (ended !== "SIGKILL") return yield* Effect.die(new Error(`the child ended before it was killed: ${ended}`))
  const killedAt = yield* Clock.currentTimeMillis
  const beforeKill = delivered(mailbox).length
  yield* Console.log(
    `Child killed (${ended}) after ${beforeKill} emails delivered; ${ids.size} emails were added to the store`
  )

  // A new manager on the same file, adding nothing: it recovers the unfinished tasks and runs them.
  yield* Console.log("Restarted: a new TaskManager on the same SQLite file, nothing added")
  yield* Effect.scoped(Effect.gen(function*() {
    const manager = yield* TaskManager.make({ tasks: [durableSendEmail], concurrency: 2 })
    yield* manager.join
    yield* manager.shutdown({ drain: true })

    const records = yield* Effect.forEach(emails, ({ messageId }) => manager.status(ids.get(messageId)!))
    const succeeded = records.filter((record) => record.state === "succeeded").length
    const recovered = records.filter((record) => record.startedAt !== undefined && record.startedAt >= killedAt)
    const rerun = recovered.filter((record) => record.attempts > 1).map((record) =>
      emails.find((email) => ids.get(email.messageId) === record.id)!.messageId
    )
    yield* Console.log(
      `Statuses: ${succeeded} of ${records.length} succeeded; ${recovered.length} recovered and run after the restart, ` +
        `${rerun.length} of them running when killed (attempts: 2): ${rerun.join(", ") || "none"}`
    )
  })).pipe(Effect.provide(Layer.merge(SqliteStore.layer({ filename: database }), Mailbox.layer(mailbox))))

  const lines = delivered(mailbox)
  const counts = new Map<string, number>()
  for (const { to } of lines) counts.set(to, (counts.get(to) ?? 0) + 1)
  const twice = [...counts].filter(([, n]) => n > 1).map(([to]) => to)
  yield* Console.log(
    `Mailbox: ${lines.length} emails (${beforeKill} before the kill, ${
      lines.length - beforeKill
    } after the restart), ` +
      `${counts.size} distinct addresses, sent twice: ${twice.join(", ") || "none"}`
  )
  yield* Console.log(
    "A task running when the child was killed ran again (at-least-once): if it had delivered its email, the " +
      "email's id, an idempotency key the mail API accepts once, kept the second run from delivering it again"
  )
  yield* Console.log(
    `Every email sent exactly once: ${
      lines.length === emails.length && counts.size === emails.length && twice.length === 0
    }`
  )
}))

NodeRuntime.runMain(
  withTimeline(Effect.andThen(inMemory, durable), {
    title: "10 · Background task manager: TaskManager, in memory and on SQLite"
  })
)
