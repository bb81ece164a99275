import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { InvalidTaskArgs, TaskDefect, TaskInterrupted, TaskTimeout, UnknownTask } from "../../Errors.js"
import type * as TaskManager from "../../TaskManager.js"
import type * as TaskStore from "../../TaskStore.js"
import { textOf } from "../text.js"

type Definition = TaskManager.TaskDefinition.Any

/**
 * How an attempt's failure is written in the job's `failedReason`: JSON, so that the process
 * reading `results` gets the typed error back, and `status` its text.
 *
 * @internal
 */
export interface Failure {
  readonly fiberkit: "failure" | "defect" | "cancelled"
  readonly text: string
  /**
   * A cancel that ended the job when a worker took it, before any attempt of that take started
   * (the cancel's mark, or a cancel this process heard of first): BullMQ counted that take as an
   * attempt started, the task's record does not.
   */
  readonly unstarted?: true | undefined
  /**
   * The error, encoded: one of the manager's own (a Schema class: `ManagerFailures`), by the
   * task's `failure` Schema, or as plain data.
   */
  readonly error?:
    | { readonly manager: unknown }
    | {
      readonly schema: unknown
    }
    | { readonly plain: unknown }
    | undefined
}

/** @internal */
export const cancelledFailure: Failure = { fiberkit: "cancelled", text: "cancelled" }

/** The mark of a cancel, which ends the job when a worker takes it, unrun. @internal */
export const cancelMark: Failure = { fiberkit: "cancelled", text: "cancelled", unstarted: true }

/** The manager's own failures: Schema classes, which encode and decode as themselves. */
const ManagerFailures = Schema.Union([TaskTimeout, TaskInterrupted, InvalidTaskArgs, UnknownTask, TaskDefect])
const isManagerFailure = Schema.is(ManagerFailures)
const encodeManagerFailure = Schema.encodeUnknownEffect(ManagerFailures)
const decodeManagerFailure = Schema.decodeUnknownEffect(ManagerFailures)

/**
 * An error as plain JSON data: its tag, message and own fields; its tag and its text when those
 * do not survive JSON (a `bigint`, a cycle). Never throws: the failure must reach the queue.
 */
const plain = (error: unknown): unknown => {
  const data: Record<string, unknown> = typeof error === "object" && error !== null
    ? { ...(error as Record<string, unknown>) }
    : { value: error }
  if (typeof error === "object" && error !== null && "_tag" in error) data._tag = (error as { _tag: unknown })._tag
  if (error instanceof Error) data.message = error.message
  try {
    const json = JSON.stringify(typeof error === "object" && error !== null ? data : error)
    return json === undefined ? undefined : JSON.parse(json)
  } catch {
    return { _tag: typeof data._tag === "string" ? data._tag : undefined, message: textOf(error) }
  }
}

/** @internal */
export const encodeFailure = (
  definition: Definition | undefined,
  error: unknown,
  text: string
): Effect.Effect<Failure> => {
  if (isManagerFailure(error)) {
    return encodeManagerFailure(error).pipe(
      Effect.map((manager): Failure => ({ fiberkit: "failure", text, error: { manager } })),
      Effect.orElseSucceed((): Failure => ({ fiberkit: "failure", text, error: { plain: plain(error) } }))
    )
  }
  if (definition?.failure !== undefined) {
    return Schema.encodeUnknownEffect(definition.failure)(error).pipe(
      Effect.map((schema): Failure => ({ fiberkit: "failure", text, error: { schema } })),
      Effect.catchCause((cause) =>
        Effect.as(
          Effect.logWarning("a task's failure Schema could not encode its error: it is sent as plain data", cause),
          { fiberkit: "failure", text, error: { plain: plain(error) } } satisfies Failure
        )
      )
    )
  }
  return Effect.succeed({ fiberkit: "failure", text, error: { plain: plain(error) } })
}

/** A defect of task `id` (not retried): a `TaskDefect`, so that it reads the same in every process. @internal */
export const encodeDefect = (id: string, defect: unknown, text: string): Effect.Effect<Failure> =>
  encodeManagerFailure(new TaskDefect({ id, defect })).pipe(
    Effect.map((manager): Failure => ({ fiberkit: "defect", text, error: { manager } })),
    Effect.orElseSucceed((): Failure => ({ fiberkit: "defect", text }))
  )

/** The failure in a `failedReason`; a reason BullMQ wrote itself (a stalled job) is a defect. @internal */
export const parseFailure = (reason: string | undefined): Failure | undefined => {
  if (reason === undefined || reason === "") return undefined
  try {
    const parsed = JSON.parse(reason) as Failure
    if (typeof parsed === "object" && parsed !== null && typeof parsed.fiberkit === "string") return parsed
  } catch {
    // not ours
  }
  return { fiberkit: "defect", text: reason }
}

/**
 * The typed error back from a failure, as `results` publishes it: a defect (which BullMQ may write
 * itself, e.g. for a stalled job) is a `TaskDefect` of task `id`. @internal
 */
export const decodeFailure = (
  definition: Definition | undefined,
  failure: Failure,
  id: string
): Effect.Effect<unknown> => {
  const error = failure.error
  if (error === undefined) return Effect.succeed(new TaskDefect({ id, defect: new Error(failure.text) }))
  if ("manager" in error) return Effect.orElseSucceed(decodeManagerFailure(error.manager), () => error.manager)
  if ("schema" in error && definition?.failure !== undefined) {
    return Effect.orElseSucceed(Schema.decodeUnknownEffect(definition.failure)(error.schema), () => error.schema)
  }
  // plain data; or a failure written by an older version (its built-in errors as `builtin` and `fields`)
  return Effect.succeed("plain" in error ? error.plain : "schema" in error ? error.schema : error)
}

/** A job's return value: the task's value, encoded, in a box (so that `undefined` survives JSON). @internal */
export interface Returned {
  readonly value?: unknown
}

/**
 * Without a `success` Schema a value goes as JSON: one JSON cannot hold (a `bigint`, a cycle) is a
 * defect of the attempt, so that the task ends (BullMQ would otherwise retry its failed save).
 *
 * @internal
 */
export const encodeValue = (definition: Definition, value: unknown): Effect.Effect<Returned> =>
  definition.success === undefined
    ? Effect.try({
      try: () => {
        // BullMQ serialises the value again: only what may fail (a bigint, an object) is tried here
        if (typeof value === "bigint" || (typeof value === "object" && value !== null)) JSON.stringify(value)
        return value === undefined ? {} : { value }
      },
      catch: (cause) => new Error(`the task's value cannot be sent as JSON (give it a success Schema)`, { cause })
    }).pipe(Effect.orDie)
    : Effect.map(Schema.encodeUnknownEffect(definition.success)(value), (encoded) => ({ value: encoded })).pipe(
      Effect.orDie
    )

/** @internal */
export const decodeValue = (definition: Definition | undefined, returned: unknown): Effect.Effect<unknown> => {
  const value = typeof returned === "object" && returned !== null ? (returned as Returned).value : undefined
  if (definition?.success === undefined || value === undefined) return Effect.succeed(value)
  return Effect.orElseSucceed(Schema.decodeUnknownEffect(definition.success)(value), () => value)
}

/** The state a BullMQ job state stands for. @internal */
export const stateOf = (state: string, failure: Failure | undefined): TaskStore.TaskState => {
  switch (state) {
    case "active":
      return "running"
    case "completed":
      return "succeeded"
    case "failed":
      return failure?.fiberkit === "cancelled" ? "cancelled" : "failed"
    default:
      // a queued task cancelled: no worker will run it
      return failure?.fiberkit === "cancelled" ? "cancelled" : "queued"
  }
}
