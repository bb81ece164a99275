/**
 * Review-26a regression tests (they failed before the fix). Review of issue 26 under the schedule explorer (memory and SQLite stores): a replay interrupted
 * at any step (failed before its fix: join hung); pinned, passing: a cancel racing a
 * delayed task's time, and replays of a dead letter racing each other, a cancel and the worker.
 */
import { assert, describe, it } from "@effect/vitest"
import { Interleavings } from "@fiberkit/testkit"
import { Effect, Exit, Fiber, Schema, type Scope } from "effect"
import * as TaskManager from "../src/TaskManager.js"
import type * as TaskStore from "../src/TaskStore.js"
import { collect, explore, localStores } from "./fixtures/explore.js"

const cancelAtItsTime = (store: Effect.Effect<TaskStore.TaskStore, never, Scope.Scope>) =>
  Effect.gen(function*() {
    let runs = 0
    const job = TaskManager.define("job", {
      args: Schema.Number,
      run: (n) => Effect.sync(() => void runs++).pipe(Effect.as(n))
    })
    const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store: yield* store }).pipe(Effect.orDie)
    const { done, outcomes } = yield* collect(manager)
    const id = yield* Effect.orDie(manager.add(job, 1, { delay: 10 }))
    const canceller = yield* Interleavings.fork(Effect.andThen(Effect.sleep(10), manager.cancel(id)))
    const answer = yield* Fiber.await(canceller)
    yield* Effect.orDie(manager.join)
    yield* manager.shutdown({ drain: true })
    yield* done
    assert.deepStrictEqual(outcomes.map((o) => o.id), [id], "one outcome")
    const outcome = outcomes[0]!
    assert.strictEqual(runs, outcome.state === "cancelled" ? runs && 1 : 1)
    if (Exit.isSuccess(answer)) assert.strictEqual(answer.value, outcome.state === "cancelled")
    assert.strictEqual((yield* Effect.orDie(manager.status(id))).state, outcome.state)
  })

const replaysRacing = (store: Effect.Effect<TaskStore.TaskStore, never, Scope.Scope>) =>
  Effect.gen(function*() {
    let runs = 0
    const job = TaskManager.define("job", {
      args: Schema.Number,
      // fails its first run only
      run: (n) => Effect.suspend(() => ++runs === 1 ? Effect.fail("first") : Effect.succeed(n))
    })
    const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store: yield* store }).pipe(Effect.orDie)
    const { done, outcomes } = yield* collect(manager)
    const id = yield* Effect.orDie(manager.add(job, 1))
    yield* Effect.orDie(manager.join)
    assert.strictEqual((yield* Effect.orDie(manager.status(id))).state, "failed")
    const first = yield* Effect.forkChild(manager.retry(id))
    const second = yield* Effect.forkChild(manager.retry(id))
    const canceller = yield* Effect.forkChild(Effect.andThen(Effect.yieldNow, manager.cancel(id)))
    const answers = [yield* Fiber.await(first), yield* Fiber.await(second)]
    const cancelled = yield* Fiber.await(canceller)
    yield* Effect.orDie(manager.join)
    yield* manager.shutdown({ drain: true })
    yield* done
    const record = yield* Effect.orDie(manager.status(id))
    const yes = answers.filter((a) => Exit.isSuccess(a) && a.value === true).length
    assert.isAtMost(yes, 1, "a task replayed by another call is not replayed twice")
    assert.isAtMost(record.replays, 1)
    // the failure, then — if it was replayed — one more outcome
    assert.strictEqual(outcomes.length, 1 + record.replays, `outcomes: ${outcomes.map((o) => o.state)}`)
    assert.strictEqual(outcomes.at(-1)!.state, record.state)
    assert.strictEqual(runs, record.replays === 1 && record.state === "succeeded" ? 2 : runs)
    if (Exit.isSuccess(cancelled)) assert.strictEqual(cancelled.value, record.state === "cancelled")
  })

/** A dead letter whose replay is interrupted at any step: the manager's join still ends. */
const replayInterrupted = (store: Effect.Effect<TaskStore.TaskStore, never, Scope.Scope>) =>
  Effect.gen(function*() {
    let runs = 0
    const job = TaskManager.define("job", {
      args: Schema.Number,
      run: (n) => Effect.suspend(() => ++runs === 1 ? Effect.fail("first") : Effect.succeed(n))
    })
    const manager = yield* TaskManager.make({ tasks: [job], concurrency: 1, store: yield* store }).pipe(Effect.orDie)
    const id = yield* Effect.orDie(manager.add(job, 1))
    yield* Effect.orDie(manager.join)
    const replay = yield* Interleavings.fork(manager.retry(id))
    const answer = yield* Fiber.await(replay)
    // whether or not the replay happened, no task is left to wait for once it has run
    yield* Effect.orDie(manager.join)
    const record = yield* Effect.orDie(manager.status(id))
    assert.include(["failed", "succeeded"], record.state)
    if (Exit.isSuccess(answer)) assert.strictEqual(record.state, answer.value ? "succeeded" : "failed")
  })

/** A seed whose schedules reach the interruption that leaks (found by exploring; any seed does, given enough schedules). */
const SEED = 1

describe("review: Interleavings of issue 26", () => {
  for (const [name, store] of localStores) {
    // failed before its fix: the replay counts its task as unfinished, then becomes uninterruptible one step later
    it.effect(`${name} store: a replay interrupted at any step leaves no task for join to wait for`, () =>
      explore(store, replayInterrupted(store), {
        schedules: name === "memory" ? 400 : 150,
        seed: SEED,
        interrupts: true,
        idleTurns: 200
      }))
  }
})

describe("review: Interleavings of issue 26 — pins (passing)", () => {
  for (const [name, store] of localStores) {
    it.effect(`${name} store: a cancel racing a delayed task's time`, () =>
      explore(store, cancelAtItsTime(store), {
        schedules: name === "memory" ? 100 : 20,
        seed: SEED,
        interrupts: true,
        idleTurns: 200
      }))
    // (a fixed seed: other seeds reach the cancel that never answers, which
    // ReplayCancel.test.ts forces deterministically — seed 4 finds it at schedule 33)
    it.effect(`${name} store: two replays and a cancel racing on a dead letter`, () =>
      explore(store, replaysRacing(store), { schedules: name === "memory" ? 100 : 20, seed: SEED, idleTurns: 200 }))
  }
})
