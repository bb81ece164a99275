/**
 * Item conservation for the new and changed operations under the schedule explorer, with
 * interruption and a racing shutdown: no item delivered twice, nothing delivered that was refused
 * (`false` / QueueShutDown), nothing lost unless an interrupted take may have dropped it, exact
 * task counts, size never negative nor above capacity, and no fiber left waiting.
 */
import { assert, describe, it } from "@effect/vitest"
import { Interleavings } from "@fiberkit/testkit"
import { Effect, Exit, Fiber, Number as N, Option } from "effect"
import * as JoinableQueue from "../src/JoinableQueue.js"

type Kind = "fifo" | "lifo" | "priority"
type PutOutcome = "added" | "refused" | "unknown"

const scenario = (kind: Kind, capacity: number, immediate: boolean) =>
  Effect.gen(function*() {
    const queue = yield* Effect.orDie(
      JoinableQueue.make<number>({ capacity, kind, order: kind === "priority" ? N.Order : undefined })
    )
    const puts = new Map<number, PutOutcome>()
    const delivered: Array<number> = []
    let takesUnknown = 0
    let sizeViolation: string | undefined
    const checkSize = Effect.flatMap(queue.size, (n) =>
      Effect.sync(() => {
        if (n < 0 || n > capacity) sizeViolation = `size ${n}`
      }))
    const putOp = (item: number, effect: Effect.Effect<boolean, unknown>) =>
      Effect.onExit(Effect.andThen(checkSize, effect), (exit) =>
        Effect.sync(() => {
          puts.set(
            item,
            Exit.isSuccess(exit) ?
              (exit.value ? "added" : "refused") :
              exit.cause.reasons.some((r) => r._tag === "Fail")
              ? "refused"
              : "unknown"
          )
        }))
    // `most`: how many items the operation can take at once (an interrupted batch may drop several)
    const takeOp = <E>(effect: Effect.Effect<ReadonlyArray<number>, E>, most = 1) =>
      Effect.onExit(Effect.andThen(checkSize, effect), (exit) =>
        Effect.sync(() => {
          if (Exit.isSuccess(exit)) { for (const item of exit.value) delivered.push(item) }
          else if (!exit.cause.reasons.some((r) => r._tag === "Fail")) takesUnknown += most
        }))
    const one = <E>(effect: Effect.Effect<number, E>) => Effect.map(effect, (a) => [a])
    const opt = <E>(effect: Effect.Effect<Option.Option<number>, E>) =>
      Effect.map(effect, Option.match({ onNone: () => [], onSome: (a) => [a] }))
    const later = <A, E>(ms: number, effect: Effect.Effect<A, E>) => Effect.andThen(Effect.sleep(ms), effect)

    const actors: Array<Fiber.Fiber<unknown, unknown>> = [
      yield* Interleavings.fork(Effect.andThen(putOp(1, queue.offer(1)), later(1, putOp(6, queue.offer(6))))),
      yield* Interleavings.fork(
        Effect.andThen(later(1, putOp(2, Effect.as(queue.put(2), true))), putOp(7, queue.tryPut(7)))
      ),
      yield* Interleavings.fork(putOp(3, queue.putFor("3 millis", 3))),
      yield* Interleavings.fork(later(1, putOp(4, queue.offer(4)))),
      yield* Interleavings.fork(putOp(5, queue.tryPut(5))),
      yield* Interleavings.fork(Effect.andThen(putOp(8, queue.offer(8)), putOp(9, queue.putFor("1 millis", 9)))),
      yield* Interleavings.fork(later(1, takeOp(queue.takeBatch(2), 2))),
      yield* Interleavings.fork(Effect.andThen(later(1, takeOp(opt(queue.poll))), takeOp(opt(queue.tryTake)))),
      yield* Interleavings.fork(later(1, takeOp(queue.takeUpTo(3), capacity))),
      yield* Interleavings.fork(takeOp(opt(queue.takeFor("2 millis")))),
      yield* Interleavings.fork(takeOp(one(queue.take))),
      yield* Interleavings.fork(Effect.andThen(takeOp(queue.takeBatch(Infinity), capacity), takeOp(one(queue.take))))
    ]
    const closer = yield* Effect.forkChild(later(2, queue.shutdown({ immediate })))
    yield* Fiber.await(closer)
    yield* Effect.forEach(actors, Fiber.await)
    const left = yield* queue.takeUpTo(Infinity)
    const unfinished = yield* queue.unfinishedTasks
    const size = yield* queue.size

    const seen = [...delivered, ...left]
    const detail = JSON.stringify({ puts: [...puts], delivered, left, unfinished, takesUnknown })
    assert.isUndefined(sizeViolation, detail)
    assert.strictEqual(size, 0, detail)
    assert.strictEqual(new Set(seen).size, seen.length, `delivered twice: ${detail}`)
    for (const item of seen) assert.notStrictEqual(puts.get(item), "refused", `refused but delivered: ${detail}`)
    for (const item of seen) assert.isDefined(puts.get(item), `never put: ${detail}`)
    const added = [...puts].filter(([, o]) => o === "added").map(([i]) => i)
    const unknown = [...puts].filter(([, o]) => o === "unknown").map(([i]) => i)
    if (!immediate && takesUnknown === 0) {
      for (const item of added) assert.include(seen, item, `lost: ${detail}`)
    }
    if (!immediate) {
      // no taskDone: every item that went in is unfinished
      assert.isAtLeast(unfinished, Math.max(added.length, seen.length), detail)
      assert.isAtMost(unfinished, added.length + unknown.length, detail)
    } else {
      // dropped items count as done: the items delivered remain unfinished
      assert.isAtLeast(unfinished, delivered.length, detail)
      assert.isAtMost(unfinished, delivered.length + takesUnknown, detail)
    }
  })

describe("regression (issue 23 review): conservation under the schedule explorer", () => {
  for (const kind of ["fifo", "lifo", "priority"] as const) {
    for (const capacity of [1, 2]) {
      for (const immediate of [false, true]) {
        it.effect(
          `${kind}, capacity ${capacity}, ${
            immediate ? "immediate" : "drain"
          }: nothing lost, duplicated or added when refused; exact counts`,
          () =>
            Interleavings.explore(scenario(kind, capacity, immediate), {
              schedules: 500,
              interrupts: true
            }).pipe(
              Effect.asVoid
            ),
          120_000
        )
      }
    }
  }
})
