/**
 * Avoid deadlocks — lock ordering with LockOrder.withLocks, and the Detector.
 *
 * The guide's bank transfer takes two account locks. Taken naively (`from` then `to`), a
 * transfer A→B and one B→A can each hold one lock and wait for the other for ever. The guide
 * orders the locks by `id`; `LockOrder.withLocks` does that for any set of locks (by creation
 * rank). And `LockOrder.Detector` reports the bad order the first time it happens — even when
 * the two transfers run one after the other and so never actually deadlock.
 *
 * Run: pnpm tsx examples/11-deadlock-avoidance.ts
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Errors, Lock, LockOrder } from "@fiberkit/sync"
import { Cause, Console, Effect, Exit, Option, Result } from "effect"

interface Account {
  readonly name: string
  readonly lock: Lock.Lock
  balance: number
}

const makeAccount = (name: string, balance: number) =>
  Effect.map(Lock.make({ name: `account-${name}` }), (lock): Account => ({ name, lock, balance }))

/** Moves `amount`, yielding in the middle so that other transfers interleave. */
const move = (from: Account, to: Account, amount: number) =>
  Effect.gen(function*() {
    const balance = from.balance
    yield* Effect.yieldNow
    from.balance = balance - amount
    to.balance += amount
  })

// The guide's fix: both locks, always in the same global order.
const orderedTransfer = (from: Account, to: Account, amount: number) =>
  move(from, to, amount).pipe(LockOrder.withLocks([from.lock, to.lock]))

// The naive version: the lock of `from`, then the lock of `to`.
const naiveTransfer = (from: Account, to: Account, amount: number) =>
  from.lock.withLock(Effect.andThen(Effect.yieldNow, to.lock.withLock(move(from, to, amount))))

const TRANSFERS = 200

const withLocks = Effect.gen(function*() {
  const a = yield* makeAccount("A", 100)
  const b = yield* makeAccount("B", 100)
  const transfers = Array.from(
    { length: TRANSFERS },
    (_, i): readonly [Account, Account] => i % 2 === 0 ? [a, b] : [b, a]
  )
  let done = 0
  yield* Effect.forEach(
    transfers,
    ([from, to]) => Effect.tap(orderedTransfer(from, to, 1), () => Effect.sync(() => done++)),
    {
      concurrency: "unbounded",
      discard: true
    }
  ).pipe(
    Effect.timeoutOrElse({ duration: "5 seconds", orElse: () => Effect.fail(new Error("withLocks deadlocked")) })
  )
  const total = a.balance + b.balance
  yield* Console.log(
    `withLocks: ${done} transfers (A→B and B→A at once), no deadlock, total balance ${total} ` +
      `(${total === 200 ? "unchanged" : "CHANGED"}); A: ${a.balance}, B: ${b.balance}`
  )
})

// For contrast: two naive transfers in opposite directions at once deadlock.
const naiveConcurrent = Effect.gen(function*() {
  const a = yield* makeAccount("A", 100)
  const b = yield* makeAccount("B", 100)
  const result = yield* Effect.all([naiveTransfer(a, b, 10), naiveTransfer(b, a, 10)], { concurrency: 2 }).pipe(
    Effect.timeoutOption("200 millis")
  )
  const free = !(yield* a.lock.isLocked) && !(yield* b.lock.isLocked)
  yield* Console.log(
    Option.isNone(result)
      ? `Naive nested locks, A→B and B→A at once: deadlock (each holds one lock; gave up after 200 ms, locks free again: ${free})`
      : "Naive nested locks, A→B and B→A at once: finished this time"
  )
})

// The Detector: the same naive transfers, one after the other. The second one dies before it waits.
const detector = Effect.gen(function*() {
  const a = yield* makeAccount("A", 100)
  const b = yield* makeAccount("B", 100)
  yield* naiveTransfer(a, b, 10)
  yield* Console.log("Detector: naive transfer A→B done (records account-A → account-B)")
  const exit = yield* Effect.exit(naiveTransfer(b, a, 10))
  const violation = Exit.isFailure(exit)
    ? Option.filter(
      Result.getSuccess(Cause.findDefect(exit.cause)),
      (defect): defect is Errors.LockOrderViolation => defect instanceof Errors.LockOrderViolation
    )
    : Option.none()
  yield* Console.log(
    Option.match(violation, {
      onNone: () => "Detector: naive transfer B→A was not refused?!",
      onSome: (defect) => `Detector: ${defect.message}`
    })
  )
  const free = !(yield* a.lock.isLocked) && !(yield* b.lock.isLocked)
  yield* Console.log(`Detector: both locks free afterwards: ${free}; balances A: ${a.balance}, B: ${b.balance}`)
  // withLocks takes the locks in rank order whatever the direction: nothing to report.
  yield* orderedTransfer(a, b, 10)
  yield* orderedTransfer(b, a, 10)
  yield* Console.log("Detector: withLocks transfers A→B and B→A: no violation")
}).pipe(Effect.provide(LockOrder.Detector))

const program = Effect.gen(function*() {
  yield* withLocks
  yield* naiveConcurrent
  yield* detector
})

NodeRuntime.runMain(program)
