import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import type * as TaskStore from "../TaskStore.js"

/** A task a worker of this manager holds: from the step it got it from the store to its end. */
export interface Held {
  /** Its attempts' fiber, once forked. */
  fiber: Fiber.Fiber<unknown, unknown> | undefined
  /** A cancel asked for it: it ends cancelled if it stops interrupted (or never starts). */
  cancelled: boolean
}

/** How many ended tasks `Ends` remembers, for a cancel that read a task just before it ended. */
const REMEMBERED = 10_000

/**
 * What a manager's `cancel` needs to tell the truth: the tasks its workers hold, the tasks
 * whose end a cancel waits for, the cancels asked for tasks on their way from the store to a
 * worker, the tasks that ended lately, and the cancels in flight (the results streams end only
 * after them: a cancelled outcome is never published after the end mark).
 *
 * @internal
 */
export class Ends {
  readonly held = new Map<string, Held>()
  private readonly waiting = new Map<string, Deferred.Deferred<TaskStore.TaskState>>()
  /** Cancels asked for tasks that the store has handed (or is handing) to a worker here. */
  private readonly asked = new Set<string>()
  /** The tasks that ended lately, each with the serial number of its last end. */
  private readonly recent = new Map<string, number>()
  private ends = 0
  private inFlight = 0
  private readonly quiet: Array<() => void> = []
  /** The workers have stopped: a task on its way to one stays queued. */
  private over = false

  /** A worker got `id` from the store, in this step: it holds it from now on. */
  hold(id: string): Held {
    const held: Held = { fiber: undefined, cancelled: this.asked.delete(id) }
    this.held.set(id, held)
    return held
  }

  /** `id` has ended in `state` (published), or went back to the queue (`queued`). */
  ended(id: string, state: TaskStore.TaskState): void {
    this.held.delete(id)
    this.asked.delete(id)
    if (state !== "queued") {
      this.recent.delete(id)
      this.recent.set(id, ++this.ends)
      if (this.recent.size > REMEMBERED) this.recent.delete(this.recent.keys().next().value!)
    }
    const waiting = this.waiting.get(id)
    if (waiting === undefined) return
    this.waiting.delete(id)
    Deferred.doneUnsafe(waiting, Exit.succeed(state))
  }

  /** The serial number of `id`'s last end remembered (0: none): taken before a replay. */
  lastEnd(id: string): number {
    return this.recent.get(id) ?? 0
  }

  /**
   * `id` was replayed: queued again, it has not ended any more — unless it ended again since
   * `before` (its replay was taken and run before the replay's caller heard of it).
   */
  replayed(id: string, before: number): void {
    if ((this.recent.get(id) ?? 0) === before) this.recent.delete(id)
  }

  /** Whether `id` ended lately (a record read before that is stale). */
  endedLately(id: string): boolean {
    return this.recent.has(id)
  }

  /**
   * Asks to cancel a task held here, or on its way here (`held` undefined); returns, once it
   * has ended, whether it ended cancelled. Call it in the step that found where the task is.
   */
  cancel(id: string, held: Held | undefined): Effect.Effect<boolean> {
    if (held === undefined && this.over) return Effect.succeed(false)
    // waited for before the interruption: on Effect 4 it may run the task's end inline, right here
    let waiting = this.waiting.get(id)
    if (waiting === undefined) {
      waiting = Deferred.makeUnsafe<TaskStore.TaskState>()
      this.waiting.set(id, waiting)
    }
    if (held === undefined) {
      this.asked.add(id)
    } else {
      held.cancelled = true
      // not forked yet: the worker sees `cancelled` before it runs the task
      if (held.fiber !== undefined) held.fiber.interruptUnsafe()
    }
    const answer = Effect.map(Deferred.await(waiting), (state) => state === "cancelled")
    // a cancel that stops waiting (another manager's worker had the task) asks nothing more here
    return held === undefined ? Effect.onInterrupt(answer, () => Effect.sync(() => this.asked.delete(id))) : answer
  }

  /** The manager has stopped: what a cancel still waits for stays queued (for the next start). */
  stopped(): void {
    this.over = true
    for (const id of [...this.waiting.keys()]) this.ended(id, "queued")
  }

  /** Runs a cancel of a task nobody holds: the end mark waits until it is over. */
  track<A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E> {
    this.inFlight++
    return Effect.ensuring(
      effect,
      Effect.sync(() => {
        if (--this.inFlight === 0) {
          for (const wake of this.quiet.splice(0)) wake()
          this.onSettled()
        }
      })
    )
  }

  /** Runs each time the last cancel in flight is over (a manager's joins look again). */
  onSettled: () => void = () => {}

  /** Whether a cancel of a task nobody holds is in flight (its outcome not published yet). */
  get busy(): boolean {
    return this.inFlight > 0
  }

  /** Once no such cancel is in flight. */
  readonly settled: Effect.Effect<void> = Effect.callback<void>((resume) => {
    if (this.inFlight === 0) return resume(Effect.void)
    this.quiet.push(() => resume(Effect.void))
  })
}
