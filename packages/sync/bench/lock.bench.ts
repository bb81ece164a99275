/**
 * One lock, heavy contention: 8 fibers × 20,000 increments of a shared counter, each
 * increment reading the counter, yielding, then writing it back — so without a lock updates
 * are lost, and with one every waiter queues behind the holder's yield.
 *
 * Effect 4's built-ins for the job: `Semaphore(1)` for `Lock`; `TxReentrantLock` (an STM
 * readers–writer lock, reentrant per fiber) for `ReadWriteLock` (second suite) and, through its
 * `withLock` (the write side), for `ReentrantLock` (third suite, which takes the lock twice per
 * increment and runs fewer increments: `TxReentrantLock` wakes every waiter on each change, and
 * would take minutes in the first suite).
 */
import { Report } from "@fiberkit/bench"
import { Lock, ReadWriteLock, ReentrantLock } from "@fiberkit/sync"
import { Mutex } from "async-mutex"
import * as Effect from "effect/Effect"
import * as Semaphore from "effect/Semaphore"
import * as TxReentrantLock from "effect/TxReentrantLock"

const FIBERS = 8
const INCREMENTS = 20_000
const TOTAL = FIBERS * INCREMENTS

let counter = 0
const incrementAfter = (pause: Effect.Effect<void>) =>
  Effect.suspend(() => {
    const n = counter
    return Effect.andThen(pause, Effect.sync(() => void (counter = n + 1)))
  })
const increment = incrementAfter(Effect.yieldNow)
// what `await Promise.resolve()` is in an async function: the fiber waits one microtask
const resolved = Promise.resolve()
const incrementAfterMicrotask = incrementAfter(Effect.callback<void>((resume) => {
  resolved.then(() => resume(Effect.void))
}))

const runFibers = (
  guard: (effect: Effect.Effect<void>) => Effect.Effect<void>,
  exact: boolean,
  body: Effect.Effect<void> = increment
) =>
async () => {
  counter = 0
  const guarded = guard(body)
  // a plain loop: `Effect.repeat` steps a schedule per round, which would outweigh the lock
  const fiber = Effect.gen(function*() {
    for (let i = 0; i < INCREMENTS; i++) yield* guarded
  })
  await Effect.runPromise(
    Effect.all(Array.from({ length: FIBERS }, () => fiber), { concurrency: "unbounded", discard: true })
  )
  if (exact && counter !== TOTAL) throw new Error(`lost updates: ${counter} of ${TOTAL}`)
}

const lock = Lock.unsafeMake()
const reentrant = Effect.runSync(ReentrantLock.make())
const semaphore = Effect.runSync(Semaphore.make(1))
const txLock = Effect.runSync(TxReentrantLock.make())
const mutex = new Mutex()

const mutexLoop = (pause: () => Promise<void>) => async () => {
  for (let i = 0; i < INCREMENTS; i++) {
    await mutex.runExclusive(async () => {
      const n = counter
      await pause()
      counter = n + 1
    })
  }
}
const runMutex = (pause: () => Promise<void>) => async () => {
  counter = 0
  await Promise.all(Array.from({ length: FIBERS }, mutexLoop(pause)))
  if (counter !== TOTAL) throw new Error(`lost updates: ${counter} of ${TOTAL}`)
}
const runUnguarded = (pause: () => Promise<void>) => async () => {
  counter = 0
  await Promise.all(Array.from({ length: FIBERS }, async () => {
    for (let i = 0; i < INCREMENTS; i++) {
      const n = counter
      await pause()
      counter = n + 1
    }
  }))
}
const microtask = () => resolved
const eventLoopTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

// Readers and writers: each fiber does OPS operations, every WRITE_EVERY-th a write (read,
// yield, write back), the others reads (read, yield, check the value did not move under it).
const OPS = 5_000
const WRITE_EVERY = 10
const WRITES = FIBERS * Math.floor(OPS / WRITE_EVERY)

const read = Effect.suspend(() => {
  const n = counter
  return Effect.andThen(
    Effect.yieldNow,
    Effect.sync(() => {
      if (counter !== n) throw new Error("a write ran during a read")
    })
  )
})

interface ReadersWriters {
  readonly read: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  readonly write: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

const rw = Effect.runSync(ReadWriteLock.make())
const fiberkitRw: ReadersWriters = { read: rw.withRead, write: rw.withWrite }
const txRw: ReadersWriters = {
  read: (effect) => TxReentrantLock.withReadLock(txLock, effect),
  write: (effect) => TxReentrantLock.withWriteLock(txLock, effect)
}
const exclusive: ReadersWriters = { read: lock.withLock, write: lock.withLock }

const runReadersWriters = (guard: ReadersWriters) => async () => {
  counter = 0
  const fiber = Effect.gen(function*() {
    for (let i = 1; i <= OPS; i++) yield* (i % WRITE_EVERY === 0 ? guard.write(increment) : guard.read(read))
  })
  await Effect.runPromise(
    Effect.all(Array.from({ length: FIBERS }, () => fiber), { concurrency: "unbounded", discard: true })
  )
  if (counter !== WRITES) throw new Error(`lost updates: ${counter} of ${WRITES}`)
}

// Reentrant: each increment takes the lock, then takes it again inside (as a recursive call would).
const NESTED_INCREMENTS = 2_000

const runNested = (guard: (effect: Effect.Effect<void>) => Effect.Effect<void>) => async () => {
  counter = 0
  await Effect.runPromise(
    Effect.all(
      Array.from({ length: FIBERS }, () => Effect.repeat(guard(guard(increment)), { times: NESTED_INCREMENTS - 1 })),
      { concurrency: "unbounded", discard: true }
    )
  )
  if (counter !== FIBERS * NESTED_INCREMENTS) throw new Error(`lost updates: ${counter}`)
}

await Report.main("packages/sync/bench/lock.bench.ts", [
  {
    title: `Lock under contention: ${FIBERS} fibers × ${
      INCREMENTS.toLocaleString("en")
    } increments, each waiting one microtask inside`,
    description: "Per operation = one acquire/increment/release. Inside the critical section every contender " +
      "waits for an already resolved promise: `await Promise.resolve()` in async-mutex's 8 async functions, " +
      "`Effect.promise` of it in the Effect fibers. \"no lock\" is the same Effect loop unguarded (it loses " +
      "updates): the floor.",
    operations: TOTAL,
    reference: "fiberkit Lock",
    contenders: [
      { name: "fiberkit Lock", run: runFibers(lock.withLock, true, incrementAfterMicrotask) },
      { name: "fiberkit ReentrantLock", run: runFibers(reentrant.withLock, true, incrementAfterMicrotask) },
      { name: "Effect Semaphore(1)", run: runFibers(semaphore.withPermits(1), true, incrementAfterMicrotask) },
      { name: "async-mutex", run: runMutex(microtask) },
      { name: "no lock (floor)", run: runFibers((effect) => effect, false, incrementAfterMicrotask) },
      { name: "async functions, no lock (async-mutex's floor)", run: runUnguarded(microtask) }
    ]
  },
  {
    title: `Lock under contention: ${FIBERS} fibers × ${
      INCREMENTS.toLocaleString("en")
    } increments, each yielding to the event loop inside`,
    description: "Per operation = one acquire/increment/release. Inside the critical section every contender " +
      "gives the event loop a turn: `Effect.yieldNow` in the Effect fibers (on Effect 4 a `setImmediate`), " +
      "`await new Promise((resolve) => setImmediate(resolve))` in async-mutex's. \"no lock\" is the floor.",
    operations: TOTAL,
    reference: "fiberkit Lock",
    contenders: [
      { name: "fiberkit Lock", run: runFibers(lock.withLock, true) },
      { name: "fiberkit ReentrantLock", run: runFibers(reentrant.withLock, true) },
      { name: "Effect Semaphore(1)", run: runFibers(semaphore.withPermits(1), true) },
      { name: "async-mutex", run: runMutex(eventLoopTurn) },
      { name: "no lock (floor)", run: runFibers((effect) => effect, false) },
      { name: "async functions, no lock (async-mutex's floor)", run: runUnguarded(eventLoopTurn) }
    ]
  },
  {
    title: `Readers and writers: ${FIBERS} fibers × ${
      OPS.toLocaleString("en")
    } operations, one in ${WRITE_EVERY} a write, a yield inside each`,
    description: "Per operation = one read or write under the lock. A read checks that no write ran while it " +
      "yielded; the writes must all land. fiberkit ReadWriteLock serves everyone in one FIFO line (a waiting " +
      "writer holds back later readers); Effect TxReentrantLock (`withReadLock` / `withWriteLock`) lets a " +
      "reader in whenever no writer holds the lock, and wakes its waiters by re-running their transactions. " +
      "\"fiberkit Lock\" runs reads one at a time too: the exclusive baseline.",
    operations: FIBERS * OPS,
    reference: "fiberkit ReadWriteLock",
    contenders: [
      { name: "fiberkit ReadWriteLock", run: runReadersWriters(fiberkitRw) },
      { name: "Effect TxReentrantLock", run: runReadersWriters(txRw) },
      { name: "fiberkit Lock (exclusive)", run: runReadersWriters(exclusive) }
    ]
  },
  {
    title: `Reentrant lock: ${FIBERS} fibers × ${
      NESTED_INCREMENTS.toLocaleString("en")
    } increments, each holding the lock twice (nested)`,
    description: "Per operation = one outer acquire, inner acquire, increment with a yield, two releases. " +
      "Effect TxReentrantLock is its `withLock` (the write side, reentrant per fiber).",
    operations: FIBERS * NESTED_INCREMENTS,
    reference: "fiberkit ReentrantLock",
    contenders: [
      { name: "fiberkit ReentrantLock", run: runNested(reentrant.withLock) },
      { name: "Effect TxReentrantLock", run: runNested((effect) => TxReentrantLock.withLock(txLock, effect)) }
    ]
  }
])
