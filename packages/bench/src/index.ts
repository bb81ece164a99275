/**
 * @since 0.1.0
 */

/**
 * Markdown tables, the machine line, and the `main` that bench files call.
 *
 * @since 0.1.0
 */
export * as Report from "./Report.js"

/**
 * Benchmark suites: contenders interleaved over rounds, medians and ratios.
 *
 * @since 0.1.0
 */
export * as Suite from "./Suite.js"
