/**
 * Lock types — Lock, ReentrantLock and Semaphore.
 *
 * Python's `Lock`, `RLock` and `Semaphore(3)`. A `Lock` lets one fiber in at a time and is not
 * reentrant: its holder asking for it again waits for itself for ever. A `ReentrantLock` lets
 * its holder take it again (nested or recursive calls), and is free after as many releases. A
 * `Semaphore(3)` lets three in at once: eight tasks of 200 ms pass in three waves.
 *
 * `--timeline FILE.svg` draws the semaphore's tasks in FILE.svg, each from the moment it got its
 * permit: three rows, three waves; `--chart` prints the same chart here (see `timeline.ts`).
 *
 * Run: pnpm tsx examples/03-lock-kinds.ts
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Timeline } from "@fiberkit/observe"
import { Lock, ReentrantLock, Semaphore } from "@fiberkit/sync"
import { Clock, Console, Effect, Fiber, Option, Ref } from "effect"
import { withTimeline } from "./timeline.js"

// Basic Lock: one holder at a time; taking it again from inside deadlocks the holder.
const basicLock = Effect.gen(function*() {
  const lock = yield* Lock.make({ name: "basic" })
  const other = yield* lock.withLock(Effect.flatMap(Effect.forkChild(lock.tryAcquire), Fiber.join))
  yield* Console.log(`Lock: while one fiber holds it, another fiber's tryAcquire gets ${other}`)
  const nested = yield* lock.withLock(lock.withLock(Effect.succeed("entered"))).pipe(Effect.timeoutOption("100 millis"))
  const outcome = Option.isNone(nested) ? "waits for itself (timed out after 100 ms)" : "entered?!"
  yield* Console.log(`Lock: nested acquisition by the same fiber ${outcome}`)
  yield* Console.log(`Lock: free again after the timeout: ${!(yield* lock.isLocked)}`)
})

// ReentrantLock: a recursive function that takes the lock at every level.
const reentrantLock = Effect.gen(function*() {
  const lock = yield* ReentrantLock.make({ name: "tree" })
  const depthOf = (depth: number): Effect.Effect<number> =>
    lock.withLock(depth === 3 ? Effect.succeed(depth) : Effect.suspend(() => depthOf(depth + 1)))
  const deepest = yield* depthOf(1).pipe(Effect.timeoutOption("100 millis"))
  yield* Console.log(
    Option.match(deepest, {
      onNone: () => "ReentrantLock: nested acquisition deadlocked?!",
      onSome: (depth) => `ReentrantLock: taken ${depth} times by the same fiber (recursion), no deadlock`
    })
  )
  const releases = Option.getOrElse(deepest, () => 0)
  yield* Console.log(`ReentrantLock: free again after ${releases} releases: ${!(yield* lock.isLocked)}`)
})

// Semaphore(3): at most three tasks inside at once.
const TASKS = 8
const TASK_MILLIS = 200

const semaphore = Effect.gen(function*() {
  const semaphore = yield* Semaphore.make(3)
  const inside = yield* Ref.make(0)
  const peak = yield* Ref.make(0)
  const starts: Array<number> = []
  const task = (i: number) =>
    semaphore.withPermits(1)(
      Effect.gen(function*() {
        const now = yield* Ref.updateAndGet(inside, (n) => n + 1)
        yield* Ref.update(peak, (most) => Math.max(most, now))
        starts.push(yield* Clock.currentTimeMillis)
        yield* Console.log(`Task ${i} processing... (${now} inside)`)
        yield* Effect.sleep(TASK_MILLIS)
        yield* Ref.update(inside, (n) => n - 1)
      }).pipe(Timeline.recorded(`task ${i}`, { source: "Semaphore(3)", group: "withPermits(1)" }))
    )
  const start = yield* Clock.currentTimeMillis
  yield* Effect.forEach(Array.from({ length: TASKS }, (_, i) => i + 1), task, {
    concurrency: "unbounded",
    discard: true
  })
  const total = (yield* Clock.currentTimeMillis) - start
  // a wave: tasks that entered together, a task's length after the previous wave
  const waves = starts.filter((t, i) => i === 0 || t - starts[i - 1]! > TASK_MILLIS / 2).length
  yield* Console.log(
    `Semaphore(${semaphore.permits}): ${TASKS} tasks, at most ${yield* Ref.get(peak)} at once, ${waves} waves`
  )
  yield* Console.log(`Total: ${(total / 1000).toFixed(2)}s for ${TASKS} tasks of ${TASK_MILLIS} ms`)
})

const program = Effect.gen(function*() {
  yield* basicLock
  yield* reentrantLock
  yield* semaphore
})

NodeRuntime.runMain(withTimeline(program, { title: "03 · Lock types: 8 tasks of 200 ms through a Semaphore(3)" }))
