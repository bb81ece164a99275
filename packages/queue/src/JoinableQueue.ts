/**
 * A producer–consumer queue with task tracking: Python's `queue.Queue` (and `LifoQueue`,
 * `PriorityQueue`) for Effect.
 *
 * - **Back-pressure**: with a `capacity`, `put` waits while the queue is full, so a fast
 *   producer cannot outgrow memory ("bounded queues control memory"); `tryPut` answers `false`
 *   instead of waiting (Python's `put_nowait`). `take` waits while it is empty; `tryTake` answers
 *   `None` instead (`get_nowait`).
 * - **Effect's names keep Effect's meanings**: `offer` waits for room like Effect's `Queue.offer`
 *   and answers `false` on a shut-down queue instead of failing; `poll` and `takeUpTo` never wait
 *   and never fail, like Effect's `Queue.poll` and Effect 3's `Queue.takeUpTo`. The Python
 *   semantics (fail `QueueShutDown`) have their own names: `put`, `tryPut`, `take`, `tryTake`,
 *   `takeBatch`, and the timed `putFor` / `takeFor`.
 * - **Task tracking**: every `put` counts an unfinished task, every `taskDone` finishes one, and
 *   `join` waits until all are finished (Python's `task_done` / `join`).
 * - **Shutdown** as in Python 3.13: after `shutdown()` puts fail `QueueShutDown` and takes drain
 *   what is left, then fail `QueueShutDown`; waiting putters and takers wake with it.
 *   `shutdown({ immediate: true })` also drops what is left, counting it finished: `join` then
 *   waits only for items taken before and not yet marked done. (Effect's `Queue.shutdown`
 *   throws buffered items away; its `Queue.end` drains, but nothing counts tasks.)
 * - **Interruption**: a taker interrupted while waiting loses no item, a putter interrupted while
 *   waiting leaves no item behind, and the task count stays exact. An interruption that lands
 *   just as a take completes drops the item with the fiber (Effect drops the result of an
 *   interrupted fiber).
 * - **Sizes** are never negative (Effect 3's `Queue.size` went below zero while takers waited).
 * - **Timed waits** (Python's `get(timeout=…)` / `put(item, timeout=…)`): `takeFor(duration)`
 *   gives `Option<A>` and `putFor(duration, item)` a `boolean`, and the answer always agrees with
 *   what happened to the item. Time a take or a put with its `…For` form, never by wrapping it in
 *   `Effect.timeout`: that runs the wait in a child fiber and races it against a timer, and an
 *   item handed to the child in the same tick as the deadline is thrown away with the child's
 *   result — taken out of the queue and given to no one. The `…For` forms wait in the calling
 *   fiber, and an item and an expiry can never both reach it.
 *
 * **Example** (a consumer that gives up when no work comes for a second)
 *
 * ```ts
 * import { Effect, Option } from "effect"
 * import { JoinableQueue } from "@fiberkit/queue"
 *
 * const consumer = (queue: JoinableQueue.JoinableQueue<string>) =>
 *   Effect.gen(function*() {
 *     while (true) {
 *       const next = yield* queue.takeFor("1 second") // not Effect.timeout(queue.take, …)
 *       if (Option.isNone(next)) return "idle: stopping"
 *       yield* Effect.log(`processing ${next.value}`)
 *       yield* queue.taskDone
 *     }
 *   })
 * ```
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import type * as Option from "effect/Option"
import type * as Order from "effect/Order"
import type { Pipeable } from "effect/Pipeable"
import { hasProperty } from "effect/Predicate"
import * as Stream from "effect/Stream"
import type { InvalidOptions, QueueShutDown, TaskDoneTooManyTimes } from "./Errors.js"
import * as internal from "./internal/joinableQueue.js"
import { make as makeQueue } from "./internal/make.js"
import * as internalStream from "./internal/toStream.js"

/**
 * The brand of a `JoinableQueue`, which `isJoinableQueue` checks.
 *
 * **Example**
 *
 * ```ts
 * import { JoinableQueue } from "@fiberkit/queue"
 *
 * declare const u: object
 * const isQueue = JoinableQueue.TypeId in u // what JoinableQueue.isJoinableQueue(u) checks
 * ```
 *
 * @since 0.1.0
 * @category symbols
 */
export const TypeId: unique symbol = internal.TypeId

/**
 * @since 0.1.0
 * @category symbols
 */
export type TypeId = typeof TypeId

/**
 * A queue made by {@link make}. Its operations come in two families: Python's, which fail
 * `QueueShutDown` (`put`, `tryPut`, `take`, `tryTake`, `takeBatch`, `putFor`, `takeFor`), and
 * Effect's names with Effect's meanings, which never fail (`offer`, `poll`, `takeUpTo`).
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { JoinableQueue } from "@fiberkit/queue"
 *
 * const program = Effect.gen(function*() {
 *   const queue: JoinableQueue.JoinableQueue<number> = yield* JoinableQueue.make<number>({ capacity: 2 })
 *   yield* queue.put(1) // Python's put: waits while full, fails QueueShutDown once shut down
 *   const added = yield* queue.tryPut(2) // put_nowait: true, or false when full
 *   const batch = yield* queue.takeUpTo(10) // [1, 2]: what is there now, never waits
 *   const nothing = yield* queue.poll // Option.none(): never waits, never fails
 *   const waited = yield* Effect.forkChild(queue.takeBatch(10)) // waits for at least one
 *   yield* queue.shutdown()
 *   const late = yield* queue.offer(3) // false: Effect's offer answers instead of failing
 *   return { added, batch, nothing, late, waited }
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface JoinableQueue<A> extends Pipeable {
  readonly [TypeId]: TypeId
  /** The most items it holds; `Infinity` when unbounded. */
  readonly capacity: number
  /** Adds an item, waiting while the queue is full. Fails `QueueShutDown` after `shutdown`. */
  readonly put: (item: A) => Effect.Effect<void, QueueShutDown>
  /**
   * `put` with a time limit (Python's `put(item, timeout=…)`): `true` once the item is in the
   * queue, `false` if `duration` passed first — then the item was not added and the caller has
   * left the line. Fails `QueueShutDown` as `put` does; dies (a defect naming it) on a `duration`
   * that `Duration.fromInput` rejects, before it joins the line. Use it instead of
   * `Effect.timeout(queue.put(item), duration)`, which can add the item and still report a
   * timeout.
   *
   * **Example**
   *
   * ```ts
   * import { Effect } from "effect"
   * import { JoinableQueue } from "@fiberkit/queue"
   *
   * const program = Effect.gen(function*() {
   *   const queue = yield* JoinableQueue.make<number>({ capacity: 1 })
   *   yield* queue.put(1)
   *   const added = yield* queue.putFor("100 millis", 2) // full, and no one takes: false
   *   return [added, yield* queue.size] // [false, 1]
   * })
   * ```
   *
   * @since 0.2.0
   */
  readonly putFor: (duration: Duration.Input, item: A) => Effect.Effect<boolean, QueueShutDown>
  /** Adds every item in order, waiting for room as needed. */
  readonly putAll: (items: Iterable<A>) => Effect.Effect<void, QueueShutDown>
  /**
   * Adds an item if there is room now: `true`; `false` when the queue is full (or putters wait
   * ahead), and nothing was added (Python's `put_nowait`, with a boolean for its `queue.Full`).
   * Fails `QueueShutDown` after `shutdown`.
   *
   * @since 0.3.0
   */
  readonly tryPut: (item: A) => Effect.Effect<boolean, QueueShutDown>
  /**
   * Effect's `Queue.offer`: adds an item, waiting while the queue is full, and answers `true`;
   * `false` (it never fails) when the queue is shut down, before or while it waits — then the
   * item was not added. Use `put` to fail `QueueShutDown` instead.
   *
   * @since 0.1.0
   */
  readonly offer: (item: A) => Effect.Effect<boolean>
  /** Removes the next item, waiting while the queue is empty. */
  readonly take: Effect.Effect<A, QueueShutDown>
  /**
   * `take` with a time limit (Python's `get(timeout=…)`): `Some(item)`, or `None` if `duration`
   * passed first — then nothing was taken and the caller has left the line. Fails
   * `QueueShutDown` as `take` does (on a shut-down queue it still gives what is left); dies (a
   * defect naming it) on a `duration` that `Duration.fromInput` rejects, before it joins the line. Use it
   * instead of `Effect.timeout(queue.take, duration)`, which can take an item out of the queue
   * and still report a timeout: the item is then lost.
   *
   * **Example**
   *
   * ```ts
   * import { Effect, Fiber, Option } from "effect"
   * import { JoinableQueue } from "@fiberkit/queue"
   *
   * const program = Effect.gen(function*() {
   *   const queue = yield* JoinableQueue.make<string>()
   *   const nothing = yield* queue.takeFor("100 millis") // Option.none(): nothing came in time
   *   const waiting = yield* Effect.forkChild(queue.takeFor("1 second"))
   *   yield* queue.put("job")
   *   const job = yield* Fiber.join(waiting) // Option.some("job")
   *   return [Option.isNone(nothing), job]
   * })
   * ```
   *
   * @since 0.2.0
   */
  readonly takeFor: (duration: Duration.Input) => Effect.Effect<Option.Option<A>, QueueShutDown>
  /**
   * Removes between 1 and `max` items at once, waiting while the queue is empty (Effect 4's
   * `Queue.takeBetween(queue, 1, max)`); fails `QueueShutDown` as `take` does. `max` must be an
   * integer ≥ 1, or `Infinity` for all there is; anything else is a defect (it dies, naming it).
   *
   * @since 0.3.0
   */
  readonly takeBatch: (max: number) => Effect.Effect<Array<A>, QueueShutDown>
  /**
   * Removes up to `max` items that are there now, without waiting: an empty array when there are
   * none (Effect's `takeUpTo`). It never fails: on a shut-down queue it gives what is left. `max`
   * must be an integer ≥ 1, or `Infinity`; anything else is a defect (it dies, naming it).
   *
   * @since 0.1.0
   */
  readonly takeUpTo: (max: number) => Effect.Effect<Array<A>>
  /**
   * Removes the next item if there is one now: `Some(item)`, else `None` (Python's `get_nowait`,
   * with an `Option` for its `queue.Empty`). On a shut-down queue it fails `QueueShutDown` only
   * once no item can come any more (`None` while the last items are handed to takers that may
   * yet give them back).
   *
   * @since 0.3.0
   */
  readonly tryTake: Effect.Effect<Option.Option<A>, QueueShutDown>
  /**
   * Effect's `Queue.poll`: the next item if there is one now, else `None` — also on a shut-down
   * queue (it never fails). Use `tryTake` to tell "shut down and drained" apart.
   *
   * @since 0.1.0
   */
  readonly poll: Effect.Effect<Option.Option<A>>
  /** Marks one taken item as processed. Fails if more items were marked than were put. */
  readonly taskDone: Effect.Effect<void, TaskDoneTooManyTimes>
  /** Waits until every item put has been marked done (or dropped by an immediate shutdown). */
  readonly join: Effect.Effect<void>
  /** Shuts the queue down (see the module docs); `immediate` also drops what is left. */
  readonly shutdown: (options?: JoinableQueue.ShutdownOptions) => Effect.Effect<void>
  /** Items waiting to be taken (never negative). */
  readonly size: Effect.Effect<number>
  readonly isEmpty: Effect.Effect<boolean>
  /** Whether a `put` would wait now. */
  readonly isFull: Effect.Effect<boolean>
  readonly isShutDown: Effect.Effect<boolean>
  /** Items put and not yet marked done. */
  readonly unfinishedTasks: Effect.Effect<number>
}

/**
 * @since 0.1.0
 */
export declare namespace JoinableQueue {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Options<A> {
    /** The most items the queue holds; 0 or absent: unbounded (Python's `maxsize`). */
    readonly capacity?: number | undefined
    /** `"fifo"` (default), `"lifo"`, or `"priority"` (smallest first by `order`). */
    readonly kind?: "fifo" | "lifo" | "priority" | undefined
    /** For `"priority"`: smallest first; equal items leave in the order they came. */
    readonly order?: Order.Order<A> | undefined
    /** The queue's `group` in its metrics (`@fiberkit/sync`'s `Telemetry`). Default: its number. */
    readonly name?: string | undefined
  }

  /**
   * @since 0.1.0
   * @category models
   */
  export interface ShutdownOptions {
    /**
     * Drop the items left, counting them done (`join` then waits only for items already taken and
     * not yet marked done). Default: false (they are drained).
     */
    readonly immediate?: boolean | undefined
  }
}

/**
 * Creates a queue. A negative or fractional `capacity`, an unknown `kind`, or a priority queue
 * without an `order` fails `InvalidOptions`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { JoinableQueue } from "@fiberkit/queue"
 *
 * const program = Effect.gen(function*() {
 *   const queue = yield* JoinableQueue.make<string>({ capacity: 5 })
 *   const consumer = Effect.forever(
 *     Effect.gen(function*() {
 *       const item = yield* queue.take
 *       yield* Effect.log(`processing ${item}`)
 *       yield* queue.taskDone
 *     })
 *   )
 *   yield* Effect.forkChild(consumer)
 *   yield* Effect.forEach([1, 2, 3], (i) => queue.put(`item-${i}`))
 *   yield* queue.join // every item processed
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: <A>(options?: JoinableQueue.Options<A>) => Effect.Effect<JoinableQueue<A>, InvalidOptions> =
  makeQueue

/**
 * The items of a queue as a stream, in chunks of what is available (at most `chunkSize`,
 * default 256: an integer ≥ 1 or `Infinity`, else the stream dies naming it); it ends when the
 * queue is shut down and drained. Items are not marked done: call `taskDone` after processing
 * each when something `join`s the queue. Dual: `toStream(queue, options)` or
 * `queue.pipe(JoinableQueue.toStream(options))`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { JoinableQueue } from "@fiberkit/queue"
 *
 * const program = Effect.gen(function*() {
 *   const queue = yield* JoinableQueue.make<number>()
 *   yield* queue.putAll([1, 2, 3])
 *   yield* queue.shutdown()
 *   return yield* Stream.runCollect(JoinableQueue.toStream(queue)) // 1, 2, 3
 * })
 *
 * // or data-last, in a pipe
 * const doubled = (queue: JoinableQueue.JoinableQueue<number>) =>
 *   queue.pipe(JoinableQueue.toStream({ chunkSize: 10 }), Stream.map((n) => n * 2))
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const toStream: {
  (options?: { readonly chunkSize?: number | undefined }): <A>(queue: JoinableQueue<A>) => Stream.Stream<A>
  <A>(queue: JoinableQueue<A>, options?: { readonly chunkSize?: number | undefined }): Stream.Stream<A>
} = dual((args) => isJoinableQueue(args[0]), internalStream.toStream)

/**
 * Puts every element of `stream` into `queue`, waiting for room as needed (back-pressure on the
 * stream), and shuts the queue down at the end when `shutdown` is set.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { JoinableQueue } from "@fiberkit/queue"
 *
 * const program = Effect.gen(function*() {
 *   const queue = yield* JoinableQueue.make<number>({ capacity: 10 })
 *   yield* Effect.forkChild(JoinableQueue.fromStream(Stream.range(1, 100), queue, { shutdown: true }))
 * })
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const fromStream: {
  <A>(
    queue: JoinableQueue<A>,
    options?: { readonly shutdown?: boolean }
  ): <E, R>(stream: Stream.Stream<A, E, R>) => Effect.Effect<void, E | QueueShutDown, R>
  <A, E, R>(
    stream: Stream.Stream<A, E, R>,
    queue: JoinableQueue<A>,
    options?: { readonly shutdown?: boolean }
  ): Effect.Effect<void, E | QueueShutDown, R>
} = dual(
  (args) => Stream.isStream(args[0]),
  <A, E, R>(
    stream: Stream.Stream<A, E, R>,
    queue: JoinableQueue<A>,
    options?: { readonly shutdown?: boolean }
  ): Effect.Effect<void, E | QueueShutDown, R> => {
    const fill = Stream.runForEachArray(stream, (items) => queue.putAll(items))
    return options?.shutdown === true ? Effect.ensuring(fill, queue.shutdown()) : fill
  }
)

/**
 * Whether `u` is a `JoinableQueue`.
 *
 * **Example**
 *
 * ```ts
 * import { JoinableQueue } from "@fiberkit/queue"
 *
 * declare const u: unknown
 * const capacity = JoinableQueue.isJoinableQueue(u) ? u.capacity : undefined
 * ```
 *
 * @since 0.2.0
 * @category guards
 */
export const isJoinableQueue = (u: unknown): u is JoinableQueue<unknown> => hasProperty(u, TypeId)
