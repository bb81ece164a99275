/**
 * Background task manager across machines — TaskManager on BullMQStore: one Redis queue, two worker processes.
 *
 * The guide's `BackgroundTaskManager` keeps its tasks in a `queue.Queue` inside one process: its
 * workers are that process's threads, and a second machine cannot share the work. Here the same
 * `TaskManager` API runs on `BullMQStore` (`@fiberkit/tasks/BullMQStore`), which keeps the tasks
 * in Redis: every process that makes a manager on the same queue shares them, whichever machine
 * it runs on (here two processes on this one).
 *
 * - Redis: `FIBERKIT_REDIS_URL` when it is set; otherwise the example starts a throwaway
 *   `redis-server` on a free loopback port (`RedisServer.make` from `@fiberkit/testkit`), removed
 *   at the end. Each run uses a new queue name, `example-10b-<random>`, so runs never mix.
 * - Two worker processes: this same file, run as `node <execArgv> 10b-distributed-tasks.ts worker
 *   <queue>` with the Redis URL in `FIBERKIT_REDIS_URL` (where `BullMQStore.make` looks by
 *   default). Each makes a `TaskManager` with `concurrency: 2` on the queue — a BullMQ Worker running
 *   2 tasks at a time — and runs until it gets SIGTERM: `NodeRuntime.runMain` then interrupts the
 *   program, its scope closes and the manager stops its BullMQ Worker. That interruption is how a
 *   worker is meant to stop, so its teardown exits with code 0 (Effect's default for an
 *   interrupted program is 130).
 * - The producer, this process: a `TaskManager` with `concurrency: 0` (it runs no task), which
 *   subscribes to `results`, then adds 10 "resize image" tasks (50 to 150 ms each). Every result
 *   arrives on its stream, whichever process ran the task; the task's value is `{ pid, thumbnail,
 *   took }`, encoded in the worker by the task's `success` Schema (`took`, a `Duration`, crosses
 *   Redis as milliseconds) and decoded here. Each line names the worker process that ran the task.
 *   `shutdown({ drain: true })` returns once no task is queued or running; then the workers get
 *   SIGTERM and the example waits for them to exit, and prints how many tasks each ran.
 *
 * Delivery is at least once: a worker process that dies mid-task has its task run again by
 * another (not shown here; see `BullMQStore`'s documentation and `10-background-tasks.ts`).
 *
 * At the end, however the example ends, the queue's keys (`fiberkit:<queue>:*`, BullMQ's and
 * fiberkit's) are removed from Redis with ioredis (`SCAN` and `DEL`): a Redis given by
 * `FIBERKIT_REDIS_URL` is left as it was. A throwaway redis-server is then stopped.
 *
 * Run: pnpm tsx examples/10b-distributed-tasks.ts
 * Needs `redis-server` on the PATH when `FIBERKIT_REDIS_URL` is not set.
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { TaskManager } from "@fiberkit/tasks"
import * as BullMQStore from "@fiberkit/tasks/BullMQStore"
import * as RedisServer from "@fiberkit/testkit/RedisServer"
import {
  Cause,
  Clock,
  Config,
  Console,
  Data,
  Duration,
  Effect,
  Exit,
  Fiber,
  Option,
  Runtime,
  Schema,
  Stream
} from "effect"
import { Redis } from "ioredis"
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import * as readline from "node:readline"
import { fileURLToPath } from "node:url"

const TASKS = 10
const WORKER_PROCESSES = 2
const WORKERS_PER_PROCESS = 2

/**
 * The task, the same definition in the producer and in the workers: "resize" an image, 10 ms per
 * megapixel. Its value crosses Redis encoded by `success`: `took` is a `Duration` here, a number
 * of milliseconds in Redis.
 */
const Resized = Schema.Struct({ pid: Schema.Number, thumbnail: Schema.String, took: Schema.DurationFromMillis })

const resize = TaskManager.define("resize-image", {
  args: Schema.Struct({ image: Schema.String, megapixels: Schema.Number }),
  success: Resized,
  run: ({ image, megapixels }) =>
    Effect.gen(function*() {
      const start = yield* Clock.currentTimeMillis
      yield* Effect.sleep(Duration.millis(megapixels * 10))
      const took = Duration.millis((yield* Clock.currentTimeMillis) - start)
      return { pid: process.pid, thumbnail: image.replace(/\.jpg$/, "-thumb.jpg"), took }
    })
})

/** The 10 images: 5 to 15 megapixels, so 50 to 150 ms each. */
const images = Array.from({ length: TASKS }, (_, i) => ({
  image: `image-${i + 1}.jpg`,
  megapixels: 5 + (i * 7) % 11
}))

// ---------------------------------------------------------------------------------------------
// A worker process: runs the queue's tasks, 2 at a time, until SIGTERM
// ---------------------------------------------------------------------------------------------

const worker = (queue: string) =>
  Effect.scoped(Effect.gen(function*() {
    const store = yield* BullMQStore.make({ queue }) // the URL: FIBERKIT_REDIS_URL, set by the producer
    yield* TaskManager.make({ tasks: [resize], concurrency: WORKERS_PER_PROCESS, store })
    yield* Console.log("ready")
    return yield* Effect.never // until SIGTERM interrupts it: the scope closes, the BullMQ Worker stops
  }))

// ---------------------------------------------------------------------------------------------
// The producer: starts Redis and the two workers, adds the tasks, prints each result
// ---------------------------------------------------------------------------------------------

class WorkerProcessFailed extends Data.TaggedError("WorkerProcessFailed")<{
  readonly name: string
  readonly reason: string
}> {
  override get message() {
    return `${this.name}: ${this.reason}`
  }
}

/** A Redis URL as printed: its password, if any, hidden. */
const shown = (url: string) => {
  const parsed = new URL(url)
  if (parsed.password !== "") parsed.password = "***"
  return parsed.toString()
}

/** `FIBERKIT_REDIS_URL`, or a throwaway redis-server on a free loopback port, stopped when the scope closes. */
const redisUrl = Effect.gen(function*() {
  const given = yield* Config.option(Config.NonEmptyString("FIBERKIT_REDIS_URL"))
  if (Option.isSome(given)) {
    yield* Console.log(`Redis: ${shown(given.value)}, from FIBERKIT_REDIS_URL`)
    return given.value
  }
  const server = yield* RedisServer.make
  yield* Console.log(
    `Redis: FIBERKIT_REDIS_URL is not set — started a throwaway redis-server on 127.0.0.1:${server.port}`
  )
  return server.url
})

/** Deletes every key of the queue, `fiberkit:<queue>:*`; returns how many there were. */
const removeQueue = (url: string, queue: string) =>
  Effect.acquireUseRelease(
    Effect.sync(() => new Redis(url, { maxRetriesPerRequest: 1 })),
    (redis) =>
      Effect.tryPromise(async () => {
        let cursor = "0"
        let removed = 0
        do {
          const [next, keys] = await redis.scan(cursor, "MATCH", `fiberkit:${queue}:*`, "COUNT", 1000)
          cursor = next
          if (keys.length > 0) removed += await redis.del(...keys)
        } while (cursor !== "0")
        return removed
      }),
    (redis) => Effect.sync(() => redis.disconnect())
  )

interface WorkerProcess {
  readonly name: string
  readonly child: ChildProcess
  readonly pid: number
}

/** Waits for the child to end: the signal that ended it, or its exit code. */
const exited = (child: ChildProcess) =>
  Effect.callback<string>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      return resume(Effect.succeed(child.signalCode ?? `exit code ${child.exitCode}`))
    }
    child.once("exit", (code, signal) => resume(Effect.succeed(signal ?? `exit code ${code}`)))
  })

/**
 * Starts a worker process — this file, with the same `execArgv` (tsx's loader among them) — and
 * waits until its manager is up (it prints "ready"). Killed when the scope closes if it still runs.
 */
const startWorker = (name: string, url: string, queue: string) =>
  Effect.gen(function*() {
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "worker", queue], {
          env: { ...process.env, FIBERKIT_REDIS_URL: url },
          stdio: ["ignore", "pipe", "inherit"]
        })
      ),
      (child) =>
        Effect.sync(() => {
          if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
        })
    )
    const ready = Effect.callback<void>((resume) => {
      readline.createInterface({ input: child.stdout! }).on("line", (line) => {
        if (line === "ready") resume(Effect.void)
      })
    })
    const ended = Effect.flatMap(
      exited(child),
      (how) => new WorkerProcessFailed({ name, reason: `ended (${how}) before it was ready` })
    )
    yield* Effect.raceFirst(ready, ended).pipe(
      Effect.timeoutOrElse({
        duration: "8 seconds",
        orElse: () => Effect.fail(new WorkerProcessFailed({ name, reason: "not ready after 8 s" }))
      })
    )
    return { name, child, pid: child.pid! } satisfies WorkerProcess
  })

const producer = Effect.scoped(Effect.gen(function*() {
  const url = yield* redisUrl
  const queue = `example-10b-${crypto.randomUUID().slice(0, 8)}`
  yield* Console.log(`Queue: ${queue} (a new one on every run)`)
  // Registered before the workers start, so it runs after they are stopped (or killed): removes the
  // queue's keys however the example ends.
  yield* Effect.addFinalizer(() =>
    removeQueue(url, queue).pipe(
      Effect.flatMap((removed) =>
        Console.log(`Removed the queue's ${removed} key${removed === 1 ? "" : "s"} from Redis (fiberkit:${queue}:*)`)
      ),
      Effect.catch((error) => Console.error(`Could not remove the queue's keys (fiberkit:${queue}:*): ${error}`))
    )
  )

  // Both worker processes start at once (a second or two each, tsx's start-up), and so does the
  // producer's connection.
  const [workers, store] = yield* Effect.all([
    Effect.all(
      Array.from({ length: WORKER_PROCESSES }, (_, i) => startWorker(`worker-${i + 1}`, url, queue)),
      { concurrency: "unbounded" }
    ),
    BullMQStore.make({ url, queue })
  ], { concurrency: "unbounded" })
  yield* Console.log(
    `${WORKER_PROCESSES} worker processes ready, each a TaskManager with concurrency: ${WORKERS_PER_PROCESS} on the queue: ` +
      workers.map(({ name, pid }) => `${name} (pid ${pid})`).join(", ")
  )
  const workerOf = (pid: number) => workers.find((worker) => worker.pid === pid)?.name ?? `pid ${pid}, not a worker`

  const manager = yield* TaskManager.make({ tasks: [resize], concurrency: 0, store })
  yield* Console.log(`Producer (pid ${process.pid}): a TaskManager with concurrency: 0 — it adds tasks and runs none`)

  // Subscribed before the first add: no result is missed (they wait in the subscription until read).
  const results = yield* manager.subscribe
  const start = yield* Clock.currentTimeMillis
  const ids = yield* manager.addAll(resize, images)
  const names = new Map(ids.map((id, i) => [id, images[i]!]))
  yield* Console.log(`Added ${ids.length} tasks with addAll, one write to Redis; the results, as they arrive:`)

  // Printed as they arrive, from either process.
  const ranBy = new Map<string, number>()
  let decoded = 0
  const printer = yield* results.pipe(
    Stream.runForEach((result) => {
      const { image, megapixels } = names.get(result.id)!
      if (result.state !== "succeeded") {
        const why = result.state === "cancelled" ? "cancelled" : result.error.message
        return Console.log(`  resize ${image}: ${result.state}, ${why}`)
      }
      const value = result.value as typeof Resized.Type
      ranBy.set(result.id, value.pid)
      if (Duration.isDuration(value.took)) decoded++
      const millis = Math.round(Duration.toMillis(value.took)).toString().padStart(3)
      return Console.log(
        `  resize ${image.padEnd(12)} ${String(megapixels).padStart(2)} MP → ${workerOf(value.pid)} ` +
          `(pid ${value.pid}), ${millis} ms: ${value.thumbnail}`
      )
    }),
    Effect.forkChild
  )

  yield* manager.shutdown({ drain: true })
  const seconds = ((yield* Clock.currentTimeMillis) - start) / 1000
  yield* Fiber.join(printer)
  yield* Console.log(`shutdown({ drain: true }) returned after ${seconds.toFixed(2)}s: no task queued or running`)
  yield* Console.log(
    `Values decoded here by the task's success Schema: took is a Duration again in ${decoded} of ${ranBy.size}`
  )
  const succeeded = yield* store.list({ state: "succeeded" })
  yield* Console.log(`store.list({ state: "succeeded" }): ${succeeded.length} tasks in Redis`)

  // SIGTERM to both: each one's scope closes (its BullMQ Worker stops), then it exits.
  const ends = yield* Effect.forEach(workers, (worker) =>
    Effect.andThen(
      Effect.sync(() => worker.child.kill("SIGTERM")),
      Effect.map(exited(worker.child), (how) => `${worker.name} ${how}`)
    ), { concurrency: "unbounded" })
  yield* Console.log(`Stopped the workers with SIGTERM: ${ends.join(", ")}`)

  const counts = workers.map((worker) =>
    `${worker.name} (pid ${worker.pid}) ran ${[...ranBy.values()].filter((pid) => pid === worker.pid).length}`
  )
  yield* Console.log(`Summary: ${ranBy.size} of ${TASKS} tasks succeeded; ${counts.join(", ")}`)
}))

if (process.argv[2] === "worker") {
  const queue = process.argv[3]
  if (queue === undefined) throw new Error("usage: 10b-distributed-tasks.ts worker <queue>")
  NodeRuntime.runMain(worker(queue), {
    // stopped by SIGTERM, as the producer stops it: a clean end, exit code 0
    teardown: (exit, onExit) =>
      Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause) ? onExit(0) : Runtime.defaultTeardown(exit, onExit)
  })
} else if (
  (process.env.FIBERKIT_REDIS_URL ?? "") === "" && spawnSync("redis-server", ["--version"]).error !== undefined
) {
  // a machine with neither: the tour goes on without this example
  console.log(
    "Skipped: this example needs Redis — set FIBERKIT_REDIS_URL to a Redis on loopback, or put redis-server on " +
      "the PATH (Debian: apt-get install redis-server)"
  )
} else {
  NodeRuntime.runMain(producer)
}
