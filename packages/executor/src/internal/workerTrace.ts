import type * as Clock from "effect/Clock"
import { Clock as ClockRef } from "effect/Clock"
import * as Context from "effect/Context"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as References from "effect/References"
import * as Tracer from "effect/Tracer"

/** Attribute keys of the spans a WorkerPool opens for a call. @internal */
export const ATTRIBUTES = {
  pool: "fiberkit.pool.name",
  task: "fiberkit.task.name",
  worker: "fiberkit.worker.slot"
} as const

const zero = BigInt(0)
const thousand = BigInt(1000)

/**
 * The spans of one call submitted under a span (no span, no `CallTrace`: a call pays nothing):
 * `WorkerPool.call <task>`, a child of the submitter's span, from the submission until the call
 * settles, with its exit; and its child `WorkerPool.wait`, from the submission until the call
 * starts on a worker thread (or settles without starting, with the call's exit). The call span's
 * ids cross to the worker thread, whose task runs under them (see `Protocol.RUN`).
 *
 * When the call starts: as reported by its reply (the reply's arrival less the run time the worker
 * measured), or else when the pool learned that the worker took it up (it was sent to a worker
 * holding none, or the reply for the call before it arrived); a call taken back before it started
 * waits again. Both spans end when the call settles, whatever settles it: nothing is left open.
 *
 * Spans are made as `Effect.withSpan` makes them: with the submitter's tracer, clock (unless
 * `TracerTimingEnabled` is off), span annotations and links; sampled as the submitter's span is.
 *
 * @internal
 */
export class CallTrace {
  /** When the call started, in the clock's nanoseconds; `undefined` while it has not. */
  private startedAt: bigint | undefined = undefined

  private constructor(
    readonly call: Tracer.Span,
    private readonly wait: Tracer.Span,
    private readonly clock: Clock.Clock | undefined,
    /** When it was submitted: the start of both spans. */
    private readonly queuedAt: bigint
  ) {}

  /** The spans of a call of `task` submitted by `caller`; `undefined` when it has no span to propagate. */
  static of(caller: Fiber.Fiber<unknown, unknown>, task: string, pool: string | undefined): CallTrace | undefined {
    const parent = caller.cache.span
    if (parent === undefined || !caller.cache.tracerEnabled) return undefined
    if (Context.get(parent.annotations, Tracer.DisablePropagation)) return undefined
    const tracer = caller.getRef(Tracer.Tracer)
    const clock = caller.getRef(References.TracerTimingEnabled) ? caller.getRef(ClockRef) : undefined
    const startTime = clock === undefined ? zero : clock.currentTimeNanosUnsafe()
    const annotations = caller.getRef(References.TracerSpanAnnotations)
    const open = (name: string, of: Tracer.AnySpan, links: Array<Tracer.SpanLink>): Tracer.Span => {
      const span = tracer.span({
        name,
        parent: Option.some(of),
        annotations: Context.empty(),
        links,
        startTime,
        kind: "internal",
        root: false,
        sampled: parent.sampled
      })
      for (const key in annotations) span.attribute(key, annotations[key])
      span.attribute(ATTRIBUTES.task, task)
      if (pool !== undefined) span.attribute(ATTRIBUTES.pool, pool)
      return span
    }
    const call = open(`WorkerPool.call ${task}`, parent, caller.getRef(References.TracerSpanLinks).slice())
    return new CallTrace(call, open("WorkerPool.wait", call, []), clock, startTime)
  }

  private now(): bigint {
    return this.clock === undefined ? zero : this.clock.currentTimeNanosUnsafe()
  }

  /** Sent to the worker in `slot` (again, if it was taken back from another). */
  sentTo(slot: number): void {
    safely(() => this.call.attribute(ATTRIBUTES.worker, slot))
  }

  /** The worker has taken it up, as far as the pool knows (its reply may tell more precisely). */
  started(): void {
    this.startedAt ??= this.now()
  }

  /** Taken back before it started: it waits again. */
  unstarted(): void {
    this.startedAt = undefined
  }

  /** Its reply arrived: it ran for `micros` (as the worker measured), up to now. */
  ran(micros: number): void {
    const start = this.now() - BigInt(Math.round(micros)) * thousand
    // never before it was submitted, nor after the moment the pool saw it start
    const estimate = start < this.queuedAt ? this.queuedAt : start
    if (this.startedAt === undefined || estimate < this.startedAt) this.startedAt = estimate
  }

  /** The call has settled with `exit`: both spans end. */
  end(exit: Exit.Exit<unknown, unknown>): void {
    const now = this.now()
    const startedAt = this.startedAt
    safely(() => this.wait.end(startedAt === undefined ? now : startedAt, startedAt === undefined ? exit : Exit.void))
    safely(() => this.call.end(now, exit))
  }
}

/**
 * Runs a call into the user's tracer: one that throws loses its span, never the pool's bookkeeping
 * (these run while the pool dispatches or settles a call).
 */
const safely = (f: () => void): void => {
  try {
    f()
  } catch {
    // the span is the tracer's to lose
  }
}

/** The flat entries a RUN message carries for a traced call: seq, traceId, spanId, sampled. @internal */
export const TRACE_STRIDE = 4

/** Appends what the worker needs of `trace` for the call numbered `seq` to `traces`. @internal */
export const pushTrace = (traces: Array<unknown>, seq: number, trace: CallTrace): void => {
  traces.push(seq, trace.call.traceId, trace.call.spanId, trace.call.sampled)
}

/** The trace entries of `traces` for the call numbered `seq`; `undefined` if it has none. @internal */
export const traceOf = (traces: ReadonlyArray<unknown>, seq: number): Array<unknown> | undefined => {
  for (let at = 0; at < traces.length; at += TRACE_STRIDE) {
    if (traces[at] === seq) return traces.slice(at, at + TRACE_STRIDE)
  }
  return undefined
}

/**
 * The worker side: the parent span of each call of a RUN message sent under a span, by its
 * number, until it is taken (started or skipped).
 *
 * @internal
 */
export class ParentSpans {
  private readonly bySeq = new Map<number, Tracer.ExternalSpan>()

  add(traces: ReadonlyArray<unknown>): void {
    for (let at = 0; at < traces.length; at += TRACE_STRIDE) {
      this.bySeq.set(
        traces[at] as number,
        Tracer.externalSpan({
          traceId: traces[at + 1] as string,
          spanId: traces[at + 2] as string,
          sampled: traces[at + 3] as boolean
        })
      )
    }
  }

  /** The parent span of the call numbered `seq`, forgotten here; `undefined` if it has none. */
  take(seq: number): Tracer.ExternalSpan | undefined {
    if (this.bySeq.size === 0) return undefined
    const span = this.bySeq.get(seq)
    if (span !== undefined) this.bySeq.delete(seq)
    return span
  }
}
