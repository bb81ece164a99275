/**
 * Batch operations — Batch.batch, the guide's process_batch: fixed-size batches, several at once.
 *
 * The guide's "Batch Operations for Efficiency" cuts `items` into batches of `batch_size` to
 * reduce overhead, and yields each batch's results. `Batch.batch(items, { size, concurrency },
 * process)` groups a stream into batches of `size` (the last may be smaller) and calls `process`
 * once per batch — one INSERT of 100 rows instead of 100 INSERTs — with `concurrency` batches at
 * once; the stream gives each batch's result in the order of the input.
 *
 * Here 1,000 items go in batches of 100, 4 batches at once, and each batch is "saved" to a
 * table in memory by a save that takes 50 to 400 ms, different for each batch: the batches
 * finish out of order, and the results still come back in input order. The guide runs its
 * batches one after another, each on a new pool; here the batches themselves overlap.
 *
 * `--timeline FILE.svg` draws each batch's save in FILE.svg, packed into as many rows as ran at
 * once (4); the gaps are the input order kept: a slow save (batch 1's 400 ms) holds back the
 * start of the batches more than 4 places behind it. `--chart` prints the same chart here (see
 * `timeline.ts`).
 *
 * Run: pnpm tsx examples/15-batching.ts
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Timeline } from "@fiberkit/observe"
import { Batch } from "@fiberkit/pipelines"
import { Clock, Console, Effect, Stream } from "effect"
import { withTimeline } from "./timeline.js"

const ITEMS = 1000
const SIZE = 100
const CONCURRENCY = 4

/** How long saving batch `index` takes: 50 to 400 ms, so that batches finish out of order. */
const saveMillis = [400, 150, 300, 100, 250, 50, 350, 200, 120, 80]

/** The table the batches are saved to, in the order the saves finish. */
const table: Array<number> = []
const finished: Array<number> = []

/** Saves one batch: one call for its 100 items. */
const save = (items: Iterable<number>, index: number) =>
  Effect.gen(function*() {
    const rows = Array.from(items)
    const millis = saveMillis[index % saveMillis.length]!
    yield* Effect.sleep(`${millis} millis`) // simulate the INSERT
    for (const row of rows) table.push(row)
    finished.push(index + 1)
    yield* Console.log(`  batch ${index + 1} saved: items ${rows[0]}–${rows[rows.length - 1]} (${millis} ms)`)
    return { batch: index + 1, count: rows.length, sum: rows.reduce((a, b) => a + b, 0) }
  }).pipe(Timeline.recorded(`batch ${index + 1}`, { source: "Batch.batch", group: `concurrency ${CONCURRENCY}` }))

const program = Effect.gen(function*() {
  yield* Console.log(
    `${ITEMS.toLocaleString("en-US")} items, Batch.batch(Stream.range(1, ${ITEMS}), ` +
      `{ size: ${SIZE}, concurrency: ${CONCURRENCY} }, save):`
  )
  const start = yield* Clock.currentTimeMillis
  const results = yield* Batch.batch(Stream.range(1, ITEMS), { size: SIZE, concurrency: CONCURRENCY }, save).pipe(
    Stream.runCollect
  )
  const seconds = ((yield* Clock.currentTimeMillis) - start) / 1000

  const inOrder = (batches: ReadonlyArray<number>) => batches.every((batch, i) => batch === i + 1)
  yield* Console.log(
    `\nThe saves finished in this order: ${finished.join(", ")} — out of input order: ${!inOrder(finished)}`
  )
  const order = results.map((result) => result.batch)
  yield* Console.log(`The stream's results came in this order: ${order.join(", ")} — input order: ${inOrder(order)}`)

  const count = results.reduce((total, result) => total + result.count, 0)
  const sum = results.reduce((total, result) => total + result.sum, 0)
  yield* Console.log(
    `Total: ${count.toLocaleString("en-US")} items in ${results.length} batches, sum ${sum.toLocaleString("en-US")} ` +
      `(1 + 2 + … + ${ITEMS} = ${(ITEMS * (ITEMS + 1) / 2).toLocaleString("en-US")}); ` +
      `${table.length.toLocaleString("en-US")} rows in the table, ${
        new Set(table).size.toLocaleString("en-US")
      } distinct`
  )
  const oneAtATime = saveMillis.reduce((a, b) => a + b, 0) / 1000
  yield* Console.log(`Time: ${seconds.toFixed(2)}s (the saves one at a time: ${oneAtATime.toFixed(2)}s)`)
})

NodeRuntime.runMain(withTimeline(program, { title: "15 · Batch operations: 1,000 items in batches of 100, 4 at once" }))
