/**
 * Shared test utilities for fiberkit: concurrency probes, TestClock helpers, generators for
 * property tests, leak checks.
 *
 * @packageDocumentation
 * @since 0.1.0
 */

/**
 * ChildScript: a TypeScript script in a process of its own, ready on a line, killed with the scope.
 *
 * @since 0.2.0
 */
export * as ChildScript from "./ChildScript.js"

/**
 * Counts tracked effects while they run: current and peak in-flight counts, order of starts.
 *
 * @since 0.1.0
 */
export * as ConcurrencyProbe from "./ConcurrencyProbe.js"

/**
 * fast-check-like constructors of `effect/Arbitrary` values for `it.prop` / `it.effect.prop`.
 *
 * @since 0.2.0
 */
export * as Gen from "./Gen.js"

/**
 * A schedule explorer: runs a program under many controlled schedules that may switch fibers
 * between any two ops, with interruption at random steps and a replay token for every failure.
 *
 * @since 0.2.0
 */
export * as Interleavings from "./Interleavings.js"

/**
 * Checks that a primitive is back in its initial state after a run.
 *
 * @since 0.1.0
 */
export * as Leaks from "./Leaks.js"

/**
 * A linearizability check: does some sequential order of a primitive's model explain what a
 * concurrent run recorded? Prints the smallest failing history.
 *
 * @since 0.2.0
 */
export * as Linearizability from "./Linearizability.js"

/**
 * A throwaway redis-server on a loopback port, with an append-only file, for tests and benchmarks.
 *
 * @since 0.1.0
 */
export * as RedisServer from "./RedisServer.js"

/**
 * Random task sets for property tests, and the outcomes they must end with.
 *
 * @since 0.1.0
 */
export * as TaskSet from "./TaskSet.js"

/**
 * Drives the TestClock until a fiber is done, and reports a deadlocked fiber instead of hanging.
 *
 * @since 0.1.0
 */
export * as TestTime from "./TestTime.js"
