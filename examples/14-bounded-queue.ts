/**
 * Bounded queues control memory — a fast producer against a slow consumer.
 *
 * The guide's `queue.Queue(maxsize=100)`: when the queue is full, `put` waits, so a producer
 * can never run further ahead of its consumer than the capacity. Here a producer puts 10,000
 * items of 1 KB as fast as it can while the consumer takes a short pause every 50 items. With
 * a capacity of 100 the queue never holds more than 100 items and the producer slows to the
 * consumer's pace (back-pressure); unbounded, the producer finishes at once and nearly every
 * item waits in memory.
 *
 * `--timeline FILE.svg` draws the producer and the consumer of each run in FILE.svg, a bar each
 * from start to end: bounded, the producer ends with its consumer; unbounded, long before it.
 * `--chart` prints the same chart here (see `timeline.ts`).
 *
 * Run: pnpm tsx examples/14-bounded-queue.ts
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Timeline } from "@fiberkit/observe"
import { JoinableQueue } from "@fiberkit/queue"
import { Clock, Console, Effect, Fiber } from "effect"
import { withTimeline } from "./timeline.js"

const ITEMS = 10_000
const PAYLOAD = 1024 // bytes of text per item

const count = (n: number) => n.toLocaleString("en-US")
const size = (bytes: number) =>
  bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`

/** Runs the producer and the consumer through a queue of `capacity` (0: unbounded). */
const run = (label: string, capacity: number) =>
  Effect.gen(function*() {
    const queue = yield* JoinableQueue.make<string>({ capacity })
    const queueName = capacity === 0 ? "unbounded" : `capacity ${capacity}` // in the timeline's rows
    let taken = 0
    const consumer = Effect.forever(
      Effect.gen(function*() {
        yield* queue.take
        taken++
        if (taken % 50 === 0) yield* Effect.sleep("1 millis") // the slow part
        yield* queue.taskDone
      })
    ).pipe(
      Effect.catchTag("QueueShutDown", () => Effect.void),
      Timeline.recorded(`${count(ITEMS)} takes`, { source: queueName, group: "take", lane: "consumer" })
    )

    let peakSize = 0 // sampled after every put
    const producer = Effect.gen(function*() {
      for (let i = 0; i < ITEMS; i++) {
        yield* queue.put(`item-${i}:`.padEnd(PAYLOAD, "."))
        peakSize = Math.max(peakSize, yield* queue.size)
      }
    }).pipe(Timeline.recorded(`${count(ITEMS)} puts`, { source: queueName, group: "put", lane: "producer" }))

    const start = yield* Clock.currentTimeMillis
    const consumerFiber = yield* Effect.forkChild(consumer)
    yield* producer
    const produced = (yield* Clock.currentTimeMillis) - start
    yield* queue.join
    const consumed = (yield* Clock.currentTimeMillis) - start
    yield* queue.shutdown()
    yield* Fiber.join(consumerFiber)

    yield* Console.log(`${label}: peak queue size ${count(peakSize)}`)
    yield* Console.log(
      `  ${size(peakSize * PAYLOAD)} of items held at once; producer done after ${produced} ms, ` +
        `all ${count(taken)} items consumed after ${consumed} ms`
    )
  })

const program = Effect.gen(function*() {
  yield* Console.log(`A fast producer puts ${count(ITEMS)} items of 1 KB; the consumer pauses every 50 items.`)
  yield* run("Bounded (capacity 100)", 100)
  yield* run("Unbounded", 0)
})

NodeRuntime.runMain(
  withTimeline(program, { title: "14 · Bounded queues control memory: 10,000 items, capacity 100 and unbounded" })
)
