import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Scope from "effect/Scope"
import type * as Api from "../../Interleavings.js"
import { InterleavingFailure } from "../../Interleavings.js"
import { VirtualClock } from "./clock.js"
import { Random, scheduleSeed } from "./random.js"
import { ControlledScheduler, makePlan, type Strategy } from "./scheduler.js"
import { type Estimates, parseReplay, replayToken } from "./token.js"

/** @internal */
export const defaults = {
  schedules: 200,
  depth: 3,
  maxSteps: 200_000,
  timeLimit: Duration.hours(1),
  idleTurns: 2,
  strategies: ["random", "pct", "bounded"] as ReadonlyArray<Strategy>,
  traceSize: 24,
  minRun: 1
}

/** The schedule a fiber belongs to, so that `Interleavings.fork` can register it. @internal */
export const currentSchedule: Context.Reference<ControlledScheduler | undefined> = Context.Reference<
  ControlledScheduler | undefined
>("@fiberkit/testkit/Interleavings/currentSchedule", { defaultValue: () => undefined })

/** @internal */
export const race = <E, R>(action: Effect.Effect<unknown, E, R>): Effect.Effect<Effect.Effect<void>, never, R> =>
  Effect.flatMap(Effect.service(currentSchedule), (schedule) =>
    Effect.flatMap(Effect.context<R>(), (context) => {
      // outside an exploration: the action simply runs now
      if (schedule === undefined) return Effect.as(Effect.exit(action), Effect.void)
      const runSync = Effect.runSyncExitWith(context)
      const fired = Deferred.makeUnsafe<void>()
      schedule.race(() => {
        const exit = runSync(action)
        if (Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause)) {
          schedule.note(`racing action failed: ${Cause.pretty(exit.cause).split("\n")[0]}`)
        }
        Deferred.doneUnsafe(fired, Exit.void)
      })
      return Effect.succeed(Deferred.await(fired))
    }))

/** @internal */
export const fork = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<Fiber.Fiber<A, E>, never, R> =>
  Effect.flatMap(
    Effect.service(currentSchedule),
    (schedule) =>
      Effect.tap(Effect.forkChild(effect), (fiber) =>
        Effect.sync(() => {
          // the child is only scheduled yet: it is an actor from its first op on
          schedule?.addActor(fiber as Fiber.Fiber<unknown, unknown>)
        }))
  )

const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

type Ending =
  | { readonly _tag: "Done"; readonly exit: Exit.Exit<unknown, unknown> }
  | { readonly _tag: "Deadlock" }
  | { readonly _tag: "Livelock"; readonly reason: string }

interface Settings {
  readonly maxSteps: number
  readonly timeLimitMillis: number
  readonly idleTurns: number
}

/** Runs the ready tasks, time and outside events until the root fiber ends or nothing can move. */
const drive = async (
  root: Fiber.Fiber<unknown, unknown>,
  scheduler: ControlledScheduler,
  clock: VirtualClock,
  settings: Settings
): Promise<Ending> => {
  let idle = 0
  while (true) {
    while (scheduler.runNext()) {
      if (scheduler.steps > settings.maxSteps) {
        return { _tag: "Livelock", reason: `still running after ${settings.maxSteps} ops` }
      }
    }
    const exit = root.pollUnsafe()
    if (exit !== undefined) return { _tag: "Done", exit }
    if (scheduler.fireLeftoverRaces()) continue
    if (clock.advance()) {
      idle = 0
      if (clock.now > settings.timeLimitMillis) {
        return { _tag: "Livelock", reason: `still running after ${settings.timeLimitMillis} ms of virtual time` }
      }
      continue
    }
    // nothing can run and no sleeper is due: give outside events (I/O) a few turns of the event loop
    if (idle++ >= settings.idleTurns) return { _tag: "Deadlock" }
    await macrotask()
  }
}

interface Outcome {
  readonly ending: Ending
  readonly scheduler: ControlledScheduler
  /** How the scenario itself ended, before its scope was closed (if it got that far). */
  readonly body: Exit.Exit<unknown, unknown> | undefined
}

const runOne = async <R>(
  context: Context.Context<R>,
  scenario: Effect.Effect<unknown, unknown, R | Scope.Scope>,
  seed: number,
  estimates: Estimates,
  options: Api.Interleavings.Options | undefined,
  settings: Settings,
  strategies: ReadonlyArray<Strategy>
): Promise<Outcome> => {
  const random = new Random(seed)
  const plan = makePlan(random, strategies, {
    estimate: estimates.ops,
    actorEstimate: estimates.actorOps,
    depth: options?.depth ?? defaults.depth,
    interrupts: options?.interrupts ?? false
  })
  const scheduler = new ControlledScheduler(
    plan,
    random,
    options?.traceSize ?? defaults.traceSize,
    options?.minRun ?? defaults.minRun,
    estimates.races
  )
  const clock = new VirtualClock()
  const body: { exit: Exit.Exit<unknown, unknown> | undefined } = { exit: undefined }
  // the body's own exit is kept apart from the closing of its scope: a failed assertion whose
  // scope then hangs (a pool waiting for its tasks) is reported as the failure it is
  const scoped = Effect.flatMap(
    Scope.make(),
    (scope) =>
      Effect.flatMap(Effect.exit(Scope.provide(scenario, scope)), (exit) => {
        body.exit = exit
        return Effect.andThen(Scope.close(scope, exit), exit)
      })
  )
  const program = scoped.pipe(
    Effect.provideService(Clock.Clock, clock),
    Effect.provideService(currentSchedule, scheduler)
  )
  const root = Effect.runForkWith(context)(program, { scheduler }) as Fiber.Fiber<unknown, unknown>
  const ending = await drive(root, scheduler, clock, settings)
  if (ending._tag !== "Done") {
    // let the scenario's scopes close if they can; a fiber stuck for good is abandoned
    root.interruptUnsafe()
    await drive(root, scheduler, clock, { ...settings, maxSteps: scheduler.steps + settings.maxSteps })
  }
  scheduler.clear()
  return { ending, scheduler, body: body.exit }
}

/** `Cause.pretty` without the runtime's own stack frames. */
const pretty = (cause: Cause.Cause<unknown>): string =>
  Cause.pretty(cause).split("\n").filter((line) => !/^\s+at .*node_modules/.test(line)).join("\n")

const failureOf = (
  outcome: Outcome,
  schedule: number,
  token: string,
  strategy: Strategy
): InterleavingFailure | undefined => {
  const { body, ending, scheduler } = outcome
  if (ending._tag === "Done" && Exit.isSuccess(ending.exit)) return undefined
  const common = {
    schedule,
    replay: token,
    strategy,
    steps: scheduler.steps,
    trace: scheduler.trace.slice()
  }
  if (ending._tag === "Done") {
    const cause = (ending.exit as Exit.Failure<unknown, unknown>).cause
    return new InterleavingFailure({ ...common, kind: "failed", detail: pretty(cause) })
  }
  if (body !== undefined && Exit.isFailure(body)) {
    const closing = ending._tag === "Deadlock"
      ? "closing its scope then deadlocked"
      : "closing its scope then livelocked"
    return new InterleavingFailure({ ...common, kind: "failed", detail: `${pretty(body.cause)}\n(${closing})` })
  }
  if (ending._tag === "Deadlock") {
    const where = body === undefined ? "" : " while closing the scenario's scope"
    return new InterleavingFailure({
      ...common,
      kind: "deadlock",
      detail: `every fiber waits and nothing can wake one (no sleeper, no outside event)${where}`
    })
  }
  return new InterleavingFailure({ ...common, kind: "livelock", detail: ending.reason })
}

/** @internal */
export const explore = <E, R>(
  scenario: Effect.Effect<unknown, E, R>,
  options?: Api.Interleavings.Options
): Effect.Effect<Api.Interleavings.Report, InterleavingFailure, Exclude<R, Scope.Scope>> =>
  Effect.flatMap(
    Effect.context<Exclude<R, Scope.Scope>>(),
    (context) =>
      Effect.callback<Api.Interleavings.Report, InterleavingFailure>((resume, signal) => {
        search(context as Context.Context<R>, scenario, options, signal).then(
          (report) => resume(Effect.succeed(report)),
          (error) => resume(error instanceof InterleavingFailure ? Effect.fail(error) : Effect.die(error))
        )
      })
  )

const search = async <R>(
  context: Context.Context<R>,
  scenario: Effect.Effect<unknown, unknown, R | Scope.Scope>,
  options: Api.Interleavings.Options | undefined,
  signal: AbortSignal
): Promise<Api.Interleavings.Report> => {
  const settings: Settings = {
    maxSteps: options?.maxSteps ?? defaults.maxSteps,
    timeLimitMillis: Duration.toMillis(options?.timeLimit ?? defaults.timeLimit),
    idleTurns: options?.idleTurns ?? defaults.idleTurns
  }
  const report = { schedules: 0, steps: 0, longest: 0, interruptions: 0, seed: 0 }
  const replay = options?.replay === undefined ? undefined : parseReplay(options.replay)
  if (replay !== undefined) {
    // the token's plan options win over the call's: the very schedule that failed runs again
    const plan = replay.plan
    const replayOptions = plan === undefined ? options : { ...options, ...plan }
    const strategies = replayOptions?.strategies ?? defaults.strategies
    const outcome = await runOne(context, scenario, replay.seed, replay, replayOptions, settings, strategies)
    const failure = failureOf(outcome, 1, options!.replay!, planStrategy(replay.seed, strategies))
    if (failure !== undefined) throw failure
    return { ...report, schedules: 1, steps: outcome.scheduler.steps, longest: outcome.scheduler.steps }
  }
  const strategies = options?.strategies ?? defaults.strategies
  const plan = {
    interrupts: options?.interrupts ?? false,
    depth: options?.depth ?? defaults.depth,
    minRun: options?.minRun ?? defaults.minRun,
    strategies
  }
  const base = options?.seed ?? Math.floor(Math.random() * 0x7fffffff)
  const schedules = options?.schedules ?? defaults.schedules
  const estimates = { ops: 1, actorOps: 1, races: [] as Array<number> }
  for (let i = 0; i < schedules; i++) {
    if (signal.aborted) break
    const seed = scheduleSeed(base, i)
    const outcome = await runOne(context, scenario, seed, estimates, options, settings, strategies)
    const token = replayToken(seed, estimates, plan)
    const failure = failureOf(outcome, i + 1, token, planStrategy(seed, strategies))
    if (failure !== undefined) throw failure
    const steps = outcome.scheduler.steps
    report.schedules++
    report.steps += steps
    report.longest = Math.max(report.longest, steps)
    if (outcome.scheduler.interrupted !== undefined) report.interruptions++
    // change points and interruptions are spread over the ops a schedule is seen to take, each
    // racing action over the ops seen to follow its registration
    estimates.ops = Math.max(estimates.ops, steps)
    estimates.actorOps = Math.max(estimates.actorOps, outcome.scheduler.actorSteps)
    outcome.scheduler.raceSpans.forEach((span, i) => {
      estimates.races[i] = Math.max(estimates.races[i] ?? 1, span)
    })
  }
  return { ...report, seed: base }
}

/** The strategy a schedule's seed picks (its plan's first draw). */
const planStrategy = (seed: number, strategies: ReadonlyArray<Strategy>): Strategy => new Random(seed).pick(strategies)
