import type * as Arbitrary from "effect/Arbitrary"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import type * as Api from "../TaskSet.js"
import { TaskFailed } from "../TaskSet.js"
import * as Gen from "./gen.js"

/** @internal */
export const defaults: Api.TaskSet.Defaults = {
  minTasks: 1,
  maxTasks: 20,
  maxDuration: 1000,
  failures: true,
  interruptions: true
}

const oneIn = (n: number) => Gen.map(Gen.integer({ min: 1, max: n }), (k) => k === 1)

const spec = (options: Api.TaskSet.Defaults) =>
  Gen.flatMap(Gen.integer({ min: 0, max: options.maxDuration }), (duration) =>
    Gen.record({
      duration: Gen.constant(duration),
      fails: options.failures ? oneIn(4) : Gen.constant(false),
      interruptAfter: options.interruptions && duration > 0
        ? Gen.oneof(
          { arbitrary: Gen.constant(undefined), weight: 3 },
          { arbitrary: Gen.integer({ min: 0, max: duration - 1 }), weight: 1 }
        )
        : Gen.constant(undefined)
    }))

/** @internal */
export const arbitrary = (options?: Api.TaskSet.Options): Arbitrary.Arbitrary<ReadonlyArray<Api.TaskSpec>> => {
  const resolved: Api.TaskSet.Defaults = {
    minTasks: options?.minTasks ?? defaults.minTasks,
    maxTasks: options?.maxTasks ?? defaults.maxTasks,
    maxDuration: options?.maxDuration ?? defaults.maxDuration,
    failures: options?.failures ?? defaults.failures,
    interruptions: options?.interruptions ?? defaults.interruptions
  }
  return Gen.map(
    Gen.array(spec(resolved), { minLength: resolved.minTasks, maxLength: resolved.maxTasks }),
    (specs): ReadonlyArray<Api.TaskSpec> => specs.map((s, id) => ({ id, ...s }))
  )
}

/** @internal */
export const toEffect = (spec: Api.TaskSpec): Effect.Effect<number, TaskFailed> =>
  Effect.andThen(
    Effect.sleep(Duration.millis(spec.duration)),
    spec.fails ? Effect.fail(new TaskFailed({ id: spec.id })) : Effect.succeed(spec.id)
  )

/** @internal */
export const run = <A, E, R>(
  tasks: ReadonlyArray<Api.TaskSpec>,
  submit: (task: Effect.Effect<number, TaskFailed>, spec: Api.TaskSpec) => Effect.Effect<A, E, R>
): Effect.Effect<ReadonlyArray<Exit.Exit<A, E>>, never, R> =>
  Effect.gen(function*() {
    const fibers = yield* Effect.forEach(tasks, (spec) => Effect.forkChild(submit(toEffect(spec), spec)))
    yield* Effect.forEach(tasks, (spec, i) =>
      spec.interruptAfter === undefined
        ? Effect.void
        : Effect.forkChild(
          Effect.andThen(Effect.sleep(Duration.millis(spec.interruptAfter)), Fiber.interrupt(fibers[i]!))
        ))
    return yield* Effect.forEach(fibers, Fiber.await)
  })

/** @internal */
export const expectedOutcome = (spec: Api.TaskSpec): Api.Outcome =>
  spec.interruptAfter !== undefined && spec.interruptAfter < spec.duration
    ? "interrupted"
    : spec.fails
    ? "failure"
    : "success"

/** @internal */
export const outcomeOf = (exit: Exit.Exit<unknown, unknown>): Api.Outcome =>
  Exit.isSuccess(exit)
    ? "success"
    : Cause.hasInterruptsOnly(exit.cause)
    ? "interrupted"
    : Cause.hasFails(exit.cause)
    ? "failure"
    : "defect"
