/**
 * The guide's producer–consumer pattern as one call: producers put items into a bounded
 * `JoinableQueue`, consumers take and process them, and the run returns what happened.
 *
 * When every producer has finished, the queue is shut down; consumers drain what is left and
 * stop. A consumer whose `consume` fails (or dies) does not stop: the failure is counted and
 * returned with its item, never lost, and the other consumers carry on. A failing producer
 * stops the run: the queue is shut down, consumers drain what was produced, then the run fails
 * with the producer's error.
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import type * as Order from "effect/Order"
import * as Stream from "effect/Stream"
import { InvalidOptions } from "./Errors.js"
import * as JoinableQueue from "./JoinableQueue.js"

/**
 * The types of `run`: its `Options`, the `Result` it returns, and each `Failure` in it (an item
 * whose processing failed, with its consumer and its `Cause`).
 *
 * **Example**
 *
 * ```ts
 * import { Cause, Console, Effect, Stream } from "effect"
 * import { ProducerConsumer } from "@fiberkit/queue"
 *
 * const options: ProducerConsumer.ProducerConsumer.Options<number, never, never, string, never> = {
 *   capacity: 10,
 *   consumers: 2,
 *   produce: () => Stream.range(1, 20),
 *   consume: (n) => n % 7 === 0 ? Effect.fail(`${n} is a multiple of 7`) : Effect.void
 * }
 * const report = (result: ProducerConsumer.ProducerConsumer.Result<number, string>) =>
 *   Effect.forEach(result.failures, (failure: ProducerConsumer.ProducerConsumer.Failure<number, string>) =>
 *     Console.error(`item ${failure.item} on consumer ${failure.consumer}: ${Cause.pretty(failure.cause)}`))
 * const program = Effect.flatMap(ProducerConsumer.run(options), report)
 * ```
 *
 * @since 0.1.0
 */
export declare namespace ProducerConsumer {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Options<A, E1, R1, E2, R2> {
    /** The queue's capacity: how far producers may run ahead. 0 or absent: unbounded. */
    readonly capacity?: number | undefined
    /** How many producers (default 1); each gets its index. */
    readonly producers?: number | undefined
    /** How many consumers (default 1); each gets its index. */
    readonly consumers?: number | undefined
    /** The items producer `i` produces. */
    readonly produce: (producer: number) => Stream.Stream<A, E1, R1>
    /** Processes one item. */
    readonly consume: (item: A, consumer: number) => Effect.Effect<unknown, E2, R2>
    /** The queue's kind (default `"fifo"`) and, for `"priority"`, its order. */
    readonly kind?: "fifo" | "lifo" | "priority" | undefined
    readonly order?: Order.Order<A> | undefined
  }

  /**
   * @since 0.1.0
   * @category models
   */
  export interface Failure<A, E> {
    readonly item: A
    readonly consumer: number
    readonly cause: Cause.Cause<E>
  }

  /**
   * @since 0.1.0
   * @category models
   */
  export interface Result<A, E> {
    readonly produced: number
    /** Items processed successfully. */
    readonly consumed: number
    /** Items whose processing failed: `produced === consumed + failed` after a full run. */
    readonly failed: number
    readonly failures: ReadonlyArray<Failure<A, E>>
  }
}

const count = (operation: string, field: string, value: number | undefined) =>
  value === undefined || (Number.isSafeInteger(value) && value >= 1)
    ? Effect.succeed(value ?? 1)
    : Effect.fail(new InvalidOptions({ operation, field, expected: "an integer ≥ 1", value }))

/**
 * Runs producers and consumers over a queue until every produced item has been processed.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { ProducerConsumer } from "@fiberkit/queue"
 *
 * const program = ProducerConsumer.run({
 *   capacity: 5,
 *   producers: 2,
 *   consumers: 3,
 *   produce: (p) => Stream.range(1, 10).pipe(Stream.map((i) => `P${p}-item-${i}`)),
 *   consume: (item) => Effect.log(`processing ${item}`)
 * }) // { produced: 20, consumed: 20, failed: 0, failures: [] }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const run = <A, E1, R1, E2, R2>(
  options: ProducerConsumer.Options<A, E1, R1, E2, R2>
): Effect.Effect<ProducerConsumer.Result<A, E2>, E1 | InvalidOptions, R1 | R2> =>
  Effect.gen(function*() {
    const producers = yield* count("ProducerConsumer.run", "producers", options.producers)
    const consumers = yield* count("ProducerConsumer.run", "consumers", options.consumers)
    const queue = yield* JoinableQueue.make<A>({ capacity: options.capacity, kind: options.kind, order: options.order })
    let produced = 0
    let consumed = 0
    const failures: Array<ProducerConsumer.Failure<A, E2>> = []

    const producer = (p: number) =>
      Stream.runForEachArray(
        options.produce(p),
        (items) => Effect.andThen(queue.putAll(items), Effect.sync(() => void (produced += items.length)))
      )

    const consumer = (c: number) =>
      Effect.gen(function*() {
        while (true) {
          const next = yield* Effect.option(queue.take)
          if (Option.isNone(next)) return
          const exit = yield* Effect.exit(options.consume(next.value, c))
          if (Exit.isSuccess(exit)) consumed++
          else failures.push({ item: next.value, consumer: c, cause: exit.cause })
          yield* Effect.ignore(queue.taskDone)
        }
      })

    const range = (n: number) => Array.from({ length: n }, (_, i) => i)
    const consuming = yield* Effect.forkChild(Effect.forEach(range(consumers), consumer, { concurrency: "unbounded" }))
    const producing = yield* Effect.exit(
      Effect.forEach(range(producers), producer, { concurrency: "unbounded", discard: true })
    )
    yield* queue.shutdown()
    yield* Fiber.join(consuming)
    if (Exit.isFailure(producing)) {
      // a put cannot fail here: the queue is shut down only after the producers ended
      return yield* Effect.failCause(producing.cause as Cause.Cause<E1>)
    }
    return { produced, consumed, failed: failures.length, failures }
  })
