/**
 * A schedule explorer: runs an Effect program many times, each time under a controlled scheduler
 * that decides, before every op of every fiber, whether to switch that fiber out — the gaps that
 * `TestClock` tests, which switch only where fibers suspend, never see — and fires racing actions
 * and interruptions before any op at all, the first ops after a wake-up included. A failure prints
 * a replay token that runs the very same schedule again.
 *
 * Ready fibers run first in, first out, as under Effect's own scheduler (Effect's internals rely
 * on that order, so a checker that reordered them would report deadlocks no program can reach).
 * What a plan chooses (one per schedule, drawn from its seed) is where fibers are switched out:
 * - `random`: at each op where another fiber is ready, switch with a chance drawn per schedule
 *   (from every op down to a few per run);
 * - `pct`: `depth - 1` switches at ops drawn at random over the run, as the change points of
 *   probabilistic concurrency testing (Burckhardt et al., as in Coyote): a bug that needs
 *   `depth - 1` switches at the right ops is found with a probability of about 1 / ops^(depth-1)
 *   per schedule;
 * - `bounded`: the runtime's own preemption (`maxOpsBeforeYield`), with a bound drawn from 1 to
 *   40 ops and each fiber at a random phase of it.
 *
 * Like the runtime, the explorer does not switch a fiber out before the first op of a run; past
 * it, any op may be the switch (default `minRun` 1: Effect 4's runtime can yield after any op, with
 * a budget of 1). From outside the fiber, before any op at all: `Interleavings.race(action)`
 * fires `action` before an op drawn at random (the first after a wake-up included), and with
 * `interrupts: true` one fiber forked with `Interleavings.fork` is interrupted before a random op:
 * interruption at every step.
 *
 * Time is virtual and stands still while any fiber can run: when every fiber waits, the clock
 * jumps to the next wake-up, and every sleeper due at that instant wakes at once (so a hand-off
 * and a deadline in the same tick are explored in both orders). A schedule in which every fiber
 * waits with no sleeper and no outside event fails as a `deadlock`, with its replay token, not
 * as a test timeout.
 *
 * @since 0.2.0
 */
import * as Data from "effect/Data"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import { dual } from "effect/Function"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/interleavings/explore.js"

/**
 * A schedule ended badly: the scenario `failed` (an assertion, a defect, a typed error), every
 * fiber waited for ever (`deadlock`), or it never ended (`livelock`: too many ops, or too much
 * virtual time). `replay` runs that schedule again: `Interleavings.explore(scenario, { replay })`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Interleavings } from "@fiberkit/testkit"
 *
 * declare const scenario: Effect.Effect<void>
 * // log how to replay the failing schedule, then fail with it
 * const checked = Interleavings.explore(scenario).pipe(
 *   Effect.tapError((failure) => Effect.logError(`${failure.kind}, replay: "${failure.replay}"`, failure.trace))
 * )
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export class InterleavingFailure extends Data.TaggedError("InterleavingFailure")<{
  readonly kind: "failed" | "deadlock" | "livelock"
  /** The number of the schedule that failed, from 1: how many schedules it took to find it. */
  readonly schedule: number
  /** Runs this schedule again (the `replay` option). */
  readonly replay: string
  readonly strategy: "random" | "pct" | "bounded"
  /** Ops run in the failing schedule. */
  readonly steps: number
  readonly detail: string
  /** The last scheduling decisions before the end (fibers are named by first appearance). */
  readonly trace: ReadonlyArray<string>
}> {
  override get message(): string {
    return `${this.kind} in schedule ${this.schedule} (${this.strategy}, ${this.steps} ops) — replay it with ` +
      `{ replay: "${this.replay}" }\n${this.detail}\nlast decisions:\n  ${this.trace.join("\n  ")}`
  }
}

/**
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Interleavings } from "@fiberkit/testkit"
 *
 * declare const scenario: Effect.Effect<void>
 * // a deeper search for CI: more schedules, PCT only, with interruptions
 * const options: Interleavings.Interleavings.Options = { schedules: 2000, strategies: ["pct"], interrupts: true }
 * const summary = (report: Interleavings.Interleavings.Report) => `${report.schedules} passed, seed ${report.seed}`
 * const program = Effect.flatMap(Interleavings.explore(scenario, options), (report) => Effect.log(summary(report)))
 * ```
 *
 * @since 0.2.0
 */
export declare namespace Interleavings {
  /**
   * @since 0.2.0
   * @category models
   */
  export interface Options {
    /** Schedules to run. Default 200. */
    readonly schedules?: number | undefined
    /** The base seed the schedules' seeds derive from. Default: random (the report gives it). */
    readonly seed?: number | undefined
    /** Runs just the schedule a failure named (its `replay` token). */
    readonly replay?: string | undefined
    /** The strategies to draw from. Default all three. */
    readonly strategies?: ReadonlyArray<"random" | "pct" | "bounded"> | undefined
    /** PCT's bug depth: ordering constraints a bug needs (`depth - 1` change points). Default 3. */
    readonly depth?: number | undefined
    /** Interrupt one fiber forked with `Interleavings.fork` before a random op of each schedule. Default false. */
    readonly interrupts?: boolean | undefined
    /** A schedule running more ops than this is a livelock. Default 200,000. */
    readonly maxSteps?: number | undefined
    /** A schedule still running after this much virtual time is a livelock. Default 1 hour. */
    readonly timeLimit?: Duration.Input | undefined
    /**
     * Turns of the event loop to wait for outside events (real I/O) when every fiber waits and no
     * sleeper is due, before calling it a deadlock. Default 2.
     */
    readonly idleTurns?: number | undefined
    /** Scheduling decisions kept for a failure's trace. Default 24. */
    readonly traceSize?: number | undefined
    /**
     * Ops a fiber runs after it starts or wakes before it may be switched out. Default 1: Effect
     * 4's runtime yields after any op when its budget (`Scheduler.MaxOpsBeforeYield`) is 1, so
     * every switch the explorer makes is one a program can reach. A larger value explores only
     * what the runtime does with a larger budget.
     */
    readonly minRun?: number | undefined
  }

  /**
   * @since 0.2.0
   * @category models
   */
  export interface Report {
    /** Schedules run, all of which passed. */
    readonly schedules: number
    /** Ops run over every schedule. */
    readonly steps: number
    /** Ops of the longest schedule. */
    readonly longest: number
    /** Schedules in which a fiber was interrupted by the explorer. */
    readonly interruptions: number
    /** The base seed: `{ seed }` runs the same schedules again. */
    readonly seed: number
  }
}

/**
 * Runs `scenario` under `schedules` controlled schedules, each in a fresh scope and with a fresh
 * virtual clock; fails with `InterleavingFailure` on the first schedule in which it fails,
 * deadlocks or livelocks. The scenario builds its own primitives each time (an `Effect.gen` does),
 * forks its actors with `Interleavings.fork`, waits for them with `Fiber.await` (an actor may be
 * interrupted), and asserts its invariants at the end. Use it inside `it.effect`: the test's
 * `TestClock` is not touched.
 *
 * **Example**
 *
 * ```ts
 * import { Interleavings } from "@fiberkit/testkit"
 * import { Effect, Fiber } from "effect"
 *
 * // a counter incremented with a read, a yield point and a write: loses updates under some schedules
 * const scenario = Effect.gen(function*() {
 *   let counter = 0
 *   const increment = Effect.sync(() => counter).pipe(
 *     Effect.flatMap((read) => Effect.sync(() => { counter = read + 1 }))
 *   )
 *   const a = yield* Interleavings.fork(increment)
 *   const b = yield* Interleavings.fork(increment)
 *   yield* Fiber.await(a)
 *   yield* Fiber.await(b)
 *   if (counter !== 2) return yield* Effect.die(new Error(`lost an update: ${counter}`))
 * })
 *
 * Effect.runPromise(Effect.flip(Interleavings.explore(scenario, { seed: 1 }))).then((failure) =>
 *   console.log(failure.kind, failure.replay) // "failed", and the token that replays it
 * )
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const explore: {
  (
    options?: Interleavings.Options
  ): <E, R>(
    scenario: Effect.Effect<unknown, E, R>
  ) => Effect.Effect<Interleavings.Report, InterleavingFailure, Exclude<R, Scope.Scope>>
  <E, R>(
    scenario: Effect.Effect<unknown, E, R>,
    options?: Interleavings.Options
  ): Effect.Effect<Interleavings.Report, InterleavingFailure, Exclude<R, Scope.Scope>>
} = dual((args) => Effect.isEffect(args[0]), internal.explore)

/**
 * `Effect.forkChild`, and the forked fiber becomes one the explorer may interrupt (with
 * `interrupts: true`). Outside an exploration it is a plain `Effect.forkChild`, so a scenario runs
 * unchanged in an ordinary test too.
 *
 * **Example**
 *
 * ```ts
 * import { Interleavings } from "@fiberkit/testkit"
 * import { Effect, Fiber } from "effect"
 *
 * const scenario = Effect.gen(function*() {
 *   const actor = yield* Interleavings.fork(Effect.sleep("1 second"))
 *   yield* Fiber.await(actor) // interrupted in some schedules: await, not join
 * })
 * Effect.runPromise(Interleavings.explore(scenario, { interrupts: true, schedules: 20 }))
 * ```
 *
 * @since 0.2.0
 * @category combinators
 */
export const fork: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<Fiber.Fiber<A, E>, never, R> =
  internal.fork

/**
 * Registers a racing action: in each schedule the explorer runs `action` — synchronously, to its
 * end — before an op drawn at random from the ops still to come, whichever fiber is about to run
 * it (the first ops after a wake-up included, which no preemption reaches), or, if the schedule
 * never gets that far, as soon as every fiber waits. Use it for what another fiber or an outside
 * event may do at any moment: shut a queue down, set an event, cancel a task. It returns an effect
 * that waits until the action has fired. Outside an exploration the action runs at once.
 *
 * **Example**
 *
 * ```ts
 * import { Interleavings } from "@fiberkit/testkit"
 * import { Effect, Queue } from "effect"
 *
 * const scenario = Effect.gen(function*() {
 *   const queue = yield* Queue.unbounded<number>()
 *   const fired = yield* Interleavings.race(Queue.shutdown(queue))
 *   yield* Effect.exit(Queue.offer(queue, 1)) // races the shutdown
 *   yield* fired
 * })
 * Effect.runPromise(Interleavings.explore(scenario, { schedules: 20 }))
 * ```
 *
 * @since 0.2.0
 * @category combinators
 */
export const race: <E, R>(action: Effect.Effect<unknown, E, R>) => Effect.Effect<Effect.Effect<void>, never, R> =
  internal.race
