import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"
import type * as TaskStore from "../TaskStore.js"

/** Attribute keys of the spans of a task. @internal */
export const ATTRIBUTES = {
  id: "fiberkit.task.id",
  name: "fiberkit.task.name",
  attempt: "fiberkit.task.attempt"
} as const

const NANOS_PER_MILLI = BigInt(1_000_000)

/**
 * Runs `add` — the adding of tasks of definition `name` — under a producer span
 * `TaskManager.add <name>` when the caller runs under a span (and propagates it), handing it
 * the ids the tasks keep (`TaskRecord.trace`): their spans, wherever they run, are its children.
 * Without a span, no span is made and the tasks keep nothing.
 *
 * @internal
 */
export const producing = <A, E, R>(
  name: string,
  add: (trace: TaskStore.TaskTrace | undefined) => Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  Effect.flatMap(
    Effect.all([Effect.option(Effect.currentParentSpan), Effect.service(Tracer.DisablePropagation)]),
    ([parent, disabled]) =>
      Option.isNone(parent) || disabled ? add(undefined) : Effect.withSpan(
        Effect.flatMap(
          Effect.orDie(Effect.currentSpan),
          (span) => add({ traceId: span.traceId, spanId: span.spanId, sampled: span.sampled })
        ),
        `TaskManager.add ${name}`,
        { kind: "producer", attributes: { [ATTRIBUTES.name]: name } }
      )
  )

/**
 * One attempt of a traced task, under the span `TaskManager.run <name>`, a child of the add's
 * span (carried by the record: through memory, SQLite or a BullMQ job); untraced otherwise. The
 * attempt that starts a take is preceded by `TaskManager.wait <name>`: from when the task could
 * first be taken (its `runAt`, else when it was added) to the attempt's start.
 *
 * @internal
 */
export const running = <A, E, R>(
  record: {
    readonly id: string
    readonly name: string
    readonly trace: TaskStore.TaskTrace | undefined
    readonly addedAt: number
    readonly runAt: number | undefined
  },
  attempt: number,
  waitedUntil: number | undefined,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> => {
  const trace = record.trace
  if (trace === undefined) return effect
  const parent = Tracer.externalSpan(trace)
  const attributes = { [ATTRIBUTES.id]: record.id, [ATTRIBUTES.name]: record.name, [ATTRIBUTES.attempt]: attempt }
  const run = Effect.withSpan(effect, `TaskManager.run ${record.name}`, { parent, kind: "consumer", attributes })
  if (waitedUntil === undefined) return run
  const from = Math.min(waitedUntil, Math.max(record.addedAt, record.runAt ?? record.addedAt))
  return Effect.andThen(
    Effect.flatMap(Effect.tracer, (tracer) =>
      Effect.sync(() => {
        const span = tracer.span({
          name: `TaskManager.wait ${record.name}`,
          parent: Option.some(parent),
          annotations: parent.annotations,
          links: [],
          startTime: BigInt(from) * NANOS_PER_MILLI,
          kind: "internal",
          root: false,
          sampled: trace.sampled
        })
        span.attribute(ATTRIBUTES.id, record.id)
        span.attribute(ATTRIBUTES.name, record.name)
        span.end(BigInt(waitedUntil) * NANOS_PER_MILLI, Exit.void)
      })),
    run
  )
}
