import { Semaphore } from "@fiberkit/sync"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import type * as Exit from "effect/Exit"
import { pipeArguments } from "effect/Pipeable"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as os from "node:os"
import { InvalidOptions, PoolShutDown } from "../Errors.js"
import type * as Executor from "../Executor.js"
import type * as Api from "../FiberPool.js"
import type * as Future from "../Future.js"
import { FutureImpl } from "./future.js"

/** @internal */
export const TypeId: Api.TypeId = Symbol.for("@fiberkit/executor/FiberPool") as Api.TypeId

/** Python's default for I/O-bound pools: `min(32, cpus + 4)`. @internal */
export const defaultMaxWorkers = (): number => Math.min(32, os.availableParallelism() + 4)

const poolShutDown = Effect.fail(new PoolShutDown())

/**
 * Workers are permits of a FIFO semaphore: a submitted task gets a fiber at once, which waits
 * in line for a permit (so tasks start in submission order) and runs the task holding it.
 * `map` runs `min(maxWorkers, items)` long-lived lanes instead, each holding a permit and
 * pulling the next item: no fiber per item.
 *
 * @internal
 */
export class FiberPoolImpl implements Api.FiberPool {
  readonly [TypeId]: Api.TypeId = TypeId
  /** Futures not settled yet, pending or running. */
  private readonly live = new Set<FutureImpl<unknown, unknown>>()
  private submitted = 0
  private closed = false

  constructor(
    readonly maxWorkers: number,
    private readonly slots: Semaphore.Semaphore,
    private readonly scope: Scope.Scope
  ) {}

  pipe() {
    // eslint-disable-next-line prefer-rest-params
    return pipeArguments(this, arguments)
  }

  readonly submit = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<Future.Future<A, E>, PoolShutDown, R> =>
    Effect.flatMap(Effect.context<R>(), (context) =>
      Effect.suspend(() => {
        if (this.closed) return poolShutDown
        const future = new FutureImpl<A, E>(this.submitted++)
        this.live.add(future as FutureImpl<unknown, unknown>)
        const task = this.slots.withPermit(
          Effect.suspend(() => (future.start() ? Effect.provide(effect, context) : Effect.interrupt))
        )
        const run = Effect.onExit(task, (exit: Exit.Exit<A, E>) =>
          Effect.zipRight(
            future.settle(exit),
            Effect.sync(() => {
              this.live.delete(future as FutureImpl<unknown, unknown>)
            })
          ))
        return Effect.map(Effect.forkIn(run, this.scope), (fiber) => {
          future.attach(fiber)
          return future
        })
      }))

  readonly map = <A, B, E, R>(
    items: Iterable<A>,
    f: (item: A, index: number) => Effect.Effect<B, E, R>
  ): Effect.Effect<Array<B>, E | PoolShutDown, R> =>
    Effect.suspend((): Effect.Effect<Array<B>, E | PoolShutDown, R> => {
      if (this.closed) return poolShutDown
      const inputs = Array.from(items)
      const results: Array<B> = new Array(inputs.length)
      let next = 0
      const lane = this.slots.withPermit(Effect.whileLoop({
        while: () => next < inputs.length,
        body: () => {
          const index = next++
          return Effect.map(f(inputs[index]!, index), (value) => {
            results[index] = value
          })
        },
        step: () => {}
      }))
      const lanes = Math.min(this.maxWorkers, inputs.length)
      return Effect.as(
        Effect.all(Array.from({ length: lanes }, () => lane), { concurrency: "unbounded", discard: true }),
        results
      )
    })

  readonly mapStream = <A, E1, R1, B, E, R>(
    items: Stream.Stream<A, E1, R1>,
    f: (item: A) => Effect.Effect<B, E, R>
  ): Stream.Stream<B, E1 | E | PoolShutDown, R1 | R> =>
    Stream.unwrap(Effect.sync((): Stream.Stream<B, E1 | E | PoolShutDown, R1 | R> =>
      this.closed
        ? Stream.fail(new PoolShutDown())
        : Stream.mapEffect(items, (item) => this.slots.withPermit(f(item)), { concurrency: this.maxWorkers })
    ))

  readonly shutdown = (options?: Executor.Executor.ShutdownOptions): Effect.Effect<void> =>
    Effect.suspend(() => {
      this.closed = true
      const live = [...this.live]
      const cancel = options?.cancelFutures === true
        ? Effect.forEach(live.filter((future) => future.isPending), (future) => future.cancel, { discard: true })
        : Effect.void
      const wait = options?.wait === false
        ? Effect.void
        : Effect.forEach(live, (future) => future.await, { discard: true })
      return Effect.zipRight(cancel, wait)
    })

  readonly running: Effect.Effect<number> = Effect.sync(() => {
    let n = 0
    for (const future of this.live) if (future.isStarted) n++
    return n
  })

  readonly pending: Effect.Effect<number> = Effect.sync(() => {
    let n = 0
    for (const future of this.live) if (future.isPending) n++
    return n
  })
}

/** @internal */
export const make = (options?: Api.FiberPool.Options): Effect.Effect<Api.FiberPool, InvalidOptions, Scope.Scope> =>
  Effect.gen(function*() {
    const maxWorkers = options?.maxWorkers ?? defaultMaxWorkers()
    if (!Number.isSafeInteger(maxWorkers) || maxWorkers < 1) {
      return yield* new InvalidOptions({
        operation: "FiberPool.make",
        field: "maxWorkers",
        expected: "an integer ≥ 1",
        value: maxWorkers
      })
    }
    const scope = yield* Effect.scope
    // tasks run in a child scope, closed after the graceful shutdown below has waited for them
    const tasks = yield* Scope.fork(scope, ExecutionStrategy.sequential)
    const pool = new FiberPoolImpl(maxWorkers, yield* Semaphore.make(maxWorkers), tasks)
    yield* Effect.addFinalizer(() => pool.shutdown({ wait: true }))
    return pool
  })
