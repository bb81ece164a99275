import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import { PoolShutDown } from "../Errors.js"
import type { FiberPoolImpl } from "./fiberPool.js"
import { type Job, precedes } from "./fiberPoolJobs.js"
import { withRank } from "./fiberPoolSteering.js"
import { registerThenWait } from "./wait.js"

/**
 * `FiberPool.map`: its items run in lanes, jobs of the pool's line that each run items one after
 * another — so a huge input does not create a task per item, and `map` and `submit` share the
 * worker limit. Each item is still a task of priority 0 to the pool's controls:
 *
 * - while items are left, one lane waits in line, at the map's place (the rank and submission
 *   order of its first lane): a worker that frees — or that a grow adds — takes it, and it starts
 *   the next item;
 * - a lane takes its next item only if no pending task ranks before the map, and only if its
 *   worker is not one a shrink made surplus: else it ends, and the items left wait in line, in
 *   the lane that waits there.
 *
 * @internal
 */
export const mapInLanes = <A, B, E, R>(
  pool: FiberPoolImpl,
  items: Iterable<A>,
  f: (item: A, index: number) => Effect.Effect<B, E, R>
): Effect.Effect<Array<B>, E | PoolShutDown, R> =>
  // lanes rank as tasks of priority 0 (with aging, as of now)
  withRank(pool.steering, 0, (rank) =>
    Effect.withFiber((caller) =>
      Effect.suspend(() =>
        new MapInLanes(pool, caller, Array.from(items), f, rank).run
      )
    ))

class MapInLanes<A, B, E, R> {
  private readonly results: Array<B>
  /** Items taken by a lane, and items done. */
  private next = 0
  private finished = 0
  /**
   * The map's lanes not settled yet (pending or running), and how many of them are pending — as
   * their own first steps tell: a lane a worker has taken counts until it runs.
   */
  private readonly lanes = new Set<Job<void, E>>()
  private pending = 0
  /** The submission order of its first lane: the place of every lane in line. */
  private order: number | undefined = undefined
  /** The map has ended: its lanes take no more items. */
  private over = false
  private settle: (exit: Exit.Exit<Array<B>, E | PoolShutDown>) => void = () => {}
  private readonly callerId: number
  private readonly carry: <X, Y, Z>(effect: Effect.Effect<X, Y, Z>) => Effect.Effect<X, Y>

  constructor(
    private readonly pool: FiberPoolImpl,
    caller: Fiber.Fiber<unknown, unknown>,
    private readonly inputs: ReadonlyArray<A>,
    private readonly f: (item: A, index: number) => Effect.Effect<B, E, R>,
    private readonly rank: number
  ) {
    this.results = new Array(inputs.length)
    this.carry = pool.carrier(caller)
    this.callerId = caller.id
  }

  /**
   * The first lane is queued in the same uninterruptible step as the wait is registered; however
   * the map fails (an item's failure, an interruption), every lane left is cancelled before it
   * returns.
   */
  get run(): Effect.Effect<Array<B>, E | PoolShutDown> {
    return registerThenWait<Array<B>, E | PoolShutDown>((settle) => {
      this.settle = settle
      if (this.pool.closed) return settle(Exit.fail(new PoolShutDown()))
      if (this.inputs.length === 0) return settle(Exit.succeed(this.results))
      // one lane: each lane that starts queues the next while items are left, and the dispatch
      // under way starts it on the next free worker — as many lanes run as workers are free
      this.addLane()
      return this.stop
    })
  }

  /**
   * The map ends, in the step its outcome is known: no lane takes another item, and those still
   * in line are cancelled (a worker would take one before the map's caller resumes).
   */
  private end(exit: Exit.Exit<Array<B>, E | PoolShutDown>): void {
    if (this.over) return
    this.over = true
    this.cancelPending()
    this.settle(exit)
  }

  private cancelPending(): void {
    for (const lane of this.lanes) lane.cancelIfPending(this.pool.runFork)
  }

  /**
   * After the wait, however it ended: the lanes left are cancelled — none after a success; after a
   * failure or an interruption, those in line and those that run (the cancel of one that runs an
   * item starts a worker: it takes no lane of this map, which takes no more items).
   */
  private get stop(): Effect.Effect<void> {
    return Effect.suspend(() => {
      this.over = true
      return Effect.forEach([...this.lanes], (lane) => lane.cancel, { discard: true })
    })
  }

  private addLane(): void {
    let started = false
    const lane = this.pool.enqueue(
      this.carry(Effect.suspend(() => {
        started = true
        this.pending--
        return Effect.andThen(this.items, this.handOn)
      })),
      undefined,
      this.rank,
      false,
      this.order
    )
    this.order ??= lane.order
    this.pending++
    this.lanes.add(lane)
    // a worker missing (a grow, or one retired while this map's lanes were all taken) starts it
    this.pool.dispatch()
    lane.observe((exit) => {
      this.lanes.delete(lane)
      if (!started) this.pending--
      // a lane that never ran (cancelled by a shutdown, or by the map with no item left for it),
      // or one cancelled by a shutdown that interrupted what ran, fails nothing by itself
      if (Exit.isSuccess(exit) || !started) return this.check()
      // an item's own failure — even a `FutureCancelled` error — is the map's; a lane cancelled by
      // a shutdown fails nothing by itself; one whose item interrupted itself ends it interrupted
      if (!lane.wasCancelled) this.end(Exit.failCause(exit.cause as Cause.Cause<E>))
      else if (this.pool.cancelledFutures) this.check()
      else this.end(Exit.interrupt(this.callerId))
    })
  }

  /**
   * Once no lane of the map runs (a lane ends after its last item; one a worker has taken, even
   * before it runs, is not pending): every item done, it succeeds; if the pool cancelled what had
   * not started, it ends shut down; else a lane waits in line for the items left.
   */
  private check(): void {
    if (this.over || !this.allPending()) return
    if (this.finished === this.inputs.length) this.end(Exit.succeed(this.results))
    else if (this.pool.cancelledFutures) this.end(Exit.fail(new PoolShutDown()))
    else if (this.pending === 0) this.addLane()
  }

  private allPending(): boolean {
    for (const lane of this.lanes) if (!lane.isPending) return false
    return true
  }

  /** A lane's loop: items one after another while it may take them. */
  private readonly items: Effect.Effect<void, E, R> = Effect.whileLoop({
    while: () => this.goesOn(),
    body: () => this.runNext(),
    step: () => {}
  })

  private goesOn(): boolean {
    const pool = this.pool
    if (this.over || this.next >= this.inputs.length || pool.cancelledFutures || pool.active > pool.concurrency) {
      return false
    }
    const first = pool.line.peek()
    return first === undefined || this.lanes.has(first as Job<void, E>) || !precedes(first, this.rank, this.order!)
  }

  private runNext(): Effect.Effect<void, E, R> {
    const index = this.next++
    // the items left wait in line: a worker that frees, or that a grow adds, takes them; once the
    // last is taken, a lane waiting has nothing left to run
    if (this.next === this.inputs.length) this.cancelPending()
    else if (this.pending === 0) this.addLane()
    return Effect.map(this.f(this.inputs[index]!, index), (value) => {
      this.results[index] = value
      this.finished++
    })
  }

  /** A lane that stopped with items left: they wait in a lane in line (see `check`). */
  private readonly handOn = Effect.sync(() => {
    if (!this.over && this.next < this.inputs.length && !this.pool.cancelledFutures && this.pending === 0) {
      this.addLane()
    }
  })
}
