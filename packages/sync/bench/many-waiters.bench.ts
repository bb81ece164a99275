/**
 * Many waiters behind one semaphore: N fibers (2,000, 8,000, 20,000), each running a short
 * suspending task (one `Effect.yieldNow`) behind a `Semaphore(16)`.
 *
 * fiberkit hands each released permit to the longest waiter (one wake-up per release), so the
 * time per task should stay flat as N grows. Effect 4's own `Semaphore` wakes, in a task it
 * schedules after each release, the queued requests that fit in the free permits (Effect 3.22's
 * woke waiters to race for each release, and its time per task grew with N, so it ran at 2,000
 * waiters only; Effect 4's runs at every size). The "floor" row runs the same N fibers without any
 * semaphore: Effect's own cost of N live fibers, all yielding in the same turn of the event loop;
 * the last row runs the tasks 16 at a time with `Effect.forEach` (the turns any limit of 16 takes,
 * without N fibers waiting meanwhile).
 *
 * Memory: the heap held per waiting fiber, measured with N fibers blocked on a semaphore with no
 * free permit (after a full GC), is printed for each N.
 */
import { Report } from "@fiberkit/bench"
import { Semaphore } from "@fiberkit/sync"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as EffectSemaphore from "effect/Semaphore"
import pLimit from "p-limit"

const PERMITS = 16
const SIZES = [2_000, 8_000, 20_000]

const task = Effect.yieldNow

// Fibers are forked one by one, then awaited: Effect.forEach with unbounded concurrency costs
// about 30 µs per fiber at these sizes, which would hide what the semaphore costs.
const spawnAll = (n: number, guard: (effect: Effect.Effect<void>) => Effect.Effect<void, unknown>) => () =>
  Effect.runPromise(Effect.gen(function*() {
    const guarded = guard(task)
    const fibers: Array<Fiber.Fiber<void, unknown>> = []
    for (let i = 0; i < n; i++) fibers.push(yield* Effect.forkChild(guarded))
    for (const fiber of fibers) yield* Fiber.await(fiber)
  }))

const ours = Effect.runSync(Semaphore.make(PERMITS))
const theirs = Effect.runSync(EffectSemaphore.make(PERMITS))

const gc = (globalThis as { gc?: () => void }).gc

/**
 * Heap bytes per fiber while `n` fibers wait on a semaphore that has no free permit. The fibers
 * are detached: children forked inside `runSync` would be interrupted as soon as it returns.
 */
const heapPerWaiter = async (n: number, make: () => Effect.Effect<void>) => {
  if (gc === undefined) return Number.NaN
  gc()
  const before = process.memoryUsage().heapUsed
  const fibers = Effect.runSync(Effect.forEach(Array.from({ length: n }), () => Effect.forkDetach(make())))
  await new Promise((resolve) => setImmediate(resolve))
  gc()
  const after = process.memoryUsage().heapUsed
  await Effect.runPromise(Fiber.interruptAll(fibers))
  return (after - before) / n
}

const memoryLines: Array<string> = []
for (const n of SIZES) {
  const blockedOurs = Effect.runSync(Semaphore.make(0))
  const blockedTheirs = Effect.runSync(EffectSemaphore.make(0))
  const oursBytes = await heapPerWaiter(n, () => blockedOurs.withPermits(1)(task))
  const theirsBytes = await heapPerWaiter(n, () => blockedTheirs.withPermits(1)(task))
  memoryLines.push(
    `${n.toLocaleString("en")} waiters: fiberkit ${oursBytes.toFixed(0)} B, Effect ${
      theirsBytes.toFixed(0)
    } B per waiting fiber`
  )
}
process.stdout.write(`\nheap per waiting fiber (fiber included):\n${memoryLines.join("\n")}\n`)

await Report.main(
  "packages/sync/bench/many-waiters.bench.ts",
  SIZES.map((n) => ({
    title: `${n.toLocaleString("en")} fibers behind Semaphore(${PERMITS}), each task one yield`,
    description: [
      "Per operation = one task (spawn, wait for a permit, yield, release).",
      `Heap per waiting fiber: ${memoryLines[SIZES.indexOf(n)]}.`
    ].join(" "),
    operations: n,
    reference: "fiberkit Semaphore",
    rounds: 3,
    iterations: 2,
    time: 300,
    contenders: [
      { name: "fiberkit Semaphore", run: spawnAll(n, ours.withPermits(1)) },
      { name: "Effect Semaphore", run: spawnAll(n, theirs.withPermits(1)) },
      {
        name: "p-limit",
        run: () => {
          const limit = pLimit(PERMITS)
          return Promise.all(Array.from({ length: n }, () => limit(() => Promise.resolve())))
        }
      },
      { name: "no semaphore (floor)", run: spawnAll(n, (effect) => effect) },
      {
        // what any limit of 16 costs: the same tasks 16 at a time (at least N / 16 turns of the
        // event loop, each running 16 yields), but with no fiber waiting meanwhile
        name: `16 at a time, no waiting fiber (Effect.forEach)`,
        run: () => Effect.runPromise(Effect.forEach(Array.from({ length: n }), () => task, { concurrency: PERMITS }))
      }
    ]
  }))
)
