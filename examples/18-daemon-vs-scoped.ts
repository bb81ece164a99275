/**
 * Use daemon threads for background tasks — forkChild, forkScoped, forkDetach: what outlives what.
 *
 * Python's `thread.daemon = True` marks a background thread the program does not wait for: when
 * the main thread ends, a daemon thread is stopped where it stands — no `finally`, no clean-up.
 * Effect says who owns a background fiber, and the owner's end interrupts it — its finalizers
 * (`Effect.onInterrupt`, `Effect.ensuring`) always run:
 *
 * 1. `Effect.forkChild`: a child of the fiber that forks it, interrupted as soon as that parent ends.
 * 2. `Effect.forkScoped`: owned by the `Scope` it is forked in, not by its parent: it outlives
 *    the parent and is interrupted when the scope closes.
 * 3. `Effect.forkDetach`: owned by no one: it outlives its parent and lives until it ends or is
 *    interrupted. Unlike a Python daemon thread it does not die with the program: Node keeps
 *    running while a fiber waits on a timer, so a daemon that never ends must be interrupted
 *    (keep its `Fiber`), or the program never exits.
 *
 * Python's daemon thread is therefore a fiber forked into the program's scope (`forkScoped`), or
 * from the main fiber (`forkChild`): the program does not wait for it, and ends it — cleanly — when
 * it ends. Here a background heartbeat runs so for the whole program. Each heartbeat beats every
 * 40 ms; the example prints facts that do not depend on the timing: whether a heartbeat still
 * beats, and what interrupted it.
 *
 * `--timeline FILE.svg` draws each parent and heartbeat in FILE.svg, a row each: the forkChild's
 * heartbeat ends with its parent, the others outlive theirs; `--chart` prints the same chart here
 * (see `timeline.ts`).
 *
 * Run: pnpm tsx examples/18-daemon-vs-scoped.ts
 */
import { NodeRuntime } from "@effect/platform-node"
import { Timeline } from "@fiberkit/observe"
import type { Duration } from "effect"
import { Console, Effect, Fiber, Option, Stream, SubscriptionRef } from "effect"
import { withTimeline } from "./timeline.js"

const BEAT = "40 millis"
const WORK = "120 millis"

/**
 * A heartbeat: a beat every 40 ms, for ever. When interrupted it says so and runs `onStop` — its
 * finalizer. Under `--timeline`, a bar on the row `heartbeat` of `group`.
 */
const heartbeat = (group: string, beats: SubscriptionRef.SubscriptionRef<number>, onStop: Effect.Effect<void>) =>
  Effect.forever(Effect.andThen(Effect.sleep(BEAT), SubscriptionRef.update(beats, (n) => n + 1))).pipe(
    Effect.onInterrupt(() =>
      Effect.andThen(Console.log(`  heartbeat (${group}): interrupted — its finalizer runs`), onStop)
    ),
    Timeline.recorded("heartbeat", { source: "fiber", group, lane: "heartbeat" })
  )

/** A parent fiber's body: forks with `fork`, works 120 ms, says so and returns what it forked. */
const parent = <A, R>(group: string, fork: Effect.Effect<A, never, R>) =>
  Effect.gen(function*() {
    const forked = yield* fork
    yield* Effect.sleep(WORK)
    yield* Console.log(`  parent: forked a heartbeat with Effect.${group}, worked 120 ms, returns`)
    return forked
  }).pipe(Timeline.recorded("parent", { source: "fiber", group, lane: "parent" }))

/** Whether the heartbeat beats again within `duration`: true while it runs, false once it was interrupted. */
const beatsWithin = (beats: SubscriptionRef.SubscriptionRef<number>, duration: Duration.Input) =>
  SubscriptionRef.changes(beats).pipe(
    Stream.drop(1), // the current count
    Stream.take(1),
    Stream.runDrain,
    Effect.timeoutOption(duration),
    Effect.map(Option.isSome)
  )

// 1. forkChild: the heartbeat is a child of the parent fiber, interrupted when the parent ends.
const withForkChild = Effect.gen(function*() {
  const beats = yield* SubscriptionRef.make(0)
  let parentEnded = false
  let stoppedWhenParentEnded = false
  const stop = Effect.sync(() => {
    stoppedWhenParentEnded = parentEnded
  })
  const body = parent("forkChild", Effect.forkChild(heartbeat("forkChild", beats, stop))).pipe(
    Effect.ensuring(Effect.sync(() => {
      parentEnded = true
    }))
  )
  // the parent runs in its own fiber; join returns once it ended and its children were interrupted
  yield* Fiber.join(yield* Effect.forkChild(body))
  const after = yield* beatsWithin(beats, "150 millis")
  yield* Console.log(
    `forkChild: interrupted when its parent ended: ${stoppedWhenParentEnded}; beats afterwards: ${after}`
  )
})

// 2. forkScoped: the heartbeat belongs to the scope; it outlives its parent, not the scope.
const withForkScoped = Effect.gen(function*() {
  const beats = yield* SubscriptionRef.make(0)
  let closing = false
  let stoppedWhenScopeClosed = false
  const stop = Effect.sync(() => {
    stoppedWhenScopeClosed = closing
  })
  const outlived = yield* Effect.scoped(Effect.gen(function*() {
    yield* Fiber.join(
      yield* Effect.forkChild(parent("forkScoped", Effect.forkScoped(heartbeat("forkScoped", beats, stop))))
    )
    const outlived = yield* beatsWithin(beats, "1 second")
    yield* Console.log(`  its parent ended, the heartbeat still beats: ${outlived}; now the scope closes`)
    closing = true
    return outlived
  }))
  const after = yield* beatsWithin(beats, "150 millis")
  yield* Console.log(
    `forkScoped: outlived its parent: ${outlived}; interrupted when its scope closed: ${stoppedWhenScopeClosed}; ` +
      `beats afterwards: ${after}`
  )
})

// 3. forkDetach: the heartbeat belongs to no one; it runs until the program interrupts it.
const withForkDetach = Effect.gen(function*() {
  const beats = yield* SubscriptionRef.make(0)
  let interrupting = false
  let stoppedByTheProgram = false
  const stop = Effect.sync(() => {
    stoppedByTheProgram = interrupting
  })
  const daemon = yield* Fiber.join(
    yield* Effect.forkChild(parent("forkDetach", Effect.forkDetach(heartbeat("forkDetach", beats, stop))))
  )
  const outlived = yield* beatsWithin(beats, "1 second")
  yield* Console.log(`  its parent ended, the heartbeat still beats: ${outlived}`)
  yield* Console.log(
    "  the program interrupts it (a daemon waiting on a timer would keep Node running): Fiber.interrupt"
  )
  interrupting = true
  yield* Fiber.interrupt(daemon)
  const after = yield* beatsWithin(beats, "150 millis")
  yield* Console.log(
    `forkDetach: outlived its parent: ${outlived}; ran until the program interrupted it: ${stoppedByTheProgram}; ` +
      `beats afterwards: ${after}`
  )
})

const program = Effect.scoped(Effect.gen(function*() {
  // Python's daemon=True: forked into the program's scope, interrupted (cleanly) when the program ends
  const background = yield* SubscriptionRef.make(0)
  yield* Effect.forkScoped(heartbeat("program", background, Effect.void))
  yield* Console.log("A background heartbeat, forked into the program's scope — Python's daemon=True — beats meanwhile")
  yield* Console.log("\n1. Effect.forkChild: a child, interrupted when its parent ends")
  yield* withForkChild
  yield* Console.log("\n2. Effect.forkScoped: lives until its scope closes")
  yield* withForkScoped
  yield* Console.log("\n3. Effect.forkDetach: no owner, outlives its parent until interrupted")
  yield* withForkDetach
  yield* Console.log(
    `\nThe background heartbeat beat ${(yield* SubscriptionRef.get(background)) > 0 ? "all along" : "never?!"}`
  )
  yield* Console.log(
    "The program ends without waiting for it: its scope closes, the background heartbeat is interrupted"
  )
}))

NodeRuntime.runMain(
  withTimeline(program, { title: "18 · Daemon vs scoped: what outlives what (forkChild, forkScoped, forkDetach)" })
)
