/**
 * Fault tests with real processes: three worker processes share a queue; one is killed (SIGKILL)
 * or stopped (SIGTERM) while it runs a long task, or Redis itself is killed and restarted. Every
 * task must complete, and complete once: each marks itself done with `SET NX`, and a second
 * completion counts a duplicate.
 */
import { assert, describe, it } from "@effect/vitest"
import { ChildScript, RedisServer } from "@fiberkit/testkit"
import { Effect, Fiber, Schedule, type Scope } from "effect"
import { Redis } from "ioredis"
import * as path from "node:path"
import * as BullMQStore from "../src/BullMQStore.js"
import * as TaskManager from "../src/TaskManager.js"
import { marks, workTask } from "./fixtures/distributed.js"
import { removeQueueAt, url as redisUrl } from "./redis.js"

type WorkerProcess = ChildScript.ChildScript

/** A worker process on `queue`, ready (its manager made) when this succeeds; killed with the scope. */
const startWorker = (
  url: string,
  queue: string,
  options: { readonly lockMillis: number; readonly closeTimeoutMillis: number }
): Effect.Effect<WorkerProcess, Error, Scope.Scope> =>
  ChildScript.start(path.join(__dirname, "fixtures", "worker.ts"), [
    url,
    queue,
    String(options.lockMillis),
    String(options.closeTimeoutMillis)
  ])

/** Waits until one of the workers prints `line`, and returns it. */
const whoPrints = (workers: ReadonlyArray<WorkerProcess>, line: string) =>
  Effect.gen(function*() {
    for (;;) {
      const worker = workers.find((worker) => worker.lines.includes(line))
      if (worker !== undefined) return worker
      yield* Effect.sleep("5 millis")
    }
  }).pipe(
    Effect.timeoutOrElse({ duration: "20 seconds", orElse: () => Effect.fail(new Error(`nobody printed ${line}`)) })
  )

/** A queue of its own (removed afterwards), three workers, a producer, and a client for the marks. */
const setUp = (url: string, options: { readonly lockMillis: number; readonly closeTimeoutMillis: number }) =>
  Effect.gen(function*() {
    const queue = `faults-${crypto.randomUUID()}`
    yield* Effect.addFinalizer(() => removeQueueAt(url, "fiberkit-test", queue))
    const workers = yield* Effect.all(Array.from({ length: 3 }, () => startWorker(url, queue, options)), {
      concurrency: "unbounded"
    })
    const store = yield* BullMQStore.make({ url, queue, prefix: "fiberkit-test" })
    const work = workTask(undefined, queue)
    const producer = yield* TaskManager.make({ tasks: [work], concurrency: 0, store })
    const redis = yield* Effect.acquireRelease(
      Effect.sync(() => new Redis(url, { maxRetriesPerRequest: null })),
      (client) => Effect.sync(() => client.disconnect())
    )
    redis.on("error", () => {})
    /** Who completed each task (pid), and how many completions were duplicates. */
    const completions = (keys: ReadonlyArray<string>) =>
      Effect.promise(async () => ({
        // the pid of the process that completed each task (its mark: "<pid> <token>"), or null
        done: await Promise.all(
          keys.map(async (key) => (await redis.get(`${marks(queue)}:done:${key}`))?.split(" ")[0] ?? null)
        ),
        duplicates: Number(await redis.get(`${marks(queue)}:duplicates`) ?? 0)
      }))
    return { workers, store, work, producer, completions }
  })

const shortKeys = (n: number) => Array.from({ length: n }, (_, i) => `t${i}`)

// one at a time (vitest 5 has no describe.sequential): they kill processes and Redis
describe("BullMQ store: faults with real processes", { concurrent: false }, () => {
  it.live(
    "SIGKILL with delayed tasks running: each completes once, none before its time; a dead letter runs again only when replayed",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const { completions, producer, work, workers } = yield* setUp(redisUrl(), {
          lockMillis: 1_000,
          closeTimeoutMillis: 0
        })
        const dead = yield* producer.add(work, { key: "dead-1", ms: 5 })
        while ((yield* producer.status(dead)).state !== "failed") yield* Effect.sleep("10 millis")
        const keys = shortKeys(6)
        const ids = yield* producer.addAll(work, keys.map((key) => ({ key, ms: 600 })), { delay: "1 second" })
        const runAt = (yield* producer.status(ids[0]!)).runAt!
        const victim = yield* whoPrints(workers, "start t0")
        victim.kill("SIGKILL")
        assert.isNull(yield* victim.exited)
        yield* producer.join
        const { done, duplicates } = yield* completions(keys)
        assert.isTrue(done.every((pid) => pid !== null), "every delayed task completed")
        assert.strictEqual(duplicates, 0)
        for (const id of ids) {
          const status = yield* producer.status(id)
          assert.strictEqual(status.state, "succeeded")
          assert.isAtLeast(status.startedAt!, runAt, "not started before its time")
        }
        // the dead letter ran once, and stays failed through the kill
        const runsOfDead = () =>
          workers.flatMap((worker) => worker.lines).filter((line) => line === "start dead-1").length
        assert.strictEqual(runsOfDead(), 1)
        assert.strictEqual((yield* producer.status(dead)).state, "failed")
        // replayed, it runs again (on a worker still alive), and fails again
        assert.isTrue(yield* producer.retry(dead))
        yield* producer.join
        assert.strictEqual(runsOfDead(), 2)
        const replayed = yield* producer.status(dead)
        assert.strictEqual(replayed.state, "failed")
        assert.strictEqual(replayed.replays, 1)
      })),
    60_000
  )

  it.live(
    "SIGKILL: the victim's task completes on another worker within seconds; all 50 complete exactly once",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const { completions, producer, work, workers } = yield* setUp(redisUrl(), {
          lockMillis: 1_000,
          closeTimeoutMillis: 0
        })
        yield* producer.add(work, { key: "victim", ms: 1_500 }, { id: "victim" })
        const victim = yield* whoPrints(workers, "start victim")
        const ids = yield* producer.addAll(work, shortKeys(49).map((key) => ({ key, ms: 20 })))
        victim.kill("SIGKILL")
        const killedAt = Date.now()
        assert.isNull(yield* victim.exited)
        yield* producer.join
        const status = yield* producer.status("victim")
        assert.strictEqual(status.state, "succeeded")
        assert.strictEqual(status.attempts, 2, "the killed attempt counts")
        assert.isBelow(status.finishedAt! - killedAt, 8_000)
        const { done, duplicates } = yield* completions(["victim", ...shortKeys(49)])
        assert.isTrue(done.every((pid) => pid !== null), "every task completed")
        assert.notStrictEqual(done[0], String(victim.pid), "the victim completed elsewhere")
        assert.strictEqual(duplicates, 0)
        for (const id of ids) assert.strictEqual((yield* producer.status(id)).attempts, 1)
      })),
    60_000
  )

  it.live(
    "cancel of a task whose worker was killed: it is not run again when another worker takes it back",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const { completions, producer, work, workers } = yield* setUp(redisUrl(), {
          lockMillis: 1_000,
          closeTimeoutMillis: 0
        })
        yield* producer.add(work, { key: "orphan", ms: 1_500 }, { id: "orphan" })
        const owner = yield* whoPrints(workers, "start orphan")
        owner.kill("SIGKILL")
        yield* owner.exited
        // no process runs it now: the cancel is written on the job itself
        assert.isTrue(yield* producer.cancel("orphan"))
        yield* producer.join
        assert.strictEqual((yield* producer.status("orphan")).state, "cancelled")
        const others = workers.filter((worker) => worker !== owner)
        assert.isFalse(others.some((worker) => worker.lines.includes("start orphan")), "no one ran it again")
        assert.deepStrictEqual((yield* completions(["orphan"])).done, [null])
      })),
    60_000
  )

  it.live(
    "SIGTERM: a stopped worker hands its running task back; it completes once, elsewhere",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const { completions, producer, work, workers } = yield* setUp(redisUrl(), {
          lockMillis: 1_000,
          closeTimeoutMillis: 0
        })
        yield* producer.add(work, { key: "long", ms: 1_500 }, { id: "long" })
        const stopped = yield* whoPrints(workers, "start long")
        yield* producer.addAll(work, shortKeys(20).map((key) => ({ key, ms: 20 })))
        stopped.kill("SIGTERM")
        assert.strictEqual(yield* Effect.timeout(stopped.exited, "5 seconds"), 0, "it exits by itself")
        assert.notInclude(stopped.lines, "end long", "the stopped worker did not complete it")
        yield* producer.join
        const status = yield* producer.status("long")
        assert.strictEqual(status.state, "succeeded")
        assert.strictEqual(status.attempts, 2)
        const { done, duplicates } = yield* completions(["long", ...shortKeys(20)])
        assert.isTrue(done.every((pid) => pid !== null))
        assert.notStrictEqual(done[0], String(stopped.pid))
        assert.strictEqual(duplicates, 0)
      })),
    60_000
  )

  it.live(
    "SIGTERM with a closeTimeout: the stopped worker finishes its task first, and takes no other",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const { completions, producer, work, workers } = yield* setUp(redisUrl(), {
          lockMillis: 1_000,
          closeTimeoutMillis: 5_000
        })
        yield* producer.add(work, { key: "long", ms: 1_000 }, { id: "long" })
        const stopped = yield* whoPrints(workers, "start long")
        stopped.kill("SIGTERM")
        yield* producer.addAll(work, shortKeys(20).map((key) => ({ key, ms: 20 })))
        assert.strictEqual(yield* stopped.exited, 0)
        yield* producer.join
        const status = yield* producer.status("long")
        assert.strictEqual(status.attempts, 1)
        const { done, duplicates } = yield* completions(["long", ...shortKeys(20)])
        assert.strictEqual(done[0], String(stopped.pid), "it finished its task")
        assert.isTrue(done.every((pid) => pid !== null))
        assert.strictEqual(stopped.lines.filter((line) => line.startsWith("start ")).length, 1)
        assert.strictEqual(duplicates, 0)
      })),
    60_000
  )

  it.live(
    "Redis killed and restarted mid-run (append-only file): no added task is lost, none completes twice",
    () =>
      Effect.scoped(Effect.gen(function*() {
        const redis = yield* RedisServer.make
        const { completions, producer, store, work, workers } = yield* setUp(redis.url, {
          lockMillis: 5_000,
          closeTimeoutMillis: 0
        })
        const before = shortKeys(50)
        yield* producer.addAll(work, before.map((key) => ({ key, ms: 30 })))
        yield* Effect.repeat(
          Effect.sync(() => workers.flatMap((worker) => worker.lines).filter((line) => line.startsWith("end ")).length),
          { until: (ended) => ended >= 10, schedule: Schedule.spaced("5 millis") }
        )
        yield* redis.stop("SIGKILL")
        // added while Redis is down: the adds wait for it
        const during = Array.from({ length: 10 }, (_, i) => `late${i}`)
        const adding = yield* Effect.forkChild(producer.addAll(work, during.map((key) => ({ key, ms: 30 }))))
        yield* Effect.sleep("300 millis")
        yield* redis.start
        const lateIds = yield* Fiber.join(adding)
        assert.strictEqual(lateIds.length, 10)
        yield* producer.join
        const { done, duplicates } = yield* completions([...before, ...during])
        assert.deepStrictEqual(done.filter((pid) => pid === null).length, 0, "every added task completed")
        assert.strictEqual(duplicates, 0)
        assert.strictEqual((yield* store.list({ state: "succeeded", limit: 100 })).length, 60)
      })),
    60_000
  )
})
