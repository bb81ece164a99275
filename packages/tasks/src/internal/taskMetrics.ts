import type * as Telemetry from "@fiberkit/sync/Telemetry"
import type * as TaskStore from "../TaskStore.js"

const outcomes: Record<string, Telemetry.Outcome> = {
  succeeded: "succeeded",
  failed: "failed",
  cancelled: "interrupted",
  unknown: "failed"
}

/**
 * A task manager's metrics (`Telemetry`, source `TaskManager`, attribute `task`: the definition):
 * `fiberkit_pending` counts the tasks this manager added (`+`) and the tasks its workers took or a
 * cancel ended while queued (`−`) — on a store shared by managers (or BullMQ's processes) the sum
 * over their groups is the store's queue; `fiberkit_running` the tasks its workers hold;
 * `fiberkit_wait_time` from when a task could first run (its `runAt`, else its add) to its start;
 * `fiberkit_run_time` from its start to its end (retries included); `fiberkit_outcomes_total`
 * each outcome this manager published (`cancelled` counts as `interrupted`). (`fiberkit_limit`,
 * its concurrency, is set on the manager's own instrument, without `task`, when it is made.)
 *
 * @internal
 */
export class TaskMetrics {
  constructor(private readonly instrument: Telemetry.Instrument) {}

  static of(instrument: Telemetry.Instrument | undefined): TaskMetrics | undefined {
    return instrument === undefined ? undefined : new TaskMetrics(instrument)
  }

  /** `count` tasks of `name` were stored by an add of this manager. */
  added(name: string, count: number): void {
    if (count > 0) this.instrument.forTask(name).queued(count)
  }

  /** Tasks a previous run left unfinished, taken over at start: waiting (queued, or put back from running). */
  recovered(tasks: ReadonlyArray<Pick<TaskStore.TaskRecord, "name">>): void {
    for (const task of tasks) this.added(task.name, 1)
  }

  /** A worker here took the task, which starts now. */
  taken(record: Pick<TaskStore.TaskRecord, "name" | "addedAt" | "runAt" | "startedAt">): void {
    const instrument = this.instrument.forTask(record.name)
    instrument.dequeued()
    const since = record.runAt ?? record.addedAt
    instrument.started(Math.max(0, (record.startedAt ?? since) - since))
  }

  /** A task taken here went back to the queue (a shutdown stopped it). */
  putBack(name: string): void {
    const instrument = this.instrument.forTask(name)
    instrument.stopped()
    instrument.queued()
  }

  /** A task ended in `state`: held by a worker here (it ran from `startedAt`), or still queued. */
  ended(
    name: string,
    state: string,
    held: boolean,
    times: { readonly startedAt: number | undefined; readonly finishedAt: number }
  ): void {
    const instrument = this.instrument.forTask(name)
    if (held) {
      instrument.stopped()
      if (times.startedAt !== undefined) instrument.ran(Math.max(0, times.finishedAt - times.startedAt))
    } else {
      instrument.dequeued()
    }
    instrument.ended(outcomes[state] ?? "failed")
  }
}
