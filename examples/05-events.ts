/**
 * Event-based communication — Event, Barrier and Condition.
 *
 * The guide's shutdown pattern: a worker works until a controller sets a shutdown `Event`. The
 * worker pauses with `waitFor` (Python's `shutdown_event.wait(0.3)`) instead of a plain sleep,
 * so it stops as soon as the event is set. Then a `Barrier` of three parties (each waits for
 * the others, and an action runs once when the last arrives), and a `Condition` (a consumer
 * waits until a producer puts an item and notifies it).
 *
 * Run: pnpm tsx examples/05-events.ts
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Barrier, Condition, Event } from "@fiberkit/sync"
import { Clock, Console, Effect, Fiber } from "effect"

// Event: the worker loops until the controller sets the shutdown flag.
const shutdownPattern = Effect.gen(function*() {
  const shutdown = yield* Event.make
  const worker = Effect.gen(function*() {
    const start = yield* Clock.currentTimeMillis
    let rounds = 0
    while (!(yield* shutdown.isSet)) {
      rounds++
      yield* Console.log("Working...")
      yield* shutdown.waitFor("300 millis") // returns early when the event is set
    }
    const elapsed = (yield* Clock.currentTimeMillis) - start
    yield* Console.log(`Worker stopped after ${rounds} rounds (${(elapsed / 1000).toFixed(2)}s)`)
  })
  const controller = Effect.gen(function*() {
    yield* Effect.sleep("1 second")
    yield* Console.log("Sending shutdown signal")
    yield* shutdown.set
  })
  yield* Effect.all([worker, controller], { concurrency: "unbounded", discard: true })
})

// Barrier: three parties arriving at different times continue together.
const barrierPattern = Effect.gen(function*() {
  let actionRuns = 0
  const barrier = yield* Barrier.make(3, {
    action: Effect.suspend(() => {
      actionRuns++
      return Console.log("Barrier action: all 3 parties arrived")
    })
  })
  const party = (name: string, millis: number) =>
    Effect.gen(function*() {
      yield* Effect.sleep(millis)
      yield* Console.log(`${name} arrives at the barrier`)
      const index = yield* barrier.await
      yield* Console.log(`${name} continues (arrival index ${index})`)
    })
  yield* Effect.all([party("party-a", 100), party("party-b", 200), party("party-c", 300)], {
    concurrency: "unbounded",
    discard: true
  })
  yield* Console.log(`Barrier action ran ${actionRuns === 1 ? "once" : `${actionRuns} times`}`)
})

// Condition: the consumer waits (letting go of the lock) until the producer puts an item.
const conditionPattern = Effect.gen(function*() {
  const condition = yield* Condition.make()
  const items: Array<number> = []
  const consumer = condition.withLock(Effect.gen(function*() {
    yield* Console.log("Consumer waiting for an item...")
    yield* condition.waitUntil(Effect.sync(() => items.length > 0))
    yield* Console.log(`Consumer got item ${items.shift()}`)
  }))
  const producer = Effect.andThen(
    Effect.sleep("200 millis"),
    condition.withLock(Effect.gen(function*() {
      items.push(42)
      yield* Console.log("Producer put item 42 and notifies")
      yield* condition.notify()
    }))
  )
  const consuming = yield* Effect.forkChild(consumer)
  yield* producer
  yield* Fiber.join(consuming)
})

const program = Effect.gen(function*() {
  yield* Console.log("Event:")
  yield* shutdownPattern
  yield* Console.log("\nBarrier:")
  yield* barrierPattern
  yield* Console.log("\nCondition:")
  yield* conditionPattern
})

NodeRuntime.runMain(program)
