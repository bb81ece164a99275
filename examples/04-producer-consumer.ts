/**
 * Producer–consumer with a queue — JoinableQueue and ProducerConsumer.run.
 *
 * The guide's pattern: a producer puts items into a bounded queue (`queue.Queue(maxsize=5)`), a
 * consumer takes and processes them and marks each one done (`task_done`), and the main fiber
 * waits for the producer, then `join`s the queue: it returns once every item is processed. The
 * guide's consumer stops when `get` times out; here it stops when the queue is shut down. Then
 * the same pattern in one call: `ProducerConsumer.run` with two producers and three consumers,
 * where a failing item is counted and returned with its error instead of stopping a consumer.
 *
 * `--timeline FILE.svg` draws in FILE.svg each item the guide's producer puts and each item a
 * consumer processes: a row for the producer, then one per consumer — the two failing items in
 * red; `--chart` prints the same chart here (see `timeline.ts`).
 *
 * Run: pnpm tsx examples/04-producer-consumer.ts
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Timeline } from "@fiberkit/observe"
import { JoinableQueue, ProducerConsumer } from "@fiberkit/queue"
import { Cause, Clock, Console, Data, Effect, Fiber, Option, Stream } from "effect"
import { withTimeline } from "./timeline.js"

const seconds = (millis: number) => `${(millis / 1000).toFixed(2)}s`

// The guide's producer and consumer, one fiber each.
const guidePattern = Effect.gen(function*() {
  const queue = yield* JoinableQueue.make<string>({ capacity: 5 })

  const producer = (name: string, items: number) =>
    Effect.gen(function*() {
      for (let i = 1; i <= items; i++) {
        const item = `${name}-Item-${i}`
        yield* Effect.gen(function*() {
          yield* queue.put(item) // waits while the queue holds 5 items
          yield* Console.log(`Produced: ${item}`)
          yield* Effect.sleep("100 millis")
        }).pipe(Timeline.recorded(item, { source: "JoinableQueue", group: "put", lane: "producer" }))
      }
    })

  const consumer = Effect.forever(
    Effect.gen(function*() {
      const item = yield* queue.take // waits while the queue is empty
      yield* Effect.gen(function*() {
        yield* Console.log(`Processing: ${item}`)
        yield* Effect.sleep("200 millis")
        yield* queue.taskDone // mark as completed
      }).pipe(Timeline.recorded(item, { source: "JoinableQueue", group: "take", lane: "consumer" }))
    })
  ).pipe(Effect.catchTag("QueueShutDown", () => Console.log("Consumer stopped: queue shut down")))

  const start = yield* Clock.currentTimeMillis
  const consumerFiber = yield* Effect.forkChild(consumer)
  const producerFiber = yield* Effect.forkChild(producer("Producer-1", 5))
  yield* Fiber.join(producerFiber) // producer_thread.join()
  yield* queue.join // task_queue.join(): wait for all tasks to be processed
  const elapsed = (yield* Clock.currentTimeMillis) - start
  yield* Console.log(`All 5 items processed (join returned after ${seconds(elapsed)})`)
  yield* queue.shutdown() // the consumer's next take fails QueueShutDown
  yield* Fiber.join(consumerFiber)
})

class ItemRejected extends Data.TaggedError("ItemRejected")<{ readonly item: string }> {}

// The same pattern in one call: the run ends when every produced item has been handled.
const runPattern = Effect.gen(function*() {
  const result = yield* ProducerConsumer.run({
    capacity: 4,
    producers: 2,
    consumers: 3,
    produce: (p) => Stream.range(1, 10).pipe(Stream.map((i) => `P${p + 1}-Item-${i}`)),
    consume: (item, consumer) =>
      (item.endsWith("-Item-7") // one item in ten fails
        ? Effect.fail(new ItemRejected({ item }))
        : Effect.sleep("20 millis")).pipe(
          Timeline.recorded(item, { source: "ProducerConsumer.run", group: "", lane: `consumer ${consumer + 1}` })
        )
  })
  const failed = result.failures
    .map((f) =>
      `${f.item} (${Option.match(Cause.findErrorOption(f.cause), { onNone: () => "defect", onSome: (e) => e._tag })})`
    )
    .sort()
  yield* Console.log(
    `ProducerConsumer.run: produced ${result.produced}, consumed ${result.consumed}, failed ${result.failed} ` +
      `(failures reported with their items: ${failed.join(", ")})`
  )
})

const program = Effect.gen(function*() {
  yield* Console.log("One producer, one consumer, a queue of capacity 5:")
  yield* guidePattern
  yield* Console.log("\nThe same in one call: 2 producers × 10 items, 3 consumers, capacity 4, item 7 of 10 fails:")
  yield* runPattern
})

NodeRuntime.runMain(
  withTimeline(program, { title: "04 · Producer–consumer: a JoinableQueue by hand, then ProducerConsumer.run" })
)
