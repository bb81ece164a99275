import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { InvalidTaskArgs, TaskInterrupted, TaskTimeout, UnknownTask } from "../../Errors.js"
import type * as TaskManager from "../../TaskManager.js"
import type * as TaskStore from "../../TaskStore.js"

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
  /** The error, encoded: by a built-in class, by the task's `failure` Schema, or as plain data. */
  readonly error?:
    | { readonly builtin: string; readonly fields: unknown }
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

const builtins: Record<string, new(fields: never) => unknown> = {
  TaskTimeout,
  TaskInterrupted,
  InvalidTaskArgs,
  UnknownTask
}

/** An error as plain JSON data: its tag, message and own fields. */
const plain = (error: unknown): unknown => {
  if (typeof error !== "object" || error === null) return error
  const data: Record<string, unknown> = { ...(error as Record<string, unknown>) }
  if ("_tag" in error) data._tag = (error as { _tag: unknown })._tag
  if (error instanceof Error) data.message = error.message
  return JSON.parse(JSON.stringify(data))
}

/** @internal */
export const encodeFailure = (
  definition: Definition | undefined,
  error: unknown,
  text: string
): Effect.Effect<Failure> => {
  const tag = typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : undefined
  if (tag !== undefined && builtins[tag] !== undefined && error instanceof (builtins[tag] as never)) {
    return Effect.succeed({ fiberkit: "failure", text, error: { builtin: tag, fields: plain(error) } })
  }
  if (definition?.failure !== undefined) {
    return Schema.encodeUnknownEffect(definition.failure)(error).pipe(
      Effect.map((schema): Failure => ({ fiberkit: "failure", text, error: { schema } })),
      Effect.orElseSucceed((): Failure => ({ fiberkit: "failure", text, error: { plain: plain(error) } }))
    )
  }
  return Effect.succeed({ fiberkit: "failure", text, error: { plain: plain(error) } })
}

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

/** The typed error back from a failure, as `results` publishes it. @internal */
export const decodeFailure = (definition: Definition | undefined, failure: Failure): Effect.Effect<unknown> => {
  const error = failure.error
  if (error === undefined) return Effect.succeed(new Error(failure.text))
  if ("builtin" in error) {
    const Class = builtins[error.builtin]
    return Effect.succeed(Class === undefined ? error.fields : new Class(error.fields as never))
  }
  if ("schema" in error && definition?.failure !== undefined) {
    return Effect.orElseSucceed(Schema.decodeUnknownEffect(definition.failure)(error.schema), () => error.schema)
  }
  return Effect.succeed("plain" in error ? error.plain : error.schema)
}

/** A job's return value: the task's value, encoded, in a box (so that `undefined` survives JSON). @internal */
export interface Returned {
  readonly value?: unknown
}

/** @internal */
export const encodeValue = (definition: Definition, value: unknown): Effect.Effect<Returned> =>
  definition.success === undefined
    ? Effect.succeed(value === undefined ? {} : { value })
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
