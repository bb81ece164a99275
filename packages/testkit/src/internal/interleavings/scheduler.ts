import * as Fiber from "effect/Fiber"
import type * as Scheduler from "effect/Scheduler"
import type { Random } from "./random.js"

/** @internal */
export type Strategy = "random" | "pct" | "bounded"

/**
 * The ops a fiber switched out by `shouldYield` runs, once back, before it may be switched out
 * again. Effect 4 spends no op on the yield itself and resumes it with the op it was decided at
 * (counted as the run's first, and not offered to `shouldYield`), so one op is enough to make
 * progress.
 */
const YIELD_OPS = 1

type AnyFiber = Fiber.Fiber<unknown, unknown>

interface Ready {
  readonly task: () => void
  /** The fiber that scheduled the task: the one that yields, or the parent of a child it starts. */
  readonly fiber: AnyFiber | undefined
}

/** @internal */
export interface Plan {
  readonly strategy: Strategy
  /** random: the chance to switch fibers at an op where another one could run. */
  readonly switchChance: number
  /** bounded: switch after this many ops of one fiber. */
  readonly bound: number
  /** pct: the ops at which the running fiber is switched out. */
  readonly switchPoints: ReadonlyArray<number>
  /** The actor op (ops of fibers forked with `Interleavings.fork`) before which its fiber is interrupted, if any. */
  readonly interruptAt: number | undefined
  /** The ops a schedule is expected to run: where change points are drawn from. */
  readonly estimate: number
  /** The actor ops a schedule is expected to run: where interruptions and races are drawn from. */
  readonly actorEstimate: number
}

/** @internal */
export const makePlan = (random: Random, strategies: ReadonlyArray<Strategy>, options: {
  readonly estimate: number
  readonly actorEstimate: number
  readonly depth: number
  readonly interrupts: boolean
}): Plan => {
  const strategy = random.pick(strategies)
  const estimate = Math.max(1, options.estimate)
  const switchPoints: Array<number> = []
  for (let i = 1; i < options.depth; i++) switchPoints.push(random.between(1, estimate))
  return {
    strategy,
    switchChance: random.pick([1, 0.5, 0.2, 0.05, 2 / estimate]),
    bound: random.between(1, 40),
    switchPoints: switchPoints.sort((a, b) => a - b),
    interruptAt: options.interrupts ? random.between(1, Math.max(1, options.actorEstimate)) : undefined,
    estimate,
    actorEstimate: Math.max(1, options.actorEstimate)
  }
}

/**
 * A `Scheduler` that runs nothing by itself: it collects the tasks the fibers of one schedule
 * hand it, and the explorer runs them one at a time in the order they came — first in, first
 * out, as Effect's own scheduler does (Effect's internals rely on it: a child a fiber starts runs
 * before the fiber's next turn). What the plan chooses is where each fiber is switched out:
 * `shouldYield` is asked before every op of every fiber, and a switched-out fiber goes to the back
 * of the line. A fiber is not switched out within the first `minRun` ops of a run, as the runtime
 * never preempts it there either; what lands in those ops comes from racing actions and
 * interruptions, which fire before any op at all.
 *
 * @internal
 */
export class ControlledScheduler implements Scheduler.Scheduler {
  readonly executionMode = "async" as const
  private ready: Array<Ready> = []
  private head = 0
  /** Ops seen so far, over every fiber. */
  steps = 0
  /** Ops run by actors (fibers forked with `Interleavings.fork`), which interruptions and races count. */
  actorSteps = 0
  private readonly actors = new WeakSet<AnyFiber>()
  private hasActors = false
  /** Actions registered with `Interleavings.race`, each fired before an op drawn when it was registered. */
  private readonly races: Array<
    { readonly registeredAt: number; readonly at: number; readonly fire: () => void; fired: boolean }
  > = []
  interrupted: AnyFiber | undefined = undefined
  /** Chosen, not sent yet: sent between two tasks, as another fiber's `Fiber.interrupt` reaches it. */
  private pendingInterruption: AnyFiber | undefined = undefined
  private readonly opsSinceSwitch = new WeakMap<AnyFiber, number>()
  private nextSwitch = 0
  private switchDue = false
  private readonly names = new WeakMap<AnyFiber, number>()
  private fibersSeen = 0
  readonly trace: Array<string> = []

  constructor(
    private readonly plan: Plan,
    private readonly random: Random,
    private readonly traceSize: number,
    private readonly minRun: number,
    private readonly raceHorizons: ReadonlyArray<number>
  ) {}

  get hasReady(): boolean {
    return this.head < this.ready.length
  }

  /** A stable name for a fiber: its order of first appearance in this schedule. */
  nameOf(fiber: AnyFiber | undefined): string {
    if (fiber === undefined) return "?"
    let n = this.names.get(fiber)
    if (n === undefined) {
      n = ++this.fibersSeen
      this.names.set(fiber, n)
    }
    return `f${n}`
  }

  note(line: string): void {
    this.trace.push(line)
    if (this.trace.length > this.traceSize) this.trace.shift()
  }

  /** Every fiber of the schedule hands its tasks to the one line of ready tasks. */
  makeDispatcher(): Scheduler.SchedulerDispatcher {
    return {
      scheduleTask: (task) => {
        this.ready.push({ task, fiber: Fiber.getCurrent() })
      },
      // the explorer runs the line itself, one task at a time
      flush: () => {}
    }
  }

  shouldYield(fiber: AnyFiber): boolean {
    const step = ++this.steps
    const actor = this.actors.has(fiber)
    if (actor && ++this.actorSteps === this.plan.interruptAt) this.pendingInterruption = fiber
    if (actor || !this.hasActors) {
      const clock = this.raceClock
      for (let i = 0; i < this.races.length; i++) {
        if (this.races[i]!.at <= clock) this.fireRace(i, `before op ${step} (${this.nameOf(fiber)})`)
      }
    }
    while (this.nextSwitch < this.plan.switchPoints.length && this.plan.switchPoints[this.nextSwitch]! <= step) {
      this.nextSwitch++
      this.switchDue = true
    }
    const justSwitched = this.opsSinceSwitch.get(fiber) === 0
    // a fiber chosen for interruption is switched out at once (past the ops of its last switch),
    // so that the interruption reaches it from outside, between two tasks
    const forced = this.pendingInterruption === fiber && !(justSwitched && fiber.currentOpCount <= YIELD_OPS)
    // otherwise never within the first ops of a run (a run always gets its first op: Effect 4
    // counts it as op 1), nor inside the ops the last switch itself spends
    if (!forced && fiber.currentOpCount <= Math.max(this.minRun, 1, justSwitched ? YIELD_OPS : 0)) return false
    if (!forced && (!this.hasReady || !this.decide(fiber))) {
      this.opsSinceSwitch.set(fiber, (this.opsSinceSwitch.get(fiber) ?? this.random.int(this.plan.bound)) + 1)
      return false
    }
    this.opsSinceSwitch.set(fiber, 0)
    this.note(`op ${step}: ${this.nameOf(fiber)} is switched out`)
    return true
  }

  private decide(fiber: AnyFiber): boolean {
    switch (this.plan.strategy) {
      case "random":
        return this.random.next() < this.plan.switchChance
      case "bounded":
        // each fiber starts at a random phase of the bound: fibers running the same code do not
        // switch in lockstep
        return (this.opsSinceSwitch.get(fiber) ?? this.random.int(this.plan.bound)) + 1 >= this.plan.bound
      case "pct": {
        const due = this.switchDue
        this.switchDue = false
        return due
      }
    }
  }

  /** Runs the next ready task; `false` if none is ready. */
  runNext(): boolean {
    if (this.pendingInterruption !== undefined) this.sendInterruption()
    if (!this.hasReady) return false
    const next = this.ready[this.head]!
    this.ready[this.head++] = undefined as unknown as Ready
    if (this.head > 1024 && this.head * 2 > this.ready.length) {
      this.ready = this.ready.slice(this.head)
      this.head = 0
    }
    this.note(`op ${this.steps}: ${this.nameOf(next.fiber)} runs`)
    next.task()
    return true
  }

  /** Makes `fiber` an actor: one the plan may interrupt, whose ops racing actions are timed by. */
  addActor(fiber: AnyFiber): void {
    this.actors.add(fiber)
    this.hasActors = true
  }

  /** What racing actions are timed by: actor ops, or every op in a scenario with no actors. */
  private get raceClock(): number {
    return this.hasActors ? this.actorSteps : this.steps
  }

  /**
   * Registers a racing action: it fires before an actor op drawn from those still to come — as
   * many as earlier schedules ran after registering the same (n-th) action, or the estimate.
   */
  race(fire: () => void): void {
    const horizon = this.raceHorizons[this.races.length] ?? this.plan.actorEstimate
    const at = this.raceClock + this.random.between(1, Math.max(1, horizon))
    this.races.push({ registeredAt: this.raceClock, at, fire, fired: false })
  }

  /** For each racing action of this schedule, the actor ops run after it was registered. */
  get raceSpans(): ReadonlyArray<number> {
    return this.races.map((race) => this.raceClock - race.registeredAt)
  }

  /** Fires the racing actions whose op never came (the schedule ran fewer ops than planned). */
  fireLeftoverRaces(): boolean {
    let fired = false
    for (let i = 0; i < this.races.length; i++) {
      if (!this.races[i]!.fired) {
        this.fireRace(i, `when every fiber waited (op ${this.steps})`)
        fired = true
      }
    }
    return fired
  }

  private fireRace(index: number, when: string): void {
    const race = this.races[index]
    if (race === undefined || race.fired) return
    race.fired = true
    this.note(`racing action ${index + 1} fires ${when}`)
    race.fire()
  }

  private sendInterruption(): void {
    const fiber = this.pendingInterruption!
    this.pendingInterruption = undefined
    this.interrupted = fiber
    this.note(`op ${this.steps}: ${this.nameOf(fiber)} is interrupted`)
    fiber.interruptUnsafe()
  }

  /** Drops every task left (a schedule that ended: its leftover fibers are abandoned). */
  clear(): void {
    this.ready = []
    this.head = 0
  }
}
