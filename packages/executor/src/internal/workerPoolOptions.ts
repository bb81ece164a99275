import * as Telemetry from "@fiberkit/sync/Telemetry"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Result from "effect/Result"
import * as os from "node:os"
import { InvalidOptions, WorkerSpawnFailed } from "../Errors.js"
import type * as Api from "../WorkerPool.js"
import { resolveSteering, type Steering } from "./fiberPoolSteering.js"
import { isCall } from "./workerTask.js"
import { resolveModule } from "./workerThread.js"
import type { ThreadSettings } from "./workerThreadHost.js"

/** A WorkerPool's options, checked, with its defaults applied. @internal */
export interface Settings extends ThreadSettings {
  readonly size: number
  readonly maxTasksPerWorker: number | undefined
  /** `maxPending`, `onFull` and `aging`, checked. */
  readonly steering: Steering
  /** Where each call is reported (a Timeline, metrics) under the pool's group; `undefined`: nowhere. */
  readonly observers: Telemetry.Observers | undefined
  /** Its `name` option: an attribute of the spans it opens. */
  readonly name: string | undefined
}

const invalid = (field: string, expected: string, value: unknown) =>
  new InvalidOptions({ operation: "WorkerPool.make", field, expected, value })

/**
 * The most worker threads a pool may have (`make`'s `concurrency`, `resize`): each is an OS thread
 * with a V8 heap of its own, and a size past this is a mistake rather than a plan.
 *
 * @internal
 */
export const MAX_WORKERS = 1024

/**
 * `InvalidOptions` for a pool size (`operation`: `WorkerPool.make` or `WorkerPool.resize`) that is
 * not an integer from 1 to `MAX_WORKERS`; undefined for a good one.
 *
 * @internal
 */
export const badSize = (operation: string, size: number): InvalidOptions | undefined =>
  Number.isSafeInteger(size) && size >= 1 && size <= MAX_WORKERS
    ? undefined
    : new InvalidOptions({
      operation,
      field: "concurrency",
      expected: `an integer from 1 to ${MAX_WORKERS}`,
      value: size
    })

/**
 * The settings `options` stand for, under the recorder in force; fails with `InvalidOptions`, or
 * with `WorkerSpawnFailed` for a worker module that cannot be found.
 *
 * @internal
 */
export const settingsOf = (
  options: Api.WorkerPool.Options
): Effect.Effect<Settings, InvalidOptions | WorkerSpawnFailed> =>
  Effect.gen(function*() {
    const size = options.concurrency ?? Math.min(os.availableParallelism(), MAX_WORKERS)
    const bad = badSize("WorkerPool.make", size)
    if (bad !== undefined) return yield* bad
    const max = options.maxTasksPerWorker
    if (max !== undefined && (!Number.isSafeInteger(max) || max < 1)) {
      return yield* invalid("maxTasksPerWorker", "an integer ≥ 1", max)
    }
    // a value that is not a duration at all is bad input too, not a defect
    const decoded = Duration.fromInput((options.spawnTimeout ?? "20 seconds") as Duration.Input)
    if (Option.isNone(decoded) || !Duration.isGreaterThan(decoded.value, Duration.zero)) {
      return yield* invalid("spawnTimeout", "a positive duration", options.spawnTimeout)
    }
    const spawnTimeout = decoded.value
    const steering = yield* resolveSteering(options, "WorkerPool")
    const module = String(options.module)
    const data = resolveModule(options.module)
    if (Result.isFailure(data)) return yield* new WorkerSpawnFailed({ module, reason: data.failure })
    let initializer: Settings["initializer"] = undefined
    if (options.initializer !== undefined) {
      const call = options.initializer
      if (!isCall(call)) return yield* invalid("initializer", "a WorkerTask call", call)
      initializer = { name: call.task.name, payload: call.task.payloadCodec.encode(call.payload) }
    }
    return {
      size,
      maxTasksPerWorker: max,
      steering,
      spawnTimeout,
      module,
      data: data.success,
      threadOptions: { resourceLimits: options.resourceLimits },
      initializer,
      name: options.name,
      observers: yield* Telemetry.observers("WorkerPool", options.name)
    }
  })
