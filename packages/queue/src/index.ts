/**
 * Python's `queue.Queue` for Effect: JoinableQueue (fifo, lifo, priority) with task_done/join and
 * drain-then-fail shutdown, plus producer-consumer.
 *
 * @packageDocumentation
 * @since 0.1.0
 */

/**
 * The typed errors of the package.
 *
 * @since 0.1.0
 */
export * as Errors from "./Errors.js"

/**
 * JoinableQueue: Python's `queue.Queue` with task tracking, back-pressure and shutdown.
 *
 * @since 0.1.0
 */
export * as JoinableQueue from "./JoinableQueue.js"

/**
 * ProducerConsumer: run producers and consumers over a bounded queue and count the outcome.
 *
 * @since 0.1.0
 */
export * as ProducerConsumer from "./ProducerConsumer.js"
