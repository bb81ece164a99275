/**
 * fiberkit's `Semaphore` against the two Effect 4 built-ins it overlaps beyond a plain permit
 * count (for N waiters behind a fixed `Semaphore(16)` see many-waiters.bench.ts):
 *
 * - growing under load: N fibers wait on a semaphore with no permit, then it grows to 16.
 *   Effect's `Semaphore.resize(16)` against fiberkit's `release(16)` (a fiberkit `Semaphore`, like
 *   Python's, may be released beyond its initial count). Shrinking has no fiberkit equivalent: an
 *   `acquire(k)` that parks permits waits its turn in the FIFO line.
 * - two tenants sharing a pool: tenant A queues 1,900 tasks, then tenant B 100, behind 16 shared
 *   permits. Effect's `PartitionedSemaphore` serves the tenants' lines round-robin; fiberkit offers
 *   no partitioned semaphore, and its `Semaphore` serves one FIFO line, so B waits behind all of
 *   A. Both plain semaphores run for scale, and the description gives, for each contender, how
 *   many of A's tasks had finished when B's last one did.
 */
import { Report } from "@fiberkit/bench"
import { Semaphore } from "@fiberkit/sync"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as PartitionedSemaphore from "effect/PartitionedSemaphore"
import * as EffectSemaphore from "effect/Semaphore"

const PERMITS = 16
const WAITERS = 2_000
const TENANT_A = 1_900
const TENANT_B = 100

const task = Effect.yieldNow

/** Forks every guarded task, one yield (so they all reach the semaphore), `open`, then joins. */
const gated = (
  setup: Effect.Effect<{ readonly guard: (key: "A" | "B", effect: Effect.Effect<void>) => Effect.Effect<void> }>,
  keys: ReadonlyArray<"A" | "B">,
  open: Effect.Effect<void> = Effect.void,
  body: (key: "A" | "B") => Effect.Effect<void> = () => task
) =>
  Effect.gen(function*() {
    const { guard } = yield* setup
    const fibers: Array<Fiber.Fiber<void, unknown>> = []
    for (const key of keys) fibers.push(yield* Effect.forkChild(guard(key, body(key))))
    yield* Effect.yieldNow
    yield* open
    yield* Fiber.joinAll(fibers)
  })

// --- growing under load -------------------------------------------------------------------------

const allWaiting: ReadonlyArray<"A"> = Array.from({ length: WAITERS }, () => "A" as const)

const growFiberkit = () =>
  Effect.runPromise(Effect.gen(function*() {
    const semaphore = yield* Effect.orDie(Semaphore.make(0))
    yield* gated(
      Effect.succeed({ guard: (_key, effect) => semaphore.withPermit(effect) }),
      allWaiting,
      Effect.orDie(semaphore.release(PERMITS))
    )
  }))

const growEffect = () =>
  Effect.runPromise(Effect.gen(function*() {
    const semaphore = yield* EffectSemaphore.make(0)
    yield* gated(
      Effect.succeed({ guard: (_key, effect) => semaphore.withPermit(effect) }),
      allWaiting,
      semaphore.resize(PERMITS)
    )
  }))

// --- two tenants --------------------------------------------------------------------------------

const tenants: ReadonlyArray<"A" | "B"> = [
  ...Array.from({ length: TENANT_A }, () => "A" as const),
  ...Array.from({ length: TENANT_B }, () => "B" as const)
]

type Guard = (key: "A" | "B", effect: Effect.Effect<void>) => Effect.Effect<void>

const partitioned: Effect.Effect<{ readonly guard: Guard }> = Effect.map(
  PartitionedSemaphore.make<"A" | "B">({ permits: PERMITS }),
  (semaphore) => ({ guard: (key, effect) => semaphore.withPermit(key)(effect) })
)
const fiberkitShared: Effect.Effect<{ readonly guard: Guard }> = Effect.map(
  Effect.orDie(Semaphore.make(PERMITS)),
  (semaphore) => ({ guard: (_key, effect) => semaphore.withPermit(effect) })
)
const effectShared: Effect.Effect<{ readonly guard: Guard }> = Effect.map(
  EffectSemaphore.make(PERMITS),
  (semaphore) => ({ guard: (_key, effect) => semaphore.withPermit(effect) })
)

/** How many of A's tasks had finished when B's last task did (one untimed run). */
const aDoneWhenBDone = async (setup: Effect.Effect<{ readonly guard: Guard }>): Promise<number> => {
  let doneA = 0
  let doneB = 0
  let answer = -1
  const body = (key: "A" | "B") =>
    Effect.andThen(
      task,
      Effect.sync(() => {
        if (key === "A") doneA++
        else if (++doneB === TENANT_B) answer = doneA
      })
    )
  await Effect.runPromise(gated(setup, tenants, Effect.void, body))
  return answer
}

const fairness = {
  partitioned: await aDoneWhenBDone(partitioned),
  fiberkit: await aDoneWhenBDone(fiberkitShared),
  effect: await aDoneWhenBDone(effectShared)
}
const fairnessLine = `A's tasks finished when B's last one did: Effect PartitionedSemaphore ${fairness.partitioned}, ` +
  `fiberkit Semaphore ${fairness.fiberkit}, Effect Semaphore ${fairness.effect} (of ${TENANT_A.toLocaleString("en")}).`
process.stdout.write(`\n${fairnessLine}\n`)

const tenantRun = (setup: Effect.Effect<{ readonly guard: Guard }>) => () => Effect.runPromise(gated(setup, tenants))

await Report.main("packages/sync/bench/semaphore-builtins.bench.ts", [
  {
    title: `Growing under load: ${WAITERS.toLocaleString("en")} fibers wait on a semaphore with 0 permits, ` +
      `then it grows to ${PERMITS}`,
    description: "Per operation = one task (spawn, wait, yield, release). Effect: `semaphore.resize(16)`; " +
      "fiberkit: `semaphore.release(16)`.",
    operations: WAITERS,
    reference: "fiberkit Semaphore release(16)",
    rounds: 3,
    iterations: 2,
    time: 300,
    contenders: [
      { name: "fiberkit Semaphore release(16)", run: growFiberkit },
      { name: "Effect Semaphore resize(16)", run: growEffect }
    ]
  },
  {
    title: `Two tenants, ${PERMITS} shared permits: A queues ${TENANT_A.toLocaleString("en")} tasks, ` +
      `then B ${TENANT_B}`,
    description: `Per operation = one task (spawn, wait, yield, release). ${fairnessLine}`,
    operations: TENANT_A + TENANT_B,
    reference: "Effect PartitionedSemaphore",
    rounds: 3,
    iterations: 2,
    time: 300,
    contenders: [
      { name: "Effect PartitionedSemaphore", run: tenantRun(partitioned) },
      { name: "fiberkit Semaphore (one FIFO line)", run: tenantRun(fiberkitShared) },
      { name: "Effect Semaphore", run: tenantRun(effectShared) }
    ]
  }
])
