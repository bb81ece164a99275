/**
 * See the concurrency you got: monitored tasks (span, duration metric, outcome counter, log
 * lines), a Timeline of every pool, task manager and limiter task, drawn as an SVG Gantt chart or
 * on the terminal.
 *
 * @packageDocumentation
 * @since 0.1.0
 */

/**
 * Chart: Timeline records drawn as an SVG Gantt chart or a text chart for the console.
 *
 * @since 0.1.0
 */
export * as Chart from "./Chart.js"

/**
 * The typed errors of `@fiberkit/observe`.
 *
 * @since 0.1.0
 */
export * as Errors from "./Errors.js"

/**
 * Monitored tasks: a span, a duration metric, an outcome counter and start/end log lines that
 * name the fiber, for any effect.
 *
 * @since 0.1.0
 */
export * as Monitor from "./Monitor.js"

/**
 * Timeline: the record of every task that ran, with its worker and its wait.
 *
 * @since 0.1.0
 */
export * as Timeline from "./Timeline.js"
