/**
 * One lock, heavy contention: 8 fibers × 20,000 increments of a shared counter, each
 * increment reading the counter, yielding, then writing it back — so without a lock updates
 * are lost, and with one every waiter queues behind the holder's yield.
 */
import { Report } from "@fiberkit/bench"
import { Lock, ReentrantLock } from "@fiberkit/sync"
import { Mutex } from "async-mutex"
import * as Effect from "effect/Effect"

const FIBERS = 8
const INCREMENTS = 20_000
const TOTAL = FIBERS * INCREMENTS

let counter = 0
const increment = Effect.suspend(() => {
  const n = counter
  return Effect.andThen(Effect.yieldNow, Effect.sync(() => void (counter = n + 1)))
})

const runFibers = (guard: (effect: Effect.Effect<void>) => Effect.Effect<void>, exact: boolean) => async () => {
  counter = 0
  await Effect.runPromise(
    Effect.all(Array.from({ length: FIBERS }, () => Effect.repeatN(guard(increment), INCREMENTS - 1)), {
      concurrency: "unbounded",
      discard: true
    })
  )
  if (exact && counter !== TOTAL) throw new Error(`lost updates: ${counter} of ${TOTAL}`)
}

const lock = Lock.unsafeMake()
const reentrant = Effect.runSync(ReentrantLock.make())
const semaphore = Effect.runSync(Effect.makeSemaphore(1))
const mutex = new Mutex()

const mutexLoop = async () => {
  for (let i = 0; i < INCREMENTS; i++) {
    await mutex.runExclusive(async () => {
      const n = counter
      await Promise.resolve()
      counter = n + 1
    })
  }
}

await Report.main("packages/sync/bench/lock.bench.ts", [
  {
    title: `Lock under contention: ${FIBERS} fibers × ${
      INCREMENTS.toLocaleString("en")
    } increments with a yield inside`,
    description: "Per operation = one acquire/increment/release. Effect contenders yield with `Effect.yieldNow`; " +
      "async-mutex runs the same loop in 8 async functions and yields with `await Promise.resolve()`. " +
      "\"no lock\" is the same Effect loop unguarded (it loses updates): the floor.",
    operations: TOTAL,
    reference: "fiberkit Lock",
    contenders: [
      { name: "fiberkit Lock", run: runFibers(lock.withLock, true) },
      { name: "fiberkit ReentrantLock", run: runFibers(reentrant.withLock, true) },
      { name: "Effect Semaphore(1)", run: runFibers(semaphore.withPermits(1), true) },
      {
        name: "async-mutex",
        run: async () => {
          counter = 0
          await Promise.all(Array.from({ length: FIBERS }, mutexLoop))
          if (counter !== TOTAL) throw new Error(`lost updates: ${counter} of ${TOTAL}`)
        }
      },
      { name: "no lock (floor)", run: runFibers((effect) => effect, false) }
    ]
  }
])
