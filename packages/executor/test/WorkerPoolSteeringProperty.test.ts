/**
 * WorkerPool steering on real threads, at random: submits with priorities, durations and cancels,
 * resizes, and submits interrupted (while they wait for room, or not), under each `onFull`.
 *
 * Each call (`occupy`) marks its start and its end on an event clock in shared memory; the test
 * marks on the same clock each resize, and each call's settlement (for a call cancelled while it
 * ran: its worker was terminated, it marked no end). From those marks, the calls running when
 * each one started are counted, and compared with the pool's size then: a grow counts from the
 * moment it is asked; a shrink from the moment it returns, except for the calls a worker had
 * started then, or was about to run (the first it held: a shrink takes back only the calls held
 * behind it) — those may start under the size before the shrink, on that worker.
 *
 * Those calls are read from the pool's own list of the calls it has accepted, not from the futures
 * the test holds: a submitter gets its future only when its fiber resumes — an `interrupted` op
 * only after its `after` delay — and by then its call may have been sent to an idle worker, as the
 * one it runs, and the shrink have returned. Nor is a call exempt once the pool has taken it back
 * from that worker (a call that goes before it came, see `yieldTo`): then it starts elsewhere,
 * under the size like any other.
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen } from "@fiberkit/testkit"
import { Effect, Exit, Fiber } from "effect"
import type * as Future from "../src/Future.js"
import type { FutureImpl } from "../src/internal/future.js"
import type { Sent } from "../src/internal/workerSlot.js"
import * as WorkerPool from "../src/WorkerPool.js"
import { how } from "./fixtures/handshake.js"
import { acceptedCalls, load, startedOnWorker, tasks, threadsAlive } from "./fixtures/steering.js"
import { occupy } from "./fixtures/tasks.js"

const MAX_OPS = 16

const submit = (at: { readonly min: number; readonly max: number }) =>
  Gen.record({
    kind: Gen.constant("submit" as const),
    at: Gen.integer(at),
    priority: Gen.integer({ min: 0, max: 3 }),
    ms: Gen.integer({ min: 0, max: 25 }),
    cancelAt: Gen.option(Gen.integer({ min: 0, max: 30 }), { nil: undefined })
  })

const op = Gen.oneof(
  submit({ min: 0, max: 40 }),
  Gen.record({
    kind: Gen.constant("interrupted" as const),
    at: Gen.integer({ min: 0, max: 40 }),
    priority: Gen.integer({ min: 0, max: 3 }),
    ms: Gen.integer({ min: 0, max: 10 }),
    after: Gen.integer({ min: 0, max: 10 })
  }),
  Gen.record({
    kind: Gen.constant("resize" as const),
    at: Gen.integer({ min: 0, max: 40 }),
    size: Gen.integer({ min: 1, max: 3 })
  })
)

/** A burst of calls at the start and a shrink while they run: a shrink of a busy pool, every time. */
const opening = Gen.tuple(
  Gen.array(submit({ min: 0, max: 2 }), { minLength: 3, maxLength: 6 }),
  Gen.record({ kind: Gen.constant("resize" as const), at: Gen.integer({ min: 3, max: 12 }), size: Gen.constant(1) })
)

const setup = Gen.record({
  size: Gen.integer({ min: 2, max: 3 }),
  maxPending: Gen.integer({ min: 0, max: 3 }),
  onFull: Gen.constantFrom("wait" as const, "fail" as const, "dropOldest" as const)
})

describe("WorkerPool steering, property", { timeout: 180_000, concurrent: false }, () => {
  it.live.prop(
    "never more calls start than the size allows, every accepted call settles once, a refused one never runs, nothing pending or leaked",
    [opening, Gen.array(op, { maxLength: MAX_OPS - 7 }), setup],
    ([[burst, shrink], rest, start]) =>
      Effect.gen(function*() {
        const ops = [...burst, shrink, ...rest]
        const clock = new Int32Array(new SharedArrayBuffer((1 + 2 * MAX_OPS) * Int32Array.BYTES_PER_ELEMENT))
        const tick = () => Atomics.add(clock, 0, 1) + 1
        const startOf = (i: number) => Atomics.load(clock, 1 + 2 * i)
        const endOf = (i: number) => Atomics.load(clock, 2 + 2 * i)
        /** The pool's size from each tick on (a grow: from when it is asked; a shrink: from when it returned). */
        const limits: Array<{ readonly tick: number; readonly size: number }> = [{ tick: 0, size: start.size }]
        const lastLimit = () => limits[limits.length - 1]!.size
        /**
         * Calls started, or about to, when a shrink returned, and where: they may start under the size
         * before it, unless taken back from there since (`moved`).
         */
        const exempt: Array<{ readonly call: number; readonly size: number; readonly where: Sent }> = []
        const settled = new Array<number>(ops.length).fill(0)
        const settledAt = new Array<number>(ops.length).fill(0)
        const outcome = new Array<string>(ops.length).fill("not submitted")
        let pool: WorkerPool.WorkerPool<unknown> | undefined = undefined

        const watch = (i: number, future: Future.Future<void, unknown>) => {
          // told in the settlement's own step, before anything else runs
          ;(future as unknown as FutureImpl<void, unknown>).observe(() => {
            settled[i]!++
            settledAt[i] = tick()
          })
        }

        yield* Effect.scoped(Effect.gen(function*() {
          const made = yield* WorkerPool.make({
            module: tasks,
            concurrency: start.size,
            maxPending: start.maxPending,
            onFull: start.onFull
          })
          pool = made
          const call = (i: number, spec: { readonly priority: number; readonly ms: number }) =>
            made.submit(occupy({ cells: clock, id: i, ms: spec.ms }), { priority: spec.priority })
          const run = (i: number): Effect.Effect<void> => {
            const spec = ops[i]!
            switch (spec.kind) {
              case "submit":
                return Effect.gen(function*() {
                  const exit = yield* Effect.exit(call(i, spec))
                  if (Exit.isFailure(exit)) return void (outcome[i] = `refused ${how(exit)}`)
                  const future = exit.value
                  watch(i, future)
                  if (spec.cancelAt !== undefined) {
                    yield* Effect.forkChild(Effect.andThen(Effect.sleep(spec.cancelAt), future.cancel))
                  }
                  outcome[i] = how(yield* future.await)
                })
              case "interrupted":
                return Effect.gen(function*() {
                  const fiber = yield* Effect.forkChild(call(i, spec))
                  yield* Effect.sleep(spec.after)
                  yield* Fiber.interrupt(fiber)
                  const exit = yield* Fiber.await(fiber)
                  if (Exit.isFailure(exit)) return void (outcome[i] = `refused ${how(exit)}`)
                  watch(i, exit.value)
                  outcome[i] = how(yield* exit.value.await)
                })
              case "resize":
                return Effect.gen(function*() {
                  limits.push({ tick: tick(), size: Math.max(lastLimit(), spec.size) })
                  yield* Effect.orDie(made.resize(spec.size))
                  // every call accepted, those whose submitter has not resumed yet included
                  for (const job of acceptedCalls(made)) {
                    const where = startedOnWorker(job)
                    if (where !== undefined) {
                      exempt.push({ call: (job.payload as { readonly id: number }).id, size: lastLimit(), where })
                    }
                  }
                  limits.push({ tick: tick(), size: made.concurrency })
                  outcome[i] = "resized"
                })
            }
          }
          yield* Effect.forEach(
            ops,
            (spec, i) => Effect.andThen(Effect.sleep(spec.at), run(i)),
            { concurrency: "unbounded", discard: true }
          )
          yield* made.awaitIdle
          assert.deepStrictEqual(yield* load(made), [0, 0], "nothing running or pending once idle")
        }))

        // no thread leaked once the scope has closed
        assert.strictEqual(yield* pool!.threadCount, 0)
        assert.strictEqual(threadsAlive(pool!), 0)

        ops.forEach((spec, i) => {
          const label = `op ${i} ${JSON.stringify(spec)}: ${outcome[i]}`
          if (spec.kind === "resize") return
          if (outcome[i]!.startsWith("refused")) {
            // refused, or interrupted before it was accepted: it never ran
            assert.strictEqual(startOf(i), 0, label)
            return
          }
          assert.strictEqual(settled[i], 1, `settled once: ${label}`)
          if (outcome[i] === "success") assert.isTrue(startOf(i) > 0 && endOf(i) > startOf(i), label)
          if (outcome[i] === "PendingLimitExceeded") {
            assert.strictEqual(startOf(i), 0, `dropped, never started: ${label}`)
          }
          assert.include(["success", "FutureCancelled", "PendingLimitExceeded"], outcome[i], label)
        })

        // the calls running when each one started, against the size then
        const endAt = (j: number) => endOf(j) > 0 ? endOf(j) : settledAt[j]! > 0 ? settledAt[j]! : Infinity
        ops.forEach((_, i) => {
          const at = startOf(i)
          if (at === 0) return
          let running = 1
          ops.forEach((_, j) => {
            if (j !== i && startOf(j) > 0 && startOf(j) < at && endAt(j) > at) running++
          })
          let size = start.size
          for (const limit of limits) if (limit.tick < at) size = limit.size
          let allowed = size
          for (const { call, size: before, where } of exempt) {
            if (call === i && !where.moved) allowed = Math.max(allowed, before)
          }
          assert.isAtMost(running, allowed, `call ${i} started with ${running - 1} running: ${JSON.stringify(limits)}`)
        })
      }),
    // each sample starts real threads (seconds): a few shrinks at most, so that a failure is reported in time
    { arbitrary: { runs: 12, maxShrinks: 4 }, timeout: 180_000 }
  )
})
