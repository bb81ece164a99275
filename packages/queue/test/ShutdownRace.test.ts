/**
 * A take, or a put into a full queue, that arrives as the queue shuts down must end with
 * `QueueShutDown`: it must never wait for ever on a shut-down queue. (`ProducerConsumer.run` and
 * `fromStream(…, { shutdown: true })` shut a queue down exactly while consumers arrive.)
 *
 * Effect's runtime switches a fiber out after a number of ops (`Scheduler.MaxOpsBeforeYield`). The
 * arriving fiber does `spin` cheap ops first, then the operation; sweeping the op limit and the
 * spin moves the switch — and so the shutdown, which the other fiber runs at once or after a few
 * yields — over every step of the operation, including the steps between the waiter joining its
 * line and its fiber registering to be woken. (In Effect 3.22 a limit below 10 livelocks: the
 * automatic yield spends those ops itself.) A stranded waiter is suspended with nothing on the
 * `TestClock` that could wake it, which `TestTime.run` reports as `Deadlocked`.
 */
import { assert, describe, it } from "@effect/vitest"
import { TestTime } from "@fiberkit/testkit"
import { Effect, Fiber, Result, Scheduler } from "effect"
import * as JoinableQueue from "../src/JoinableQueue.js"

type Arrival = (queue: JoinableQueue.JoinableQueue<number>) => Effect.Effect<unknown, unknown>

interface Point {
  readonly ops: number
  readonly spin: number
  readonly yields: number
  /** `QueueShutDown`, or what else the arriving operation ended with (`Deadlocked`: stranded). */
  readonly ended: string
}

const spinThen = <A, E>(spin: number, effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  spin === 0 ? effect : Effect.andThen(Effect.void, spinThen(spin - 1, effect))

const withMaxOps = <A, E>(effect: Effect.Effect<A, E>, ops: number): Effect.Effect<A, E> =>
  Effect.provideService(effect, Scheduler.MaxOpsBeforeYield, ops)

const sweep = (arrive: Arrival, fill: boolean) =>
  Effect.gen(function*() {
    const points: Array<Point> = []
    for (let ops = 10; ops <= 40; ops++) {
      for (let spin = 0; spin <= 12; spin++) {
        for (let yields = 0; yields <= 2; yields++) {
          yield* Effect.yieldNow // each point starts on a fresh turn of the test's own fiber
          const queue = yield* JoinableQueue.make<number>({ capacity: 1 })
          if (fill) yield* queue.put(0)
          const arriving = yield* Effect.forkChild(withMaxOps(spinThen(spin, arrive(queue)), ops))
          const closing = Effect.andThen(Effect.repeat(Effect.yieldNow, { times: yields }), queue.shutdown())
          yield* Effect.forkChild(withMaxOps(closing, ops))
          const result = yield* Effect.result(TestTime.run(Fiber.join(arriving)))
          const ended = Result.match(result, {
            onFailure: (error) => (error as { readonly _tag: string })._tag,
            onSuccess: () => "succeeded"
          })
          points.push({ ops, spin, yields, ended })
        }
      }
    }
    return points
  })

const stranded = (points: ReadonlyArray<Point>): Array<string> =>
  points.filter((p) => p.ended !== "QueueShutDown").map((p) =>
    `ops ${p.ops}, spin ${p.spin}, yields ${p.yields}: ${p.ended}`
  )

describe("JoinableQueue: an operation arriving as the queue shuts down", () => {
  it.effect("a take on an empty queue racing shutdown fails QueueShutDown at every sweep point, never waits for ever", () =>
    Effect.gen(function*() {
      const points = yield* sweep((queue) => queue.take, false)
      assert.deepStrictEqual(stranded(points), [])
    }))

  it.effect("a put into a full queue racing shutdown fails QueueShutDown at every sweep point, never waits for ever", () =>
    Effect.gen(function*() {
      const points = yield* sweep((queue) => queue.put(1), true)
      assert.deepStrictEqual(stranded(points), [])
    }))
})
