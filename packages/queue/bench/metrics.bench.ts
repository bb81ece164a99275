/**
 * What metrics cost a queue (`@fiberkit/sync`'s `Telemetry`): 100,000 items put and taken
 * through two queues made alike, one with metrics on (`Telemetry.layer()`) and one without, in
 * the same process, interleaved — one producer and one consumer on a queue of capacity 100.
 */
import { Report } from "@fiberkit/bench"
import { JoinableQueue } from "@fiberkit/queue"
import { Telemetry } from "@fiberkit/sync"
import * as Effect from "effect/Effect"

const ITEMS = 100_000
const items = Array.from({ length: ITEMS }, (_, i) => i)
const options = { capacity: 100, name: "bench" }
const plain = Effect.runSync(JoinableQueue.make<number>(options))
const metered = Effect.runSync(JoinableQueue.make<number>(options).pipe(Effect.provide(Telemetry.layer())))

const through = (queue: JoinableQueue.JoinableQueue<number>) => () =>
  Effect.runPromise(
    Effect.all([
      Effect.forEach(items, (i) => queue.put(i), { discard: true }),
      Effect.forEach(items, () => queue.take, { discard: true })
    ], { concurrency: 2, discard: true })
  )

await Report.main("packages/queue/bench/metrics.bench.ts", [
  {
    title: `metrics on and off: ${ITEMS.toLocaleString("en")} items through a JoinableQueue of capacity 100`,
    description: "One producer (`put`) and one consumer (`take`); two queues, one made under `Telemetry.layer()`.",
    operations: ITEMS,
    reference: "metrics off",
    rounds: 9,
    contenders: [
      { name: "metrics off", run: through(plain) },
      { name: "metrics on", run: through(metered) }
    ]
  }
])
