/**
 * The benchmark harness behind `pnpm bench`: peers and fiberkit interleaved in one process,
 * medians and ratios, results appended to BENCHMARKS.md.
 *
 * @packageDocumentation
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
