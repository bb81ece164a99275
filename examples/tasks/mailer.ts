/**
 * The durable half of `10-background-tasks.ts`: a `send-email` task that delivers to a mailbox
 * file, and the child process that adds the emails. The example runs this module as a child
 * process — `node <execArgv> tasks/mailer.ts <tasks.db> <mailbox.log>` — which adds every email
 * to a TaskManager on the SQLite store and starts sending them, until the example kills it; the
 * example imports `sendEmail`, `Mailbox` and `emails` from here to restart the manager on the
 * same file.
 *
 * The mailbox is a file with one line per email delivered (appended synchronously: a line is on
 * disk once written, even if the process is killed right after). Its "mail API" takes an
 * idempotency key, the email's `messageId`, and accepts each key once: a send whose key is
 * already in the mailbox delivers nothing. That is what turns the task manager's at-least-once
 * (a task killed after sending but before its end was stored runs again) into exactly once.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { TaskManager } from "@fiberkit/tasks"
import * as SqliteStore from "@fiberkit/tasks/SqliteStore"
import { Console, Context, Effect, Layer, Schema } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** Where the emails are delivered: one line per email, `<messageId> <to> <subject>`. */
export class Mailbox extends Context.Service<Mailbox, { readonly file: string }>()("examples/Mailbox") {
  static readonly layer = (file: string) => Layer.succeed(Mailbox, { file })
}

/** The lines of the mailbox file: every email delivered so far. */
export const delivered = (file: string): ReadonlyArray<{ readonly messageId: string; readonly to: string }> =>
  fs.existsSync(file)
    ? fs.readFileSync(file, "utf8").split("\n").filter((line) => line !== "").map((line) => {
      const [messageId = "", to = ""] = line.split(" ")
      return { messageId, to }
    })
    : []

/**
 * The durable email task. A send takes about 100 ms: 50 ms to reach the mail server, the
 * delivery (the mailbox line), then 50 ms waiting for the server's "250 OK" before the task
 * ends — a kill in those last 50 ms leaves an email delivered whose task is not finished.
 */
export const sendEmail = TaskManager.define("send-email", {
  args: Schema.Struct({ messageId: Schema.String, to: Schema.String, subject: Schema.String }),
  run: ({ messageId, subject, to }) =>
    Effect.gen(function*() {
      const { file } = yield* Mailbox
      yield* Effect.sleep("50 millis") // connect to the mail server
      if (delivered(file).some((email) => email.messageId === messageId)) {
        // the idempotency key: this email was delivered before (by a run that was killed)
        yield* Console.log(`  ${messageId} to ${to}: already in the mailbox — not sent again`)
        return "already delivered"
      }
      fs.appendFileSync(file, `${messageId} ${to} ${subject}\n`) // delivered
      yield* Console.log(`  ${messageId} sent to ${to}`)
      yield* Effect.sleep("50 millis") // wait for "250 OK"
      return "delivered"
    })
})

const names = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "oscar"]

/** The 12 emails the child adds, each to a different address. */
export const emails = names.map((name, i) => ({
  messageId: `email-${String(i + 1).padStart(2, "0")}`,
  to: `${name}@example.com`,
  subject: i % 2 === 0 ? "Welcome" : "Newsletter"
}))

/**
 * The child process: adds every email to a manager on the SQLite store (each `add` has written
 * its task to the file when it returns), prints each task's id, then sends with 2 workers.
 */
const child = (database: string, mailbox: string) =>
  Effect.scoped(Effect.gen(function*() {
    const manager = yield* TaskManager.make({ tasks: [sendEmail], concurrency: 2 })
    for (const email of emails) {
      const id = yield* manager.add(sendEmail, email)
      yield* Console.log(`added ${email.messageId} ${id}`)
    }
    yield* manager.shutdown({ drain: true }) // not reached when the example kills this process
  })).pipe(
    Effect.provide(Layer.merge(SqliteStore.layer({ filename: database }), Mailbox.layer(mailbox)))
  )

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [database, mailbox] = process.argv.slice(2)
  if (database === undefined || mailbox === undefined) throw new Error("usage: mailer.ts <tasks.db> <mailbox.log>")
  NodeRuntime.runMain(child(database, mailbox))
}
