import { assert, describe, it } from "@effect/vitest"
import { Leaks, TestTime } from "@fiberkit/testkit"
import { Cause, Effect, Exit, Fiber, Number as N, Option, Queue, Scheduler, Stream } from "effect"
import * as JoinableQueue from "../src/JoinableQueue.js"

type Kind = "fifo" | "lifo" | "priority"

const make = (kind: Kind, capacity?: number) =>
  JoinableQueue.make<number>({ capacity, kind, order: kind === "priority" ? N.Order : undefined })

/** The message of the defect `effect` dies with. */
const defect = <A, E>(effect: Effect.Effect<A, E>) =>
  effect.pipe(
    Effect.flatMap(() => Effect.die(new Error("no defect"))),
    Effect.catchDefect((e) => Effect.succeed(e instanceof Error ? e.message : String(e))),
    Effect.orDie
  )

/** Interrupted, and nothing else (Effect 3's `Exit.isInterrupted`). */
const isInterrupted = <A, E>(exit: Exit.Exit<A, E>): boolean =>
  Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)

/**
 * Effect 4 resumes a woken fiber inline, in the call that wakes it, so a waiter is served and
 * resumed in one step. With an op budget of 1 its fiber is switched out right after the wake-up,
 * still inside its interruptible wait: served, not yet resumed — the moment the tests that
 * interrupt a served waiter need. (Effect 3 resumed every woken fiber later, from the scheduler.)
 */
const wokenLate = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.provideService(effect, Scheduler.MaxOpsBeforeYield, 1)

// What every kind shares: one contract, run for each.
const contract = (kind: Kind) =>
  describe(`JoinableQueue ${kind} (contract)`, () => {
    it.effect("put waits while the queue is full and resumes when a take makes room", () =>
      Effect.gen(function*() {
        const queue = yield* make(kind, 2)
        yield* queue.put(1)
        yield* queue.put(2)
        assert.isTrue(yield* queue.isFull)
        const putter = yield* Effect.forkChild(queue.put(3))
        yield* Leaks.settle
        assert.isUndefined(putter.pollUnsafe())
        assert.strictEqual(yield* queue.size, 2)
        yield* queue.take
        yield* Fiber.join(putter)
        assert.strictEqual(yield* queue.size, 2)
      }))

    it.effect("take waits while the queue is empty", () =>
      Effect.gen(function*() {
        const queue = yield* make(kind)
        const taker = yield* Effect.forkChild(queue.take)
        yield* Leaks.settle
        assert.isUndefined(taker.pollUnsafe())
        assert.strictEqual(yield* queue.size, 0) // never negative, unlike Effect's Queue
        yield* queue.put(7)
        assert.strictEqual(yield* Fiber.join(taker), 7)
      }))

    it.effect("tryPut answers false when full and tryTake None when empty, instead of waiting", () =>
      Effect.gen(function*() {
        const queue = yield* make(kind, 1)
        assert.isTrue(Option.isNone(yield* queue.tryTake))
        assert.isTrue(yield* queue.tryPut(1))
        assert.isFalse(yield* queue.tryPut(2))
        assert.strictEqual(yield* queue.size, 1) // 2 was not added
        assert.deepStrictEqual(yield* queue.tryTake, Option.some(1))
        assert.isTrue(yield* queue.isEmpty)
      }))

    it.effect("offer and poll keep Effect's meanings: offer waits for room, and neither fails on shutdown", () =>
      Effect.gen(function*() {
        const queue = yield* make(kind, 1)
        assert.isTrue(Option.isNone(yield* queue.poll))
        assert.isTrue(yield* queue.offer(1))
        const offering = yield* Effect.forkChild(queue.offer(2))
        yield* Leaks.settle
        assert.isUndefined(offering.pollUnsafe()) // full: it waits, as Effect's Queue.offer does
        assert.deepStrictEqual(yield* queue.poll, Option.some(1))
        assert.isTrue(yield* Fiber.join(offering))
        const late = yield* Effect.forkChild(queue.offer(3))
        yield* Leaks.settle
        yield* queue.shutdown()
        assert.isFalse(yield* Fiber.join(late)) // shut down while it waited: false, nothing added
        assert.isFalse(yield* queue.offer(4))
        assert.deepStrictEqual(yield* queue.poll, Option.some(2))
        assert.isTrue(Option.isNone(yield* queue.poll)) // shut down and drained: None, not a failure
        assert.deepStrictEqual(yield* queue.takeUpTo(5), [])
      }))

    it.effect("join waits until every item put has been marked done", () =>
      Effect.gen(function*() {
        const queue = yield* make(kind)
        yield* queue.putAll([1, 2, 3])
        const joiner = yield* Effect.forkChild(queue.join)
        yield* queue.take
        yield* queue.taskDone
        yield* queue.take
        yield* queue.taskDone
        yield* Leaks.settle
        assert.isUndefined(joiner.pollUnsafe())
        assert.strictEqual(yield* queue.unfinishedTasks, 1)
        yield* queue.take
        yield* queue.taskDone
        yield* Fiber.join(joiner)
        const error = yield* Effect.flip(queue.taskDone)
        assert.deepStrictEqual([error._tag, error.message], [
          "TaskDoneTooManyTimes",
          "taskDone called more times than there were items put"
        ])
        assert.strictEqual(yield* queue.unfinishedTasks, 0)
      }))

    it.effect("shutdown: puts fail, takes drain what is left and then fail, waiters wake", () =>
      Effect.gen(function*() {
        const queue = yield* make(kind, 2)
        yield* queue.putAll([1, 2])
        const putter = yield* Effect.forkChild(queue.put(3))
        yield* Leaks.settle
        yield* queue.shutdown()
        assert.strictEqual((yield* Effect.flip(Fiber.join(putter)))._tag, "QueueShutDown")
        assert.strictEqual((yield* Effect.flip(queue.put(4)))._tag, "QueueShutDown")
        assert.isTrue(yield* queue.isShutDown)
        const drained = [yield* queue.take, yield* queue.take].sort()
        assert.deepStrictEqual(drained, [1, 2])
        assert.strictEqual((yield* Effect.flip(queue.take))._tag, "QueueShutDown")
        assert.strictEqual((yield* Effect.flip(queue.tryTake))._tag, "QueueShutDown")
        assert.strictEqual(yield* queue.unfinishedTasks, 2) // drained items still need taskDone
      }))

    it.effect("shutdown wakes takers waiting on an empty queue", () =>
      Effect.gen(function*() {
        const queue = yield* make(kind)
        const taker = yield* Effect.forkChild(queue.take)
        yield* Leaks.settle
        yield* queue.shutdown()
        assert.strictEqual((yield* Effect.flip(Fiber.join(taker))).message, "the queue is shut down")
      }))

    it.effect("after a shutdown, a waiting taker still gets an item a served taker gives up", () =>
      Effect.gen(function*() {
        const queue = yield* make(kind, 2)
        const first = yield* Effect.forkChild(wokenLate(queue.take))
        yield* Leaks.settle
        const second = yield* Effect.forkChild(queue.take)
        yield* Leaks.settle
        yield* queue.put(1) // reserved for `first`
        yield* queue.shutdown()
        yield* Fiber.interrupt(first)
        assert.strictEqual(yield* Fiber.join(second), 1)
        assert.strictEqual((yield* Effect.flip(queue.take))._tag, "QueueShutDown")
      }))

    it.effect("after a shutdown, a new taker waits for an item still reserved for a served taker, and gets it if that taker gives up", () =>
      Effect.gen(function*() {
        const queue = yield* make(kind, 2)
        const first = yield* Effect.forkChild(wokenLate(queue.take))
        yield* Leaks.settle
        yield* queue.put(1) // reserved for `first`, which has not resumed yet
        yield* queue.shutdown()
        yield* Effect.withFiber((self) => Effect.sync(() => first.interruptUnsafe(self.id)))
        assert.strictEqual(yield* queue.take, 1) // the queue still held an item: not QueueShutDown
        assert.isTrue(isInterrupted(yield* Fiber.await(first)))
        assert.strictEqual((yield* Effect.flip(queue.take))._tag, "QueueShutDown")
      }))

    it.effect("tryTake on a shut-down queue whose last item is reserved answers None, not QueueShutDown", () =>
      Effect.gen(function*() {
        const queue = yield* make(kind)
        const taker = yield* Effect.forkChild(wokenLate(queue.take))
        yield* Leaks.settle
        yield* queue.put(1) // reserved for `taker`, which has not resumed yet
        yield* queue.shutdown()
        // the item may yet come back: a tryTake-based consumer must not stop here
        assert.isTrue(Option.isNone(yield* queue.tryTake))
        yield* Fiber.interrupt(taker) // served, interrupted before it resumed: the item goes back
        assert.deepStrictEqual(yield* queue.tryTake, Option.some(1))
        assert.strictEqual((yield* Effect.flip(queue.tryTake))._tag, "QueueShutDown") // nothing can come any more
      }))

    it.effect("an immediate shutdown drops what is left and releases join", () =>
      Effect.gen(function*() {
        const queue = yield* make(kind)
        yield* queue.putAll([1, 2, 3])
        yield* queue.take
        const joiner = yield* Effect.forkChild(queue.join)
        yield* queue.shutdown({ immediate: true })
        assert.strictEqual(yield* queue.size, 0)
        assert.strictEqual((yield* Effect.flip(queue.take))._tag, "QueueShutDown")
        assert.strictEqual(yield* queue.unfinishedTasks, 1) // the item taken before still counts
        yield* queue.taskDone
        yield* Fiber.join(joiner)
      }))

    it.effect("an immediate shutdown after early taskDones: the count stops at 0 and join returns", () =>
      Effect.gen(function*() {
        const queue = yield* make(kind)
        yield* queue.putAll([1, 2, 3])
        yield* queue.taskDone // before anything was taken: allowed, as in Python
        yield* queue.taskDone
        const joiner = yield* Effect.forkChild(queue.join) // 1 task unfinished: waits
        yield* Leaks.settle
        assert.isUndefined(joiner.pollUnsafe())
        yield* queue.shutdown({ immediate: true }) // drops 3 items, with 1 task unfinished
        assert.strictEqual(yield* queue.unfinishedTasks, 0)
        yield* Leaks.settle
        assert.isDefined(joiner.pollUnsafe())
        const later = yield* Effect.forkChild(queue.join)
        yield* Leaks.settle
        assert.isDefined(later.pollUnsafe())
        assert.strictEqual((yield* Effect.flip(queue.taskDone))._tag, "TaskDoneTooManyTimes")
      }))

    it.effect("a taker interrupted while waiting loses no item", () =>
      Effect.gen(function*() {
        const queue = yield* make(kind)
        const quitter = yield* Effect.forkChild(queue.take)
        yield* Leaks.settle
        yield* Fiber.interrupt(quitter)
        yield* queue.put(1)
        assert.strictEqual(yield* queue.take, 1)
      }))

    it.effect("a taker interrupted right after being served passes the item on", () =>
      Effect.gen(function*() {
        const queue = yield* make(kind)
        const first = yield* Effect.forkChild(wokenLate(queue.take))
        yield* Leaks.settle
        const second = yield* Effect.forkChild(queue.take)
        yield* Leaks.settle
        yield* Effect.withFiber((self) =>
          Effect.andThen(queue.put(42), Effect.sync(() => first.interruptUnsafe(self.id)))
        )
        assert.isTrue(isInterrupted(yield* Fiber.await(first)))
        assert.strictEqual(yield* Fiber.join(second), 42)
      }))

    it.effect("a putter interrupted while waiting, even right after being given room, leaves no item behind", () =>
      Effect.gen(function*() {
        const queue = yield* make(kind, 1)
        yield* queue.put(1)
        const waiting = yield* Effect.forkChild(queue.put(2))
        yield* Leaks.settle
        yield* Fiber.interrupt(waiting)
        const served = yield* Effect.forkChild(wokenLate(queue.put(3)))
        yield* Leaks.settle
        yield* Effect.withFiber((self) =>
          Effect.andThen(queue.take, Effect.sync(() => served.interruptUnsafe(self.id)))
        )
        assert.isTrue(isInterrupted(yield* Fiber.await(served)))
        assert.strictEqual(yield* queue.size, 0)
        assert.strictEqual(yield* queue.unfinishedTasks, 1) // only the item put: 1
        yield* queue.put(4) // the room it was given is free again
        assert.strictEqual(yield* queue.take, 4)
      }))

    it.effect("takeUpTo takes what is there now, up to the limit, and never waits", () =>
      Effect.gen(function*() {
        const queue = yield* make(kind)
        assert.deepStrictEqual(yield* queue.takeUpTo(10), [])
        yield* queue.putAll([1, 2, 3])
        assert.strictEqual((yield* queue.takeUpTo(2)).length, 2)
        assert.strictEqual((yield* queue.takeUpTo(Infinity)).length, 1)
        assert.deepStrictEqual(yield* queue.takeUpTo(1), [])
      }))

    it.effect("takeBatch takes what is there, up to the limit, and waits for at least one", () =>
      Effect.gen(function*() {
        const queue = yield* make(kind)
        const waiter = yield* Effect.forkChild(queue.takeBatch(10))
        yield* Leaks.settle
        yield* queue.putAll([1, 2, 3])
        assert.strictEqual((yield* Fiber.join(waiter)).length + (yield* queue.size), 3)
        yield* queue.putAll([4, 5, 6])
        assert.isAtMost((yield* queue.takeBatch(2)).length, 2)
        assert.strictEqual((yield* queue.takeBatch(Infinity)).length + (yield* queue.size), 1) // all there is
      }))

    it.effect("takeUpTo or takeBatch with a max that is not an integer ≥ 1 dies naming it, and takes nothing", () =>
      Effect.gen(function*() {
        const queue = yield* make(kind)
        yield* queue.putAll([1, 2, 3])
        for (const max of [1.5, 0, -1, NaN]) {
          assert.strictEqual(
            yield* defect(queue.takeUpTo(max)),
            `JoinableQueue.takeUpTo: max must be an integer ≥ 1 (or Infinity), got ${max}`
          )
          assert.strictEqual(
            yield* defect(queue.takeBatch(max)),
            `JoinableQueue.takeBatch: max must be an integer ≥ 1 (or Infinity), got ${max}`
          )
        }
        assert.strictEqual(yield* queue.size, 3)
      }))
  })

contract("fifo")
contract("lifo")
contract("priority")

describe("JoinableQueue kinds", () => {
  const drain = <A>(queue: JoinableQueue.JoinableQueue<A>) =>
    Effect.flatMap(queue.size, (n) => Effect.forEach(Array.from({ length: n }), () => queue.take))

  it.effect("fifo gives items back in the order they came, lifo most recent first", () =>
    Effect.gen(function*() {
      const fifo = yield* make("fifo")
      const lifo = yield* make("lifo")
      yield* fifo.putAll([3, 1, 2])
      yield* lifo.putAll([3, 1, 2])
      assert.deepStrictEqual(yield* drain(fifo), [3, 1, 2])
      assert.deepStrictEqual(yield* drain(lifo), [2, 1, 3])
    }))

  it.effect("priority gives the smallest first; equal priorities keep their insertion order", () =>
    Effect.gen(function*() {
      const queue = yield* JoinableQueue.make<readonly [number, string]>({
        kind: "priority",
        order: (a, b) => N.Order(a[0], b[0])
      })
      yield* queue.putAll([[2, "b1"], [1, "a1"], [3, "c"], [1, "a2"], [2, "b2"], [1, "a3"]] as const)
      assert.deepStrictEqual((yield* drain(queue)).map(([, name]) => name), ["a1", "a2", "a3", "b1", "b2", "c"])
    }))

  it.effect("invalid options fail InvalidOptions naming the field and the value", () =>
    Effect.gen(function*() {
      const negative = yield* Effect.flip(JoinableQueue.make({ capacity: -1 }))
      assert.strictEqual(negative.message, "JoinableQueue.make: capacity must be an integer ≥ 0 (0: unbounded), got -1")
      const noOrder = yield* Effect.flip(JoinableQueue.make({ kind: "priority" }))
      assert.strictEqual(
        noOrder.message,
        "JoinableQueue.make: order must be an Order for a priority queue, got undefined"
      )
      assert.strictEqual((yield* Effect.flip(JoinableQueue.make({ capacity: 1.5 })))._tag, "InvalidOptions")
    }))

  it.effect("capacity 0 or absent is unbounded", () =>
    Effect.gen(function*() {
      const queue = yield* JoinableQueue.make<number>({ capacity: 0 })
      yield* queue.putAll(Array.from({ length: 1000 }, (_, i) => i))
      assert.strictEqual(yield* queue.size, 1000)
      assert.isFalse(yield* queue.isFull)
      assert.strictEqual(queue.capacity, Number.POSITIVE_INFINITY)
    }))

  // Effect 3.22's Queue reported -1 here (its size counted waiting takers); Effect 4's counts
  // only the items, like ours
  it.effect("Effect 4's Queue, like ours, reports a size of 0, not a negative one, while takers wait", () =>
    Effect.gen(function*() {
      const queue = yield* Queue.bounded<number>(2)
      yield* Effect.forkChild(Queue.take(queue))
      yield* Leaks.settle
      assert.strictEqual(yield* Queue.size(queue), 0)
    }))
})

describe("JoinableQueue streams", () => {
  it.effect("fromStream fills the queue with back-pressure and shuts it down; toStream drains it", () =>
    Effect.gen(function*() {
      const queue = yield* make("fifo", 3)
      const filler = yield* Effect.forkChild(JoinableQueue.fromStream(Stream.range(1, 20), queue, { shutdown: true }))
      const items = yield* Stream.runCollect(JoinableQueue.toStream(queue, { chunkSize: 4 }))
      yield* Fiber.join(filler)
      assert.deepStrictEqual(items, Array.from({ length: 20 }, (_, i) => i + 1))
    }))

  it.effect("toStream with a chunkSize that is not an integer ≥ 1 dies naming it, and takes nothing", () =>
    Effect.gen(function*() {
      const queue = yield* make("fifo")
      yield* queue.putAll([1, 2])
      yield* queue.shutdown()
      for (const chunkSize of [0, -1, NaN, 2.5]) {
        const collecting = yield* Effect.forkChild(
          defect(Stream.runCollect(JoinableQueue.toStream(queue, { chunkSize })))
        )
        yield* Leaks.settle
        assert.isDefined(collecting.pollUnsafe()) // it spun for ever on an empty chunk
        assert.strictEqual(
          yield* Fiber.join(collecting),
          `JoinableQueue.toStream: chunkSize must be an integer ≥ 1 (or Infinity), got ${chunkSize}`
        )
      }
      assert.strictEqual(yield* queue.size, 2)
    }))

  it.effect("fromStream in pipe form, without shutting down", () =>
    Effect.gen(function*() {
      const queue = yield* make("fifo")
      yield* Stream.make(1, 2).pipe(JoinableQueue.fromStream(queue))
      assert.isFalse(yield* queue.isShutDown)
      assert.strictEqual(yield* queue.size, 2)
    }))

  it.effect("a consumer that never gets its item is reported as deadlocked, not hung", () =>
    Effect.gen(function*() {
      const queue = yield* make("fifo")
      assert.strictEqual((yield* Effect.flip(TestTime.run(queue.take)))._tag, "Deadlocked")
    }))
})
