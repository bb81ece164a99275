/**
 * A refactor's cost, primitive by primitive: the hot path of every primitive run on this tree's
 * build and on the build of an older commit, interleaved in one process (the bench harness's
 * rounds), with medians and the ratio new / old. Used to check that moving the primitives onto
 * one hand-off mechanism made none of them slower.
 *
 *   git worktree add /some/dir <commit> && (cd /some/dir && pnpm install && pnpm build)
 *   pnpm bench:against --base /some/dir
 *
 * Both builds must run on one copy of `effect` (otherwise the two runtimes share Effect's global
 * state and each slows the other down, unevenly): point the old checkout's `effect` and
 * `@effect/*` packages at this one's (`node_modules/.pnpm/effect@…` as a link to this tree's);
 * the script refuses to run when they differ.
 *
 * Records in BENCHMARKS.md unless `--no-record` is given. `--only <text>` runs only the workloads
 * whose title contains the text; `--rounds <n>` sets the rounds per workload (default 5).
 */
import { Report, type Suite } from "@fiberkit/bench"
import * as executor from "@fiberkit/executor"
import * as queue from "@fiberkit/queue"
import * as ratelimit from "@fiberkit/ratelimit"
import * as sync from "@fiberkit/sync"
import * as tasks from "@fiberkit/tasks"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import * as path from "node:path"
import { pathToFileURL } from "node:url"

const args = process.argv.slice(2)
const baseAt = args.indexOf("--base")
if (baseAt < 0 || args[baseAt + 1] === undefined) {
  process.stderr.write("usage: bench-against.ts --base <a built checkout of the commit to compare with>\n")
  process.exit(2)
}
const base = path.resolve(args[baseAt + 1]!)
const load = async <A>(name: string): Promise<A> =>
  (await import(pathToFileURL(path.join(base, "packages", name, "dist", "index.js")).href)) as A
/** The `effect` module the old build itself imports: each build runs on its own copy of the runtime. */
const loadEffect = async <A>(module: string): Promise<A> => {
  const root = fs.realpathSync(path.join(base, "packages", "sync", "node_modules", "effect"))
  return (await import(pathToFileURL(path.join(root, "dist", "esm", `${module}.js`)).href)) as A
}

interface Build {
  readonly Effect: typeof Effect
  readonly Schema: typeof Schema
  readonly sync: typeof sync
  readonly queue: typeof queue
  readonly executor: typeof executor
  readonly ratelimit: typeof ratelimit
  readonly tasks: typeof tasks
}

if (await loadEffect<typeof Effect>("Effect") !== Effect) {
  process.stderr.write(`the build at ${base} runs on another copy of effect: link its effect packages to this tree's\n`)
  process.exit(2)
}

const builds: ReadonlyArray<readonly [string, Build]> = [
  ["before", {
    Effect: await loadEffect("Effect"),
    Schema: await loadEffect("Schema"),
    sync: await load("sync"),
    queue: await load("queue"),
    executor: await load("executor"),
    ratelimit: await load("ratelimit"),
    tasks: await load("tasks")
  }],
  ["after", { Effect, Schema, sync, queue, executor, ratelimit, tasks }]
]

const N = 10_000
/** `effect` repeated n more times (Effect 3's `repeatN`). */
const repeatN = <A, Err>(effect: Effect.Effect<A, Err>, n: number) => Effect.repeat(effect, { times: n })
const fibersOf = (E: typeof Effect) => <A, Err>(count: number, each: (i: number) => Effect.Effect<A, Err>) =>
  E.forEach(Array.from({ length: count }, (_, i) => i), each, { concurrency: "unbounded", discard: true })

/** A workload per primitive: its main operation, contended where it has waiters. */
type Workload = (build: Build, fibers: ReturnType<typeof fibersOf>) => Effect.Effect<unknown, unknown>
const workloads: ReadonlyArray<readonly [string, Workload]> = [
  [
    "Lock.withLock, 8 fibers contending",
    ({ Effect, sync }, fibers) =>
      Effect.flatMap(
        sync.Lock.make(),
        (lock) => fibers(8, () => repeatN(lock.withLock(Effect.yieldNow), N / 8 - 1))
      )
  ],
  [
    "ReentrantLock.withLock, nested twice, 8 fibers",
    ({ Effect, sync }, fibers) =>
      Effect.flatMap(
        sync.ReentrantLock.make(),
        (lock) => fibers(8, () => repeatN(lock.withLock(lock.withLock(Effect.yieldNow)), N / 8 - 1))
      )
  ],
  [
    "Semaphore(4).withPermits(1), 16 fibers",
    ({ Effect, sync }, fibers) =>
      Effect.flatMap(
        sync.Semaphore.make(4),
        (semaphore) => fibers(16, () => repeatN(semaphore.withPermits(1)(Effect.yieldNow), N / 16 - 1))
      )
  ],
  [
    "BoundedSemaphore(2) acquire/release, 8 fibers",
    ({ Effect, sync }, fibers) =>
      Effect.flatMap(sync.BoundedSemaphore.make(2), (semaphore) =>
        fibers(8, () =>
          repeatN(
            Effect.andThen(semaphore.acquire(), Effect.andThen(Effect.yieldNow, semaphore.release())),
            N / 8 - 1
          )))
  ],
  [
    "ReadWriteLock: 6 readers, 2 writers",
    ({ Effect, sync }, fibers) =>
      Effect.flatMap(
        sync.ReadWriteLock.make(),
        (rw) => fibers(8, (i) => repeatN((i < 2 ? rw.withWrite : rw.withRead)(Effect.yieldNow), N / 8 - 1))
      )
  ],
  ["Event: 1,000 waiters woken by one set, 10 times", ({ Effect, sync }, fibers) =>
    repeatN(
      Effect.flatMap(sync.Event.make, (event) =>
        Effect.andThen(
          Effect.forkChild(fibers(1000, () => event.wait)),
          Effect.andThen(Effect.yieldNow, event.set)
        )),
      9
    )],
  [
    "Condition: notify/wait ping-pong",
    ({ Effect, sync }, fibers) =>
      Effect.flatMap(sync.Condition.make(), (condition) => {
        let turn = 0
        const player = (me: number) =>
          repeatN(
            condition.withLock(Effect.andThen(
              condition.waitUntil(Effect.sync(() => turn === me)),
              Effect.andThen(Effect.sync(() => void (turn = 1 - me)), condition.notify())
            )),
            N / 10 - 1
          )
        return fibers(2, player)
      })
  ],
  [
    "Barrier(4): 4 parties, 1,000 generations",
    ({ Effect, sync }, fibers) =>
      Effect.flatMap(sync.Barrier.make(4), (barrier) => fibers(4, () => repeatN(barrier.await, N / 10 - 1)))
  ],
  ["CountdownLatch: 100 latches of 10, 10 waiters each", ({ Effect, sync }, fibers) =>
    repeatN(
      Effect.flatMap(sync.CountdownLatch.make(10), (latch) =>
        Effect.andThen(Effect.forkChild(fibers(10, () => latch.await)), fibers(10, () => latch.countDown))),
      99
    )],
  [
    "JoinableQueue(64): 4 producers, 4 consumers",
    ({ Effect, queue }, fibers) =>
      Effect.flatMap(queue.JoinableQueue.make<number>({ capacity: 64 }), (q) =>
        Effect.andThen(
          fibers(4, () => repeatN(Effect.andThen(q.take, q.taskDone), N / 4 - 1)).pipe(Effect.forkChild),
          Effect.andThen(fibers(4, (p) => repeatN(q.put(p), N / 4 - 1)), q.join)
        ))
  ],
  [
    "FiberPool(8): submit 10,000, await all",
    ({ Effect, executor }) =>
      Effect.scoped(Effect.flatMap(executor.FiberPool.make({ concurrency: 8 }), (pool) =>
        Effect.flatMap(
          Effect.forEach(Array.from({ length: N }, (_, i) => i), (i) => pool.submit(Effect.succeed(i))),
          (futures) => Effect.forEach(futures, (future) => future.result, { discard: true })
        )))
  ],
  [
    "ConcurrencyLimiter(4), 16 fibers",
    ({ Effect, ratelimit }, fibers) =>
      Effect.flatMap(
        ratelimit.ConcurrencyLimiter.make({ concurrency: 4 }),
        (limit) => fibers(16, () => repeatN(limit(Effect.yieldNow), N / 16 - 1))
      )
  ],
  [
    "RateLimiter sliding window, never full: 10,000 starts",
    ({ Effect, ratelimit }, fibers) =>
      Effect.flatMap(
        ratelimit.RateLimiter.make({ limit: 1_000_000, interval: "1 second" }),
        (limiter) => fibers(16, () => repeatN(limiter(Effect.void), N / 16 - 1))
      )
  ],
  ["TaskManager, memory store, 4 concurrency: 2,000 tasks", ({ Effect, Schema, tasks }) => {
    const job = tasks.TaskManager.define("noop", { args: Schema.Number, run: () => Effect.void })
    return Effect.scoped(
      Effect.flatMap(
        Effect.flatMap(
          tasks.TaskStore.memory,
          (store) => tasks.TaskManager.make({ tasks: [job], concurrency: 4, store })
        ),
        (manager) =>
          Effect.andThen(
            Effect.forEach(Array.from({ length: 2000 }, (_, i) => i), (i) => manager.add(job, i), { discard: true }),
            manager.join
          )
      )
    )
  }]
]

const option = (name: string): string | undefined => {
  const at = args.indexOf(name)
  return at < 0 ? undefined : args[at + 1]
}
const only = option("--only")
const rounds = Number(option("--rounds") ?? 5)
if (!Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write("--rounds takes a whole number of rounds, 1 or more\n")
  process.exit(2)
}
const chosen = workloads.filter(([title]) => only === undefined || title.includes(only))

const suites: ReadonlyArray<Suite.Suite> = chosen.map(([title, workload]) => ({
  title: `refactor check — ${title}`,
  description: `The same workload on the build of ${
    path.basename(base)
  } ("before") and on this tree ("after"), interleaved in one process; ratio = after / before.`,
  reference: "before",
  rounds,
  time: 300,
  contenders: builds.map(([name, build]) => {
    const effect = workload(build, fibersOf(build.Effect))
    return { name, run: () => build.Effect.runPromise(effect) }
  })
}))

await Report.main("scripts/bench-against.ts", suites)
