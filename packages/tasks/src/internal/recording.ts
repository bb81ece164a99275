import * as Recorder from "@fiberkit/sync/Recorder"
import type * as Exit from "effect/Exit"
import type * as TaskStore from "../TaskStore.js"

/** When an attempt waited from, and when it started, on the recorder's clock. @internal */
export interface Span {
  readonly queuedAt: number
  readonly startedAt: number
}

/**
 * What a manager made under a recorder reports: each attempt of each task, on the lane of the
 * worker (the manager's concurrency slot, `worker 0` … `worker <workers - 1>`) that ran it.
 * @internal
 */
export class TaskRecording {
  constructor(readonly recorder: Recorder.Recorder, readonly group: string) {}

  /**
   * The first attempt starts now, as the worker takes the task. It was runnable since it was
   * added: the store's own times give how long it waited, so a task added by another process, or
   * recovered from an earlier one, waited since then.
   */
  taken(record: TaskStore.TaskRecord): Span {
    const startedAt = this.recorder.now()
    const waited = Math.max(0, (record.startedAt ?? record.addedAt) - record.addedAt)
    return { queuedAt: startedAt - waited, startedAt }
  }

  /** A retry: due when its delay ended, which is when its worker starts it (the worker holds it meanwhile). */
  retry(): Span {
    const startedAt = this.recorder.now()
    return { queuedAt: startedAt, startedAt }
  }

  record(record: TaskStore.TaskRecord, slot: number, span: Span, exit: Exit.Exit<unknown, unknown>): void {
    this.recorder.record({
      source: "TaskManager",
      group: this.group,
      lane: `worker ${slot}`,
      label: `${record.name}#${record.id}`,
      queuedAt: span.queuedAt,
      startedAt: span.startedAt,
      endedAt: this.recorder.now(),
      outcome: Recorder.outcomeOf(exit)
    })
  }
}
