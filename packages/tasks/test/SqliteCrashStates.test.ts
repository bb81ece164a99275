/**
 * The new states through a crash of the SQLite store's process (SIGKILL): delayed tasks run once,
 * after their time, in the process that comes next; a dead letter is never run again; a schedule
 * resumes from its last tick — each tick once, the latest missed one run at the start.
 */
import { assert, describe, it } from "@effect/vitest"
import { ChildScript } from "@fiberkit/testkit"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as SqliteStore from "../src/SqliteStore.js"
import * as TaskManager from "../src/TaskManager.js"
import { beat, doomed } from "./fixtures/crashStates.js"
import { connect } from "./fixtures/sqlite.js"
import { work } from "./fixtures/work.js"

const tempDir = Effect.acquireRelease(
  Effect.sync(() => fs.mkdtempSync(path.join(os.tmpdir(), "fiberkit-crash-states-"))),
  (dir) => Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true }))
)

interface Row {
  readonly id: string
  readonly name: string
  readonly args: string
  readonly state: string
  readonly attempts: number
  readonly run_at: number | null
}

const rows = (filename: string) =>
  Effect.scoped(Effect.flatMap(connect(filename), (sql) => sql.all<Row>(`SELECT * FROM fiberkit_tasks`)))

const DELAY = 1_500

describe("SqliteStore: a crash with delayed tasks, a dead letter and a schedule", () => {
  it.live(
    "each delayed task runs once after its time, the dead letter never again, each tick once",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const dir = yield* tempDir
        const db = path.join(dir, "tasks.db")
        const log = path.join(dir, "log.txt")
        const started = Date.now()
        // killed as soon as it is ready (its tasks added, the dead letter failed, a tick run)
        const child = yield* ChildScript.start(path.join(__dirname, "fixtures", "crashStatesChild.ts"), [
          db,
          log,
          String(DELAY)
        ])
        child.kill("SIGKILL")
        assert.isNull(yield* child.exited, "ended by the signal")
        const before = yield* rows(db)
        const delayed = before.filter((row) => Number(row.args) >= 100 && Number(row.args) <= 104)
        assert.strictEqual(delayed.length, 5)
        // killed before their time (the test would be void otherwise)
        assert.isTrue(delayed.every((row) => row.state === "queued" && row.run_at !== null && row.run_at > Date.now()))
        const runAt = delayed[0]!.run_at!
        fs.appendFileSync(log, "restart\n")
        yield* Effect.scoped(Effect.gen(function*() {
          const task = work(log)
          const manager = yield* TaskManager.make({
            tasks: [task, doomed(log)],
            concurrency: 2,
            schedules: [beat(task)]
          })
          // the delayed tasks' time, and a few ticks more
          yield* Effect.sleep(Math.max(0, runAt - Date.now()) + 600)
          yield* manager.shutdown({ drain: true })
        })).pipe(Effect.provide(SqliteStore.layer({ filename: db })))
        const lines = fs.readFileSync(log, "utf8").split("\n")
        const afterRestart = lines.slice(lines.indexOf("restart") + 1)
        // each delayed task once, after the restart (their time had not come before)
        for (let n = 100; n <= 104; n++) {
          assert.strictEqual(lines.filter((line) => line === `start ${n}`).length, 1, `task ${n}`)
          assert.strictEqual(
            afterRestart.filter((line) => line === `start ${n}`).length,
            1,
            `task ${n} after the restart`
          )
        }
        // the dead letter ran once, before the crash
        assert.strictEqual(lines.filter((line) => line === "doomed 7").length, 1)
        const after = yield* rows(db)
        assert.strictEqual(after.find((row) => row.name === "doomed")!.state, "failed")
        for (const row of delayed) assert.strictEqual(after.find((r) => r.id === row.id)!.state, "succeeded")
        // ticks: one row each (ids are unique), every run of a tick is an attempt of its row
        const ticks = after.filter((row) => row.id.startsWith("schedule:beat:"))
        const times = ticks.map((row) => Number(row.id.split(":")[2])).sort((a, b) => a - b)
        assert.isAtLeast(times.length, 3)
        assert.strictEqual(
          lines.filter((line) => line === "start 1000").length,
          ticks.reduce((sum, row) => sum + row.attempts, 0)
        )
        for (const row of ticks) assert.strictEqual(row.state, "succeeded", row.id)
        // on the schedule: every tick 200 ms after one before it, but the one the restart added for all it missed
        const gaps = times.slice(1).map((t, i) => t - times[i]!)
        assert.isAtMost(gaps.filter((gap) => gap !== 200).length, 1, JSON.stringify(gaps))
        assert.isAbove(times[0]!, started - 1)
      })),
    60_000
  )
})
