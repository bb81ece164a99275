/**
 * A benchmark suite: the same job done by several contenders (fiberkit, plain Effect, peer
 * libraries, a no-op floor), measured with tinybench in one process. Contenders are
 * interleaved: each round runs every contender once, in an order rotated from round to round,
 * so drift in the machine's speed (heat, other load, GC) falls on all of them alike.
 *
 * @since 0.1.0
 */
import { Bench } from "tinybench"
import { median, rotate } from "./internal/stats.js"

/**
 * One way of doing the suite's job. `run` does the whole job once (e.g. 100,000 tasks) and
 * resolves when it is done.
 *
 * **Example**
 *
 * ```ts
 * import type { Suite } from "@fiberkit/bench"
 *
 * // a fresh array for every run, made outside the timed part
 * let data: Array<number> = []
 * const sort: Suite.Contender = {
 *   name: "Array.sort",
 *   beforeEach: () => {
 *     data = Array.from({ length: 10_000 }, () => Math.random())
 *   },
 *   run: () => data.sort((a, b) => a - b)
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Contender {
  readonly name: string
  /** Does the whole job once; a returned promise is awaited. */
  readonly run: () => Promise<unknown> | unknown
  /** Runs before every run (warm-up runs too), outside the timed part: e.g. starting workers. */
  readonly beforeEach?: (() => Promise<unknown> | unknown) | undefined
  /** Runs after every run, even a failed one, outside the timed part: e.g. checking and cleaning up. */
  readonly afterEach?: (() => Promise<unknown> | unknown) | undefined
}

/**
 * **Example**
 *
 * ```ts
 * import type { Suite } from "@fiberkit/bench"
 *
 * const sum: Suite.Suite = {
 *   title: "summing 1,000 numbers",
 *   operations: 1000, // the table shows the time per addition too
 *   contenders: [
 *     { name: "reduce", run: () => Array.from({ length: 1000 }, (_, i) => i).reduce((a, b) => a + b, 0) },
 *     { name: "noop", run: () => undefined }
 *   ],
 *   rounds: 3
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Suite {
  /** Heading of the result table, e.g. "100,000 tiny tasks at concurrency 16". */
  readonly title: string
  /** One paragraph on what is measured and why. */
  readonly description?: string | undefined
  /** Operations in one run of a contender; the table shows the time per operation too. Default 1. */
  readonly operations?: number | undefined
  /** The contender every ratio is relative to. Default: the first. */
  readonly reference?: string | undefined
  readonly contenders: ReadonlyArray<Contender>
  /** Rounds of interleaving. Default 5. */
  readonly rounds?: number | undefined
  /** Time budget per contender per round, in ms. Default 500. */
  readonly time?: number | undefined
  /** Fewest runs per contender per round. Default 3. */
  readonly iterations?: number | undefined
}

/**
 * **Example**
 *
 * ```ts
 * import type { Suite } from "@fiberkit/bench"
 *
 * // "2.50× slower" or "1.25× faster" than the reference
 * const verdict = (row: Suite.Row): string =>
 *   row.ratio >= 1 ? `${row.ratio.toFixed(2)}× slower` : `${(1 / row.ratio).toFixed(2)}× faster`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Row {
  readonly name: string
  /** Median time of one run, in ms. */
  readonly median: number
  /** Median time of one operation, in µs. */
  readonly perOperation: number
  /** `median / reference median`: below 1 is faster than the reference. */
  readonly ratio: number
  readonly samples: number
}

/**
 * **Example**
 *
 * ```ts
 * import type { Suite } from "@fiberkit/bench"
 *
 * // the fastest contender of a run, against the reference
 * const fastest = (result: Suite.Result): string => {
 *   const row = [...result.rows].sort((a, b) => a.median - b.median)[0]!
 *   return `${row.name}: ${row.median.toFixed(2)} ms per run, ${row.ratio.toFixed(2)} × ${result.reference}`
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Result {
  readonly suite: Suite
  readonly reference: string
  readonly rows: ReadonlyArray<Row>
}

/**
 * Runs every contender of a suite, interleaved over rounds, and returns the median time of
 * each with its ratio to the reference.
 *
 * **Example**
 *
 * ```ts
 * import { Suite } from "@fiberkit/bench"
 *
 * const result = await Suite.run({
 *   title: "sum",
 *   contenders: [
 *     { name: "loop", run: () => { let s = 0; for (let i = 0; i < 1000; i++) s += i; return s } },
 *     { name: "reduce", run: () => Array.from({ length: 1000 }, (_, i) => i).reduce((a, b) => a + b, 0) }
 *   ]
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const run = async (suite: Suite): Promise<Result> => {
  const names = suite.contenders.map((c) => c.name)
  if (names.length === 0) throw new Error(`suite "${suite.title}" has no contenders`)
  if (new Set(names).size !== names.length) throw new Error(`suite "${suite.title}" repeats a contender name`)
  const reference = suite.reference ?? names[0]!
  if (!names.includes(reference)) throw new Error(`suite "${suite.title}": no contender named "${reference}"`)
  const rounds = suite.rounds ?? 5
  const samples = new Map<string, Array<number>>(names.map((name) => [name, []]))
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({
      time: suite.time ?? 500,
      iterations: suite.iterations ?? 3,
      warmup: round === 0,
      warmupIterations: 2,
      retainSamples: true,
      throws: true
    })
    for (const contender of rotate(suite.contenders, round)) {
      const { afterEach, beforeEach } = contender
      if (beforeEach === undefined && afterEach === undefined) {
        bench.add(contender.name, contender.run)
        continue
      }
      // an async function: tinybench would otherwise call `run` once, without the hooks, to see
      // whether it returns a promise
      bench.add(contender.name, async () => void (await contender.run()), {
        ...(beforeEach === undefined ? {} : { beforeEach: async () => void (await beforeEach()) }),
        ...(afterEach === undefined ? {} : { afterEach: async () => void (await afterEach()) })
      })
    }
    for (const task of await bench.run()) {
      const result = task.result
      if (result.state !== "completed") throw new Error(`contender "${task.name}" ended ${result.state}`)
      const own = samples.get(task.name)!
      for (const sample of result.latency.samples ?? []) own.push(sample)
    }
  }
  const operations = suite.operations ?? 1
  const medians = new Map(names.map((name) => [name, median(samples.get(name)!)]))
  const referenceMedian = medians.get(reference)!
  return {
    suite,
    reference,
    rows: names.map((name) => ({
      name,
      median: medians.get(name)!,
      perOperation: (medians.get(name)! * 1000) / operations,
      ratio: medians.get(name)! / referenceMedian,
      samples: samples.get(name)!.length
    }))
  }
}
