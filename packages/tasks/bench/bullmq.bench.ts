/**
 * TaskManager throughput across processes: 10,000 no-op tasks through the BullMQ store, run by
 * 1, 2 and 4 worker processes, next to the memory and SQLite stores (8 worker fibers in the
 * bench process). All five are interleaved in one suite.
 *
 * Redis is a throwaway `redis-server` on a loopback port, with `appendfsync everysec` (as CI's
 * Redis): syncing every write would measure the disk. The worker processes are forked once,
 * before the suite (`bullmq-worker.ts`, with this process's `execArgv`, so they too run `dist/`),
 * and killed when it ends, failed or not.
 *
 * Before each run, untimed: a fresh queue, a producer manager here (`concurrency: 0`: it runs no
 * task) and, in every worker process, a manager running `noop` on that queue. (For the memory
 * and SQLite stores: a manager with 8 workers on a new store.) The timed run: 10,000 adds, in
 * `addAll`s of 1,000, then `join`. After it, untimed: a check that all 10,000 succeeded, then the
 * managers close and the queue's keys are deleted.
 */
import { Report } from "@fiberkit/bench"
import { TaskManager } from "@fiberkit/tasks"
import * as BullMQStore from "@fiberkit/tasks/BullMQStore"
import { RedisServer } from "@fiberkit/testkit"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { Redis } from "ioredis"
import { type ChildProcess, fork } from "node:child_process"
import { fileURLToPath } from "node:url"
import { removeQueue } from "../test-redis/keys.js"
import type { Reply, Request } from "./bullmq-worker.js"
import { items, noop, stores, TASKS, WORKERS } from "./shared.js"

/** Tasks per `addAll`. */
const CHUNK = 1_000
/** Each worker process's `workers`: the BullMQ Worker's concurrency. */
const PROCESS_WORKERS = 8
const PROCESSES = [1, 2, 4] as const
const PREFIX = "fiberkit-bench"
const workerScript = fileURLToPath(new URL("bullmq-worker.ts", import.meta.url))

type Manager = TaskManager.TaskManager<typeof noop>

/** Sends `request` (if any) and waits for the `expected` reply; an `error` reply or an exit fails. */
const request = (child: ChildProcess, message: Request | undefined, expected: Reply["type"]) =>
  Effect.callback<void, Error>((resume) => {
    const onMessage = (reply: Reply) => {
      if (reply.type !== expected && reply.type !== "error") return
      done()
      resume(reply.type === "error" ? Effect.fail(new Error(`worker process: ${reply.message}`)) : Effect.void)
    }
    const onExit = (code: number | null, signal: string | null) => {
      done()
      resume(Effect.fail(new Error(`worker process exited (${code ?? signal}) before "${expected}"`)))
    }
    const done = () => {
      child.off("message", onMessage)
      child.off("exit", onExit)
    }
    child.on("message", onMessage)
    child.on("exit", onExit)
    if (message !== undefined) child.send(message)
    return Effect.sync(done)
  })

/** A forked worker process, killed when the scope closes. */
const workerProcess = Effect.gen(function*() {
  const child = yield* Effect.acquireRelease(
    Effect.sync(() => fork(workerScript, [], { execArgv: process.execArgv })),
    (child) =>
      Effect.callback<void>((resume) => {
        if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
        child.once("exit", () => resume(Effect.void))
        child.kill("SIGKILL")
      })
  )
  yield* request(child, undefined, "online")
  return child
})

interface Run {
  readonly manager: Manager
  /** Fails unless every task of the run succeeded. */
  readonly check: (last: string) => Effect.Effect<void, unknown>
}

/**
 * A contender: `open` (untimed, before each run) gives a manager in a scope of its own; the run
 * adds the tasks and joins; then (untimed) the check, and the scope closes.
 */
const contender = (name: string, open: Effect.Effect<Run, unknown, Scope.Scope>) => {
  let current: { readonly run: Run; readonly scope: Scope.Closeable; last: string } | undefined
  return {
    name,
    beforeEach: () =>
      Effect.runPromise(Effect.gen(function*() {
        const scope = yield* Scope.make()
        const run = yield* Effect.onError(
          Scope.provide(open, scope),
          (cause) => Scope.close(scope, Exit.failCause(cause))
        )
        current = { run, scope, last: "" }
      })),
    run: () =>
      Effect.runPromise(Effect.gen(function*() {
        const own = current!
        for (let i = 0; i < TASKS; i += CHUNK) {
          own.last = (yield* own.run.manager.addAll(noop, items.slice(i, i + CHUNK))).at(-1)!
        }
        yield* own.run.manager.join
      })),
    afterEach: () => {
      const own = current
      current = undefined
      if (own === undefined) return
      return Effect.runPromise(Effect.ensuring(own.run.check(own.last), Scope.close(own.scope, Exit.void)))
    }
  }
}

/** The last task succeeded (the manager ran them in order, and `join` waited for all). */
const lastSucceeded = (manager: Manager) => (last: string) =>
  Effect.flatMap(
    manager.status(last),
    (record) => record.state === "succeeded" ? Effect.void : Effect.fail(new Error(`the last task is ${record.state}`))
  )

const program = Effect.gen(function*() {
  const server = yield* RedisServer.makeWith({ appendfsync: "everysec" })
  const admin = yield* Effect.acquireRelease(
    Effect.sync(() => new Redis(server.url, { maxRetriesPerRequest: null })),
    (client) => Effect.sync(() => client.disconnect())
  )
  const info = yield* Effect.promise(() => admin.info("server"))
  const version = /redis_version:(\S+)/.exec(info)?.[1] ?? "(unknown version)"
  let queues = 0
  const local = stores.map(([storeName, store]) =>
    contender(
      `${storeName}, ${WORKERS} fibers`,
      Effect.gen(function*() {
        const manager = yield* TaskManager.make({ tasks: [noop], concurrency: WORKERS, store: yield* store() })
        return { manager, check: lastSucceeded(manager) }
      })
    )
  )
  const remote: Array<ReturnType<typeof contender>> = []
  for (const count of PROCESSES) {
    const children = yield* Effect.all(Array.from({ length: count }, () => workerProcess), { concurrency: "unbounded" })
    const all = (message: Request, expected: Reply["type"]) =>
      Effect.forEach(children, (child) => request(child, message, expected), {
        concurrency: "unbounded",
        discard: true
      })
    remote.push(contender(
      `BullMQ, ${count} worker process${count === 1 ? "" : "es"}`,
      Effect.gen(function*() {
        const queue = `run-${queues++}`
        // finalizers run in reverse: the workers stop, then the producer, then the keys go
        yield* Effect.addFinalizer(() => removeQueue(admin, PREFIX, queue))
        const store = yield* BullMQStore.make({ url: server.url, prefix: PREFIX, queue })
        const manager = yield* TaskManager.make({ tasks: [noop], concurrency: 0, store })
        yield* Effect.acquireRelease(
          all({ type: "start", url: server.url, prefix: PREFIX, queue, workers: PROCESS_WORKERS }, "ready"),
          () => Effect.orDie(all({ type: "stop" }, "stopped"))
        )
        return {
          manager,
          check: (last: string) =>
            Effect.gen(function*() {
              yield* lastSucceeded(manager)(last)
              const completed = yield* Effect.promise(() => admin.zcard(`${PREFIX}:${queue}:completed`))
              if (completed !== TASKS) yield* Effect.fail(new Error(`${completed} tasks completed, not ${TASKS}`))
            })
        }
      })
    ))
  }
  const title = `${TASKS.toLocaleString("en")} no-op tasks: BullMQ with 1, 2 and 4 worker processes, ` +
    "memory and SQLite stores"
  const results = yield* Effect.promise(() =>
    Report.main("packages/tasks/bench/bullmq.bench.ts", [{
      title,
      description:
        `The timed run: ${TASKS.toLocaleString("en")} adds in \`addAll\`s of ${CHUNK.toLocaleString("en")}, ` +
        "then `join`. Before it (untimed), a fresh queue or store and its managers: for the memory and SQLite " +
        `stores, one manager with ${WORKERS} workers in the bench process; for BullMQ, a producer manager here ` +
        `(\`concurrency: 0\`) and one manager with \`workers: ${PROCESS_WORKERS}\` in each worker process (forked before ` +
        `the suite). Redis: a local \`redis-server\` ${version}, append-only file with \`appendfsync everysec\` (as in CI). ` +
        "The SQLite store opens a new file per run (WAL). Per operation = per task.",
      operations: TASKS,
      rounds: 4,
      time: 1,
      iterations: 1,
      contenders: [...local, ...remote]
    }])
  )
  const lines = [""]
  for (const row of results[0]!.rows) {
    lines.push(`${row.name}: ${Math.round((TASKS / row.median) * 1000).toLocaleString("en")} tasks/s`)
  }
  process.stdout.write(`${lines.join("\n")}\n`)
})

const started = performance.now()
await Effect.runPromise(Effect.scoped(program))
process.stdout.write(`whole run: ${((performance.now() - started) / 1000).toFixed(0)} s\n`)
