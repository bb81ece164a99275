/**
 * Every lock and signal of Python threading as interrupt-safe Effect primitives, with lock-order
 * deadlock prevention and detection.
 *
 * @packageDocumentation
 * @since 0.1.0
 */

/**
 * Barrier: parties wait for each other, reusable across generations.
 *
 * @since 0.1.0
 */
export * as Barrier from "./Barrier.js"

/**
 * BoundedSemaphore: a semaphore that refuses to be released above its initial count.
 *
 * @since 0.1.0
 */
export * as BoundedSemaphore from "./BoundedSemaphore.js"

/**
 * Condition: wait for a notification while holding a lock.
 *
 * @since 0.1.0
 */
export * as Condition from "./Condition.js"

/**
 * CountdownLatch: wait until a count reaches zero.
 *
 * @since 0.1.0
 */
export * as CountdownLatch from "./CountdownLatch.js"

/**
 * The typed errors of the package.
 *
 * @since 0.1.0
 */
export * as Errors from "./Errors.js"

/**
 * Durations: checking a duration given as an option (a negative one is not taken as zero).
 *
 * @since 0.2.0
 */
export * as Durations from "./Durations.js"

/**
 * Fifo: a line of plain items in arrival order, for building pools and limiters.
 *
 * @since 0.2.0
 */
export * as Fifo from "./Fifo.js"

/**
 * Heap: a binary heap by an order, for the ranked lines of pools, limiters and stores.
 *
 * @since 0.3.0
 */
export * as Heap from "./Heap.js"

/**
 * Handoff: the one hand-off waiter every primitive waits with, for building new ones.
 *
 * @since 0.2.0
 */
export * as Handoff from "./Handoff.js"

/**
 * Event: a flag fibers wait on.
 *
 * @since 0.1.0
 */
export * as Event from "./Event.js"

/**
 * Lock: mutual exclusion, owned by a fiber.
 *
 * @since 0.1.0
 */
export * as Lock from "./Lock.js"

/**
 * KeyedLock: a lock per key, forgotten when no fiber uses it.
 *
 * @since 0.3.0
 */
export * as KeyedLock from "./KeyedLock.js"

/**
 * KeyedSemaphore: permits per key, forgotten when no fiber uses them, resizable at runtime.
 *
 * @since 0.3.0
 */
export * as KeyedSemaphore from "./KeyedSemaphore.js"

/**
 * Permits: the ranked, resizable permit pool with direct hand-off under every fiberkit limit.
 *
 * @since 0.3.0
 */
export * as Permits from "./Permits.js"

/**
 * Priority: the rule that turns a priority into a place in line — strict, or with aging so that
 * nobody starves — shared by every ranked pool and limiter.
 *
 * @since 0.3.0
 */
export * as Priority from "./Priority.js"

/**
 * LockOrder: deadlock prevention (`withLocks`) and detection (`Detector`).
 *
 * @since 0.1.0
 */
export * as LockOrder from "./LockOrder.js"

/**
 * RankedLine: items ranked by a number, equal ranks first come first served, rank 0 as cheap as a
 * `Fifo` — the pending lines of pools and the queued tasks of stores.
 *
 * @since 0.3.0
 */
export * as RankedLine from "./RankedLine.js"

/**
 * ReadWriteLock: many readers or one writer, fair to both.
 *
 * @since 0.1.0
 */
export * as ReadWriteLock from "./ReadWriteLock.js"

/**
 * RecordRing: the last N task records, kept by column (a push allocates nothing).
 *
 * @since 0.2.0
 */
export * as RecordRing from "./RecordRing.js"

/**
 * Recorder: the hook through which pools, task managers and limiters report the tasks they run
 * (installed by `@fiberkit/observe`'s Timeline).
 *
 * @since 0.1.0
 */
export * as Recorder from "./Recorder.js"

/**
 * ReentrantLock: a lock its holder may take again.
 *
 * @since 0.1.0
 */
export * as ReentrantLock from "./ReentrantLock.js"

/**
 * Semaphore: at most N holders, FIFO with direct hand-off.
 *
 * @since 0.1.0
 */
export * as Semaphore from "./Semaphore.js"

/**
 * Telemetry: the Effect `Metric`s pools, limiters, queues and task managers publish (pending,
 * running, wait and run times, outcomes), under one naming scheme.
 *
 * @since 0.4.0
 */
export * as Telemetry from "./Telemetry.js"

/**
 * WaitQueue: the FIFO waiting line the primitives are built on, for building new ones, and
 * `WaitQueue.Ranked`, the same line kept in order of rank (priorities).
 *
 * @since 0.1.0
 */
export * as WaitQueue from "./WaitQueue.js"

/**
 * Watchers: waits for a condition on plain state, checked after each change (awaitIdle, awaitSizeBelow).
 *
 * @since 0.3.0
 */
export * as Watchers from "./Watchers.js"
