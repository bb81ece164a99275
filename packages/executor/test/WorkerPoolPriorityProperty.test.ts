/**
 * WorkerPool priorities on real threads, at random: calls of random priorities (strict, or with
 * aging) submitted to 2–3 workers, each call holding its worker until the test releases it — in a
 * random order, so each call's run time is random — and random cancels of waiting and running
 * calls (a running call's worker is terminated and replaced).
 *
 * The test moves one step at a time and waits, after each, until the pool is quiescent: every
 * worker runs a call, or none waits. While priorities are in play (always with aging; strictly,
 * while a call of priority other than 0 waits), the calls that started meanwhile (read from a start
 * log in shared memory) must be the best-ranked of those not started — by priority, or by aged
 * rank, then submission order: one call after a worker frees, as many as the idle workers after a
 * submission. Never more run than the size. Some pools retire each worker after a few calls
 * (`maxTasksPerWorker`): the order holds while replacements start. (A freed worker's `reclaim` of
 * a call held by a worker whose thread is blocked outside any call, and a retired worker serving
 * again, need handshakes this test does not make: `WorkerPoolTakeBack.test.ts` pins them.)
 * At the end every call not cancelled while waiting has run exactly once, and none that was has.
 */
import { assert, describe, it } from "@effect/vitest"
import { Gen } from "@fiberkit/testkit"
import { Effect } from "effect"
import type * as Future from "../src/Future.js"
import type { CallJob } from "../src/internal/workerSlot.js"
import * as WorkerPool from "../src/WorkerPool.js"
import { how } from "./fixtures/handshake.js"
import { eventually, load, tasks } from "./fixtures/steering.js"
import { gated } from "./fixtures/tasks.js"

const MAX_CALLS = 48

const op = Gen.oneof(
  Gen.record({
    kind: Gen.constant("submit" as const),
    // priority 0 often: calls of 0 alone are sent ahead to busy workers, and go back in line once
    // a call of another priority comes
    priorities: Gen.array(Gen.oneof(Gen.constant(0), Gen.integer({ min: -2, max: 3 })), { minLength: 1, maxLength: 3 })
  }),
  Gen.record({ kind: Gen.constant("finish" as const), pick: Gen.integer({ min: 0, max: 5 }) }),
  Gen.record({
    kind: Gen.constant("cancel" as const),
    pick: Gen.integer({ min: 0, max: 20 }),
    running: Gen.boolean
  })
)

const setup = Gen.record({
  size: Gen.integer({ min: 2, max: 3 }),
  aging: Gen.boolean,
  maxTasksPerWorker: Gen.option(Gen.integer({ min: 1, max: 3 }), { nil: undefined })
})

interface Call {
  readonly id: number
  readonly priority: number
  readonly future: Future.Future<void, unknown>
}

describe("WorkerPool priorities, property", { timeout: 240_000, concurrent: false }, () => {
  it.live.prop(
    "each call a worker starts is the best-ranked of those not started; every call runs once, a cancelled waiting one never",
    [setup, Gen.array(op, { minLength: 4, maxLength: 14 })],
    ([start, ops]) =>
      Effect.gen(function*() {
        const log = new Int32Array(new SharedArrayBuffer((1 + MAX_CALLS) * Int32Array.BYTES_PER_ELEMENT))
        const gates = new Int32Array(new SharedArrayBuffer((1 + MAX_CALLS) * Int32Array.BYTES_PER_ELEMENT))
        const calls: Array<Call> = []
        const waiting = new Set<Call>()
        const running: Array<Call> = []
        const cancelledWaiting = new Set<Call>()
        const cancelledRunning = new Set<Call>()
        let read = 0
        const rankOf = (call: Call) => start.aging ? (call.future as unknown as CallJob).rank : -call.priority
        const before = (a: Call, b: Call) => rankOf(a) < rankOf(b) || (rankOf(a) === rankOf(b) && a.id < b.id)
        const open = (call: Call) => {
          Atomics.store(gates, call.id, 1)
          Atomics.notify(gates, call.id)
        }
        const trail: Array<string> = []

        yield* Effect.scoped(Effect.gen(function*() {
          const pool = yield* WorkerPool.make({
            module: tasks,
            concurrency: start.size,
            ...(start.aging ? { aging: "20 millis" } : {}),
            ...(start.maxTasksPerWorker !== undefined ? { maxTasksPerWorker: start.maxTasksPerWorker } : {})
          })

          /** Waits until the pool is quiescent, then checks the calls that started meanwhile. */
          const settle = (step: string) =>
            Effect.gen(function*() {
              const fresh: Array<Call> = []
              // priorities in play: always with aging; strictly, while a call of priority other than 0
              // waits (else calls of priority 0 are sent ahead, and one sent ahead may pass an older one)
              const ranked = start.aging || [...waiting].some((call) => call.priority !== 0)
              const expected = Math.min(start.size, running.length + waiting.size)
              yield* eventually(
                `${step}: ${expected} running`,
                Effect.sync(() => {
                  while (read < Atomics.load(log, 0) && Atomics.load(log, 1 + read) !== 0) {
                    fresh.push(calls[Atomics.load(log, 1 + read++) - 1]!)
                  }
                  return running.length + fresh.length >= expected
                })
              )
              trail.push(`${step} → started ${fresh.map((call) => call.id).join(",")}`)
              const label = trail.join("; ")
              assert.strictEqual(running.length + fresh.length, expected, `never more than the size: ${label}`)
              for (const call of fresh) assert.isTrue(waiting.has(call), `started once, not cancelled: ${label}`)
              if (ranked) {
                const best = [...waiting].sort((a, b) => (before(a, b) ? -1 : 1)).slice(0, fresh.length)
                assert.deepStrictEqual(
                  fresh.map((call) => call.id).sort((a, b) => a - b),
                  best.map((call) => call.id).sort((a, b) => a - b),
                  `the best-ranked of those not started: ${label}`
                )
              }
              for (const call of fresh) {
                waiting.delete(call)
                running.push(call)
              }
            })

          for (const spec of ops) {
            switch (spec.kind) {
              case "submit": {
                // in one step: they travel together
                const submitted: Array<number> = []
                for (const priority of spec.priorities) {
                  if (calls.length >= MAX_CALLS) break
                  const id = calls.length + 1
                  const future = yield* pool.submit(gated({ log, gates, id }), { priority })
                  const call = { id, priority, future }
                  calls.push(call)
                  waiting.add(call)
                  submitted.push(id)
                }
                yield* settle(`submit ${submitted.map((id) => `${id}@${calls[id - 1]!.priority}`).join(",")}`)
                break
              }
              case "finish": {
                if (running.length === 0) break
                const [call] = running.splice(spec.pick % running.length, 1)
                open(call!)
                yield* settle(`finish ${call!.id}`)
                break
              }
              case "cancel": {
                if (spec.running && running.length > 0) {
                  const [call] = running.splice(spec.pick % running.length, 1)
                  cancelledRunning.add(call!)
                  yield* call!.future.cancel // its worker is terminated, and replaced
                  yield* settle(`cancel running ${call!.id}`)
                } else if (waiting.size > 0) {
                  const call = [...waiting][spec.pick % waiting.size]!
                  assert.isTrue(yield* call.future.cancel, "a waiting call is cancelled before it starts")
                  waiting.delete(call)
                  cancelledWaiting.add(call)
                  yield* settle(`cancel waiting ${call.id}`)
                }
                break
              }
            }
          }
          for (const call of calls) open(call)
          yield* pool.awaitIdle
          assert.deepStrictEqual(yield* load(pool), [0, 0], "nothing running or pending once idle")
        }))

        const label = trail.join("; ")
        const ran = Array.from(log.slice(1, 1 + Atomics.load(log, 0)))
        for (const call of calls) {
          const times = ran.filter((id) => id === call.id).length
          const outcome = how(yield* call.future.await)
          if (cancelledWaiting.has(call)) {
            assert.deepStrictEqual([times, outcome], [0, "FutureCancelled"], `call ${call.id}: ${label}`)
          } else if (cancelledRunning.has(call)) {
            assert.strictEqual(times, 1, `call ${call.id} ran once: ${label}`)
            assert.notStrictEqual(outcome, "success", `call ${call.id}: ${label}`)
          } else {
            assert.deepStrictEqual([times, outcome], [1, "success"], `call ${call.id}: ${label}`)
          }
        }
      }),
    // each sample starts real threads, and a cancel of a running call replaces one: a few shrinks at most
    { arbitrary: { runs: 16, maxShrinks: 4 }, timeout: 240_000 }
  )
})
