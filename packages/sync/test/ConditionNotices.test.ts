/**
 * Regression tests from an outside review of the notices (`internal/notices.ts`): a notification
 * a waiter woke with is settled by the hold it woke in — passed on if that hold ends in a failure
 * (or an interrupted fiber releases it, or its fiber ends failed), dropped if it ends well. Each
 * failed before the fix: three lost the notification, four woke a second waiter for nothing.
 */
import { assert, describe, it } from "@effect/vitest"
import { Leaks } from "@fiberkit/testkit"
import { Cause, Effect, Exit, Fiber } from "effect"
import * as Condition from "../src/Condition.js"
import * as Lock from "../src/Lock.js"
import * as LockOrder from "../src/LockOrder.js"
import * as ReentrantLock from "../src/ReentrantLock.js"
/**
 * `a` (the body given) waits first, `b` second with a `while (items === 0) wait` loop that counts
 * its wake-ups. The producer adds one item and notifies ONE waiter (`a`). Returns what `b` saw.
 */
const oneNotified = (
  body: (
    c: Condition.Condition,
    lock: ReentrantLock.ReentrantLock,
    s: { items: number }
  ) => Effect.Effect<unknown, unknown>
) =>
  Effect.gen(function*() {
    const lock = yield* ReentrantLock.make()
    const condition = yield* Condition.make(lock)
    const s = { items: 0 }
    let bWakes = 0
    let bTook = false
    const a = yield* Effect.forkChild(body(condition, lock, s))
    yield* Leaks.settle
    const b = yield* Effect.forkChild(condition.withLock(Effect.gen(function*() {
      while (s.items === 0) {
        yield* condition.wait
        bWakes++
      }
      s.items--
      bTook = true
    })))
    yield* Leaks.settle
    assert.strictEqual(yield* condition.waiting, 2)
    yield* condition.withLock(Effect.andThen(
      Effect.sync(() => {
        s.items++
      }),
      condition.notify(1)
    ))
    const aExit = yield* Fiber.await(a)
    yield* Leaks.settle
    const waiting = yield* condition.waiting
    yield* Fiber.interrupt(b)
    return { aExit, bWakes, bTook, items: s.items, waiting, locked: yield* lock.isLocked }
  })

/** `while (items === 0) wait` */
const waitForItem = (c: Condition.Condition, s: { items: number }) =>
  Effect.gen(function*() {
    while (s.items === 0) yield* c.wait
  })

describe("Condition notices: the hold a waiter woke in settles its notification", () => {
  it.effect("an inner withLock hold that fails after wait returned passes it on, though the outer hold catches the failure", () =>
    Effect.gen(function*() {
      const r = yield* oneNotified((c, _lock, s) =>
        c.withLock( // outer hold
          Effect.catch(
            c.withLock(Effect.andThen(waitForItem(c, s), Effect.fail("inner failed before taking the item"))),
            () => Effect.void
          )
        )
      )
      // the same body without the outer withLock (Effect.catch(c.withLock(…fail))) passes it on: b takes the item
      assert.deepStrictEqual({ bTook: r.bTook, items: r.items }, { bTook: true, items: 0 })
    }))

  it.effect("an inner hold that ended well dropped it: a later failure of the outer hold wakes no one", () =>
    Effect.gen(function*() {
      const r = yield* oneNotified((c, _lock, s) =>
        c.withLock( // outer hold
          Effect.andThen(
            c.withLock(Effect.andThen(
              waitForItem(c, s),
              Effect.sync(() => {
                s.items-- // acted on it; the inner hold ends well
              })
            )),
            Effect.fail("unrelated failure of the outer hold, later")
          )
        )
      )
      assert.deepStrictEqual({ bWakes: r.bWakes, items: r.items, waiting: r.waiting }, {
        bWakes: 0,
        items: 0,
        waiting: 1
      })
    }))

  it.effect("a release by hand of the inner hold of a reentrant lock drops it: a later failure wakes no one", () =>
    Effect.gen(function*() {
      const r = yield* oneNotified((c, lock, s) =>
        c.withLock(Effect.gen(function*() {
          yield* lock.acquire // a second hold, taken by hand
          yield* waitForItem(c, s)
          s.items-- // acted on it
          yield* lock.release // released by hand: "a release by hand drops it"
          return yield* Effect.fail("unrelated failure, later")
        }))
      )
      assert.deepStrictEqual({ bWakes: r.bWakes, items: r.items, waiting: r.waiting }, {
        bWakes: 0,
        items: 0,
        waiting: 1
      })
    }))

  it.effect("a waitUntil that fails passes on only its own notifications, not one of an earlier wait the holder acted on", () =>
    Effect.gen(function*() {
      const r = yield* oneNotified((c, _lock, s) =>
        c.withLock(Effect.gen(function*() {
          yield* waitForItem(c, s)
          s.items-- // acted on it
          // a later, unrelated waitUntil whose predicate fails on its first check, caught
          yield* Effect.ignore(c.waitUntil(Effect.fail("predicate error")))
        }))
      )
      assert.deepStrictEqual({ bWakes: r.bWakes, items: r.items, waiting: r.waiting }, {
        bWakes: 0,
        items: 0,
        waiting: 1
      })
    }))

  it.effect("a fiber that ends well holding a lock it took with acquire drops it", () =>
    Effect.gen(function*() {
      const r = yield* oneNotified((c, lock, s) =>
        Effect.gen(function*() {
          yield* lock.acquire
          yield* waitForItem(c, s)
          s.items-- // acted on it, and ends well without releasing
        })
      )
      assert.deepStrictEqual({ bWakes: r.bWakes, items: r.items, waiting: r.waiting }, {
        bWakes: 0,
        items: 0,
        waiting: 1
      })
    }))
})

/**
 * Two consumers wait for one item; the producer adds it and notifies one (`a`). `a` is
 * interrupted right after its `wait` returned, before it looked at the item (it is at a yield:
 * a log line, a metric — any step that can suspend). `hold` is how the consumer holds the lock.
 */
const interruptedAfterWait = (
  hold: (lock: ReentrantLock.ReentrantLock, body: Effect.Effect<void>) => Effect.Effect<void, unknown>
) =>
  Effect.gen(function*() {
    const lock = yield* ReentrantLock.make()
    const condition = yield* Condition.make(lock)
    let items = 0
    const marks: Record<string, string> = {}
    const consumer = (name: string) =>
      hold(
        lock,
        Effect.orDie(Effect.gen(function*() {
          while (items === 0) {
            yield* condition.wait
            marks[name] = "wait returned"
            yield* Effect.yieldNow // e.g. Effect.log("woke up")
          }
          items--
          marks[name] = "took"
        }))
      )
    const a = yield* Effect.forkChild(consumer("a"))
    yield* Leaks.settle
    const b = yield* Effect.forkChild(consumer("b"))
    yield* Leaks.settle
    yield* condition.withLock(Effect.andThen(
      Effect.sync(() => {
        items++
      }),
      condition.notify(1)
    ))
    while (marks.a === undefined) yield* Effect.yieldNow
    yield* Fiber.interrupt(a) // a's wait has returned; it has not acted on the notification
    yield* Effect.timeoutOption(Fiber.await(b), 50)
    const result = { a: marks.a, b: marks.b ?? "still waiting", items, waiting: yield* condition.waiting }
    yield* Fiber.interrupt(b)
    return result
  })

describe("Condition notices: a hold released by hand", () => {
  it.live("released in the finalizer of an interrupted fiber (acquireUseRelease), after wait returned, it passes the notification on", () =>
    Effect.map(
      interruptedAfterWait((lock, body) =>
        Effect.acquireUseRelease(lock.acquire, () => body, () => Effect.orDie(lock.release))
      ),
      (r) => assert.deepStrictEqual(r, { a: "wait returned", b: "took", items: 0, waiting: 0 })
    ))

  it.live("held with withLock, the same: the notification goes on", () =>
    Effect.map(
      interruptedAfterWait((lock, body) => lock.withLock(body)),
      (r) => assert.deepStrictEqual(r, { a: "wait returned", b: "took", items: 0, waiting: 0 })
    ))
})

describe("Condition notices: a wait the lock-order detector kills", () => {
  it.effect("a notified wait that dies with LockOrderViolation taking its lock back passes the notification on and leaves both locks free", () =>
    Effect.gen(function*() {
      const outer = yield* Lock.make({ name: "outer" })
      const inner = yield* Lock.make({ name: "inner" })
      const condition = yield* Condition.make(outer)
      let items = 0
      let bTook = false
      // a: holds outer, then inner; waits on outer's condition, still holding inner
      const a = yield* Effect.forkChild(outer.withLock(inner.withLock(Effect.gen(function*() {
        while (items === 0) yield* condition.wait
        items--
      }))))
      yield* Leaks.settle
      const b = yield* Effect.forkChild(condition.withLock(Effect.gen(function*() {
        while (items === 0) yield* condition.wait
        items--
        bTook = true
      })))
      yield* Leaks.settle
      yield* condition.withLock(Effect.andThen(
        Effect.sync(() => {
          items++
        }),
        condition.notify(1)
      ))
      const aExit = yield* Fiber.await(a)
      yield* Leaks.settle
      const r = {
        aDied: Exit.isFailure(aExit) && Cause.hasDies(aExit.cause),
        bTook,
        items,
        outerLocked: yield* outer.isLocked,
        innerLocked: yield* inner.isLocked
      }
      yield* Fiber.interrupt(b)
      assert.deepStrictEqual(r, { aDied: true, bTook: true, items: 0, outerLocked: false, innerLocked: false })
    }).pipe(Effect.provide(LockOrder.Detector)))
})
