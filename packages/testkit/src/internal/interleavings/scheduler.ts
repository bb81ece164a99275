import type * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import type * as Scheduler from "effect/Scheduler"
import type { Random } from "./random.js"

/** @internal */
export type Strategy = "random" | "pct" | "bounded"

/**
 * The ops a yield decided by `shouldYield` spends itself in effect 3.22 before the op it was
 * decided at runs (the runtime wraps the yield in a scheduling-priority `locally`): a fiber is
 * not asked again until it is past them, or it would yield for ever at the same point (the
 * reason a `maxOpsBeforeYield` of 9 or less livelocks).
 */
const YIELD_OPS = 10

type AnyFiber = Fiber.RuntimeFiber<unknown, unknown>

interface Ready {
  readonly task: Scheduler.Task
  readonly fiber: AnyFiber | undefined
}

/** @internal */
export interface Plan {
  readonly strategy: Strategy
  /** random: the chance to switch fibers at an op where another one could run. */
  readonly switchChance: number
  /** bounded: switch after this many ops of one fiber. */
  readonly bound: number
  /** pct: the ops at which the running fiber's priority drops below every other. */
  readonly changePoints: ReadonlyArray<number>
  /** The op before which one fiber forked with `Interleavings.fork` is interrupted, if any. */
  readonly interruptAt: number | undefined
  readonly interruptPick: number
}

/** @internal */
export const makePlan = (random: Random, strategies: ReadonlyArray<Strategy>, options: {
  readonly estimate: number
  readonly depth: number
  readonly interrupts: boolean
}): Plan => {
  const strategy = random.pick(strategies)
  const estimate = Math.max(1, options.estimate)
  const changePoints: Array<number> = []
  for (let i = 1; i < options.depth; i++) changePoints.push(random.between(1, estimate))
  return {
    strategy,
    switchChance: random.pick([1, 0.5, 0.2, 0.05, 2 / estimate]),
    bound: random.between(1, 40),
    changePoints: changePoints.sort((a, b) => a - b),
    interruptAt: options.interrupts ? random.between(1, estimate) : undefined,
    interruptPick: random.int(1 << 30)
  }
}

/**
 * A `Scheduler` that runs nothing by itself: it collects every task the fibers of one schedule
 * hand it, and the explorer runs them one at a time, in the order the plan chooses. Its
 * `shouldYield` is asked before every op of every fiber, so a fiber can be switched out between
 * any two of its ops — including the first ops after a wake-up, which no `maxOpsBeforeYield`
 * sweep reaches.
 *
 * @internal
 */
export class ControlledScheduler implements Scheduler.Scheduler {
  private ready: Array<Ready> = []
  /** Ops seen so far, over every fiber. */
  steps = 0
  /** Fibers that may be interrupted by the plan (forked with `Interleavings.fork`). */
  readonly targets: Array<AnyFiber> = []
  interrupted: AnyFiber | undefined = undefined
  private readonly priorities = new WeakMap<AnyFiber, number>()
  private readonly guard = new WeakMap<AnyFiber, number>()
  private readonly opsSinceSwitch = new WeakMap<AnyFiber, number>()
  private nextChange = 0
  private lowPriority = 0
  private readonly names = new WeakMap<AnyFiber, number>()
  private fibersSeen = 0
  readonly trace: Array<string> = []

  constructor(private readonly plan: Plan, private readonly random: Random, private readonly traceSize: number) {}

  get hasReady(): boolean {
    return this.ready.length > 0
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

  private note(line: string): void {
    this.trace.push(line)
    if (this.trace.length > this.traceSize) this.trace.shift()
  }

  private priorityOf(fiber: AnyFiber | undefined): number {
    if (fiber === undefined) return 0
    let p = this.priorities.get(fiber)
    if (p === undefined) {
      // PCT: a random priority above every change-point priority
      p = this.plan.changePoints.length + 1 + this.random.next()
      this.priorities.set(fiber, p)
    }
    return p
  }

  scheduleTask(task: Scheduler.Task, _priority: number, fiber?: AnyFiber): void {
    this.ready.push({ task, fiber })
  }

  shouldYield(fiber: AnyFiber): number | false {
    const step = ++this.steps
    if (this.plan.interruptAt === step) this.interruptOne()
    const guarded = this.guard.get(fiber)
    if (guarded !== undefined) {
      const count = fiber.currentOpCount
      // still inside the ops of the yield we chose (a new run loop restarts the count)
      if (count > guarded && count <= YIELD_OPS) {
        this.guard.set(fiber, count)
        return false
      }
      this.guard.delete(fiber)
    }
    if (this.ready.length === 0 || !this.decide(fiber, step)) return false
    this.guard.set(fiber, 0)
    this.opsSinceSwitch.set(fiber, 0)
    this.note(`op ${step}: ${this.nameOf(fiber)} is switched out`)
    return 0
  }

  private decide(fiber: AnyFiber, step: number): boolean {
    switch (this.plan.strategy) {
      case "random":
        return this.random.next() < this.plan.switchChance
      case "bounded": {
        // each fiber starts at a random phase of the bound: fibers running the same code do not
        // switch in lockstep
        const ops = (this.opsSinceSwitch.get(fiber) ?? this.random.int(this.plan.bound)) + 1
        this.opsSinceSwitch.set(fiber, ops)
        return ops >= this.plan.bound
      }
      case "pct": {
        while (this.nextChange < this.plan.changePoints.length && this.plan.changePoints[this.nextChange]! <= step) {
          this.nextChange++
          this.priorities.set(fiber, this.plan.changePoints.length - this.lowPriority++)
          this.note(`op ${step}: ${this.nameOf(fiber)} drops its priority`)
        }
        const mine = this.priorityOf(fiber)
        return this.ready.some((ready) => this.priorityOf(ready.fiber) > mine)
      }
    }
  }

  /** Runs the next ready task, as the plan chooses; `false` if none is ready. */
  runNext(): boolean {
    if (this.ready.length === 0) return false
    let index = 0
    if (this.plan.strategy === "random") index = this.random.int(this.ready.length)
    else if (this.plan.strategy === "pct") {
      let best = -1
      for (let i = 0; i < this.ready.length; i++) {
        const p = this.priorityOf(this.ready[i]!.fiber)
        if (p > best) {
          best = p
          index = i
        }
      }
    }
    const [next] = this.ready.splice(index, 1)
    this.note(`op ${this.steps}: ${this.nameOf(next!.fiber)} runs`)
    next!.task()
    return true
  }

  private interruptOne(): void {
    const alive = this.targets.filter((fiber) => fiber.unsafePoll() === null)
    if (alive.length === 0) return
    const fiber = alive[this.plan.interruptPick % alive.length]!
    this.interrupted = fiber
    this.note(`op ${this.steps}: ${this.nameOf(fiber)} is interrupted`)
    fiber.unsafeInterruptAsFork(FiberId.none)
  }

  /** Drops every task left (a schedule that ended: its leftover fibers are abandoned). */
  clear(): void {
    this.ready = []
  }
}
