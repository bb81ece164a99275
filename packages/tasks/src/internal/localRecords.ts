import * as Fifo from "@fiberkit/sync/Fifo"
import { RankedLine } from "@fiberkit/sync/RankedLine"
import * as Effect from "effect/Effect"
import type * as Api from "../TaskStore.js"

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** A record as a local store holds it: changed in place once a change is written. @internal */
export type Stored = Mutable<Api.TaskRecord>

/**
 * A change of the store, made and reported in one piece: its caller cannot be interrupted between
 * the change and its result (a cancel made, then reported as interrupted, would lie). The changes
 * wait for nothing but a write, which is uninterruptible anyway.
 *
 * @internal
 */
export const atomically = <A, E>(change: () => Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.uninterruptible(Effect.suspend(change))

/** @internal */
export const noop = (): void => {}

/** A new task's record, queued. @internal */
export const newRecord = (task: Api.NewTask): Stored => ({
  id: task.id,
  name: task.name,
  args: task.args,
  state: "queued",
  priority: task.priority ?? 0,
  attempts: 0,
  failures: 0,
  addedAt: task.addedAt,
  startedAt: undefined,
  finishedAt: undefined,
  error: undefined,
  runAt: task.runAt,
  progress: undefined,
  replays: 0,
  trace: task.trace
})

/** A copy of a record, every field written out (one object shape for every record). @internal */
export const copyOf = (record: Api.TaskRecord): Stored => ({
  id: record.id,
  name: record.name,
  args: record.args,
  state: record.state,
  priority: record.priority,
  attempts: record.attempts,
  failures: record.failures,
  addedAt: record.addedAt,
  startedAt: record.startedAt,
  finishedAt: record.finishedAt,
  error: record.error,
  runAt: record.runAt,
  progress: record.progress,
  replays: record.replays,
  trace: record.trace
})

/** Memory takes a record's new state (the fields a change of state writes). @internal */
export const adopt = (record: Stored, next: Api.TaskRecord): void => {
  record.state = next.state
  record.attempts = next.attempts
  record.failures = next.failures
  record.startedAt = next.startedAt
  record.finishedAt = next.finishedAt
  record.error = next.error
  record.progress = next.progress
  record.replays = next.replays
}

/** The entries of `line` that `keep` holds, in the same order (each live record's rank is `-priority`). @internal */
export const rebuilt = (line: RankedLine<Stored>, keep: (record: Stored) => boolean): RankedLine<Stored> => {
  const kept = new RankedLine<Stored>()
  while (line.length > 0) {
    const record = line.shift()
    if (keep(record)) kept.push(record, -record.priority)
  }
  return kept
}

/** Whether a record matches a `list` filter. @internal */
export const matches = (record: Api.TaskRecord, filter: Api.ListFilter | undefined): boolean =>
  (filter?.state === undefined || record.state === filter.state) &&
  (filter?.name === undefined || record.name === filter.name)

/** The `limit` of a `list` filter: 1,000 by default. @internal */
export const limitOf = (filter: Api.ListFilter | undefined): number => filter?.limit ?? 1_000

/** The records `filter` selects, in the order given, at most its `limit`. @internal */
export const listed = (
  records: Iterable<Api.TaskRecord>,
  filter: Api.ListFilter | undefined
): Array<Api.TaskRecord> => {
  const found: Array<Api.TaskRecord> = []
  const limit = limitOf(filter)
  for (const record of records) {
    if (found.length >= limit) break
    if (matches(record, filter)) found.push(copyOf(record))
  }
  return found
}

/** The finished tasks a store without persistence keeps for `get`, oldest first. @internal */
export class FinishedTasks {
  private readonly ids = new Fifo.Fifo<string>()

  /** `id` ended: past twice `retain` kept, the oldest are forgotten down to `retain`. */
  ended(id: string, records: Map<string, Stored>, retain: number): void {
    this.ids.push(id)
    if (this.ids.length <= retain * 2) return
    while (this.ids.length > retain) {
      const old = this.ids.shift()
      // (a task replayed since it ended is not forgotten)
      const state = records.get(old)?.state
      if (state !== "queued" && state !== "running") records.delete(old)
    }
  }
}
