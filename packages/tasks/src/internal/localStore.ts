import * as Fifo from "@fiberkit/sync/Fifo"
import * as Handoff from "@fiberkit/sync/Handoff"
import { RankedLine } from "@fiberkit/sync/RankedLine"
import { WaitQueue } from "@fiberkit/sync/WaitQueue"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { TaskStoreError } from "../Errors.js"
import type * as Api from "../TaskStore.js"
import type { Persistence } from "./localPersistence.js"

type Mutable<T> = { -readonly [K in keyof T]: T[K] }
type Stored = Mutable<Api.TaskRecord>

/**
 * A change of the store, made and reported in one piece: its caller cannot be interrupted between
 * the change and its result (a cancel made, then reported as interrupted, would lie). The changes
 * wait for nothing but a write, which is uninterruptible anyway.
 */
const atomically = <A, E>(change: () => Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.uninterruptible(Effect.suspend(change))

/**
 * A store for one process: the queue lives in memory, and every change is written to a
 * `Persistence` first — memory takes a change only once its write succeeded, so a write that
 * fails leaves memory as the disk is. Finished tasks are dropped from memory when the
 * persistence can find them again.
 *
 * Invariants:
 * - a task whose change of state is being written is in `changing`: no other change of state
 *   starts on it meanwhile (a take or a cancel of it sees it as not queued);
 * - every queued task that is not `changing` has an entry in `returned` or `queued`: its record
 *   object, so that an entry left by a task that ended (cancelled while queued) is never taken
 *   for a new task of the same id. Such a stale entry is skipped when it comes up; they are
 *   counted, and the lines are rebuilt without them once they outnumber the live ones, so that
 *   tasks cancelled under a steady flow of higher priorities do not pile up. Whoever takes a task out of
 *   the lines and then fails to change it puts it back, in `returned`; the entry of a task whose
 *   cancel is being written stays in its line, and a claim that drops it meanwhile notes it in
 *   `skipped`, so that a cancel that fails puts it back;
 * - no taker waits while a task can be taken: each change that makes a task takeable serves the
 *   waiting takers, handing each one its task directly.
 *
 * @internal
 */
export class LocalStore implements Api.TaskStore {
  private readonly records = new Map<string, Stored>()
  /**
   * Tasks put back (stopped by a shutdown, or a take that failed): taken before the tasks of
   * `queued` of their priority or lower. Both lines hold records by rank `-priority` (the
   * highest priority first; see `RankedLine`).
   */
  private returned = new RankedLine<Stored>()
  /** Tasks added (or recovered), in the order they are taken. */
  private queued = new RankedLine<Stored>()
  /** Entries of `returned` and `queued` whose task was cancelled (an upper bound). */
  private stale = 0
  private readonly takers = new WaitQueue<Handoff.Waiter<Stored>>()
  private readonly changing = new Set<string>()
  /** Queued tasks whose entry a claim dropped while a cancel of theirs was being written. */
  private readonly skipped = new Set<string>()
  /** The start time of each task's attempt before its take, while the take's attempt may not start. */
  private readonly startedBefore = new Map<string, number | undefined>()
  /** Finished tasks kept for `get` by a store without persistence, oldest first. */
  private readonly finished = new Fifo.Fifo<string>()

  constructor(private readonly persistence: Persistence | undefined, private readonly retain = 10_000) {}

  /** A store without persistence keeps the last `retain` finished tasks; older ones are forgotten. */
  private ended(id: string): void {
    if (this.persistence !== undefined) {
      this.records.delete(id)
      return
    }
    this.finished.push(id)
    if (this.finished.length > this.retain * 2) {
      while (this.finished.length > this.retain) this.records.delete(this.finished.shift())
    }
  }

  /**
   * The next takeable task — the highest priority first; of one priority, a task put back, then
   * the oldest — out of the lines and marked `changing`; `undefined` if none.
   */
  private claim(): Stored | undefined {
    for (;;) {
      const returned = this.returned.firstRank
      const queued = this.queued.firstRank
      if (returned === undefined && queued === undefined) return undefined
      const line = queued === undefined || (returned !== undefined && returned <= queued) ? this.returned : this.queued
      const record = line.shift()
      if (this.records.get(record.id) !== record || record.state !== "queued") {
        if (this.stale > 0) this.stale--
        continue
      }
      if (this.changing.has(record.id)) {
        // a cancel is being written: its entry is gone from the line, should the write fail
        this.skipped.add(record.id)
        continue
      }
      this.changing.add(record.id)
      return record
    }
    return undefined
  }

  /** Hands takeable tasks to the waiting takers, the longest waiting first. */
  private serve(): void {
    for (let taker = this.takers.first; taker !== undefined; taker = this.takers.first) {
      const record = this.claim()
      if (record === undefined) return
      taker.grant(record)
    }
  }

  /** A task that is queued again, before the tasks of its priority. */
  private putBack(id: string): void {
    this.changing.delete(id)
    const record = this.records.get(id)
    if (record !== undefined) this.returned.push(record, -record.priority)
    this.serve()
  }

  /** A cancelled task's entry stays in its line: once stale entries outnumber the live ones, the lines drop them. */
  private staled(): void {
    if (++this.stale * 2 <= this.entries) return
    const live = (record: Stored) => this.records.get(record.id) === record && record.state === "queued"
    this.returned = rebuilt(this.returned, live)
    this.queued = rebuilt(this.queued, live)
    this.stale = 0
  }

  /** How many entries the lines hold, stale ones included. @internal */
  get entries(): number {
    return this.returned.length + this.queued.length
  }

  /**
   * Writes `next` as the task's new state; memory takes it once the write succeeded. Runs
   * uninterruptibly: a write that started is seen to its end. `failed` runs if the write failed.
   * Called in the step that checked the change may be made: without persistence, memory takes
   * it at once, in that step.
   */
  private change<A>(
    record: Stored,
    next: Api.TaskRecord,
    written: () => A,
    failed: () => void
  ): Effect.Effect<A, TaskStoreError> {
    if (this.persistence === undefined) {
      // nothing to write: the change is made now, in the step that checked it could be made (a
      // claimed task was marked changing by its claim)
      this.changing.delete(record.id)
      adopt(record, next)
      return Effect.succeed(written())
    }
    this.changing.add(record.id)
    return Effect.uninterruptible(Effect.matchEffect(this.persistence.update(next), {
      onFailure: (error) =>
        Effect.suspend(() => {
          this.changing.delete(record.id)
          failed()
          return Effect.fail(error)
        }),
      onSuccess: () =>
        Effect.sync(() => {
          this.changing.delete(record.id)
          adopt(record, next)
          return written()
        })
    }))
  }

  readonly add = (tasks: ReadonlyArray<Api.NewTask>): Effect.Effect<number, TaskStoreError> =>
    atomically(() => {
      const fresh = new Map<string, Stored>()
      for (const task of tasks) {
        if (this.records.has(task.id) || fresh.has(task.id)) continue
        fresh.set(task.id, {
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
          error: undefined
        })
      }
      const records = [...fresh.values()]
      // an id held in memory is skipped here, one held only on disk (a finished task) by the insert
      const stored = this.persistence === undefined
        ? Effect.succeed(records)
        : Effect.map(this.persistence.insert(records), (inserted) => records.filter((r) => inserted.has(r.id)))
      return Effect.map(stored, (added) => {
        let count = 0
        for (const record of added) {
          // added meanwhile by another fiber (without persistence, nothing else checks)
          if (this.records.has(record.id)) continue
          this.records.set(record.id, record)
          this.queued.push(record, -record.priority)
          count++
        }
        this.serve()
        return count
      })
    }).pipe(Effect.uninterruptible)

  /**
   * Takes the first takeable task (see `claim`), or waits in line for one: a waiter is handed its task
   * directly, marked `changing`, and then writes it running. Only the wait is interruptible,
   * whatever the caller's region: a caller that is uninterruptible (a worker) owns the task it
   * gets back, with no gap for an interruption between the store and itself. A waiter
   * interrupted after it was handed a task puts the task back; a write that fails puts it back too.
   */
  readonly take: Effect.Effect<Api.TaskRecord, TaskStoreError> = Effect.uninterruptible(
    Effect.suspend(() => {
      const record = this.takers.size === 0 ? this.claim() : undefined
      if (record !== undefined) return this.start(record)
      const waiter = new Handoff.Waiter<Stored>(this.takers)
      this.takers.push(waiter)
      return Effect.flatMap(
        waiter.wait(Effect.interruptible, { onLost: (lost) => this.putBack(lost.id) }),
        (granted) => this.start(granted)
      )
    })
  )

  /** A claimed task starts its next attempt now. */
  private start(record: Stored): Effect.Effect<Api.TaskRecord, TaskStoreError> {
    return Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const next = copyOf(record)
      next.state = "running"
      next.attempts++
      next.startedAt = now
      const before = record.startedAt
      return this.change(record, next, () => {
        this.startedBefore.set(record.id, before)
        return copyOf(next)
      }, () => this.putBack(record.id))
    })
  }

  readonly failed = (id: string, error: string): Effect.Effect<void, TaskStoreError> =>
    this.update(id, (next) => {
      next.failures++
      next.error = error
    })

  readonly attempt = (id: string, at: number): Effect.Effect<void, TaskStoreError> =>
    this.update(id, (next) => {
      this.startedBefore.delete(id)
      next.attempts++
      next.startedAt = at
    })

  /** A change of a running task that keeps it running. */
  private update(id: string, change: (next: Stored) => void): Effect.Effect<void, TaskStoreError> {
    return atomically(() => {
      const record = this.records.get(id)
      if (record === undefined) return Effect.void
      const next = copyOf(record)
      change(next)
      return this.change(record, next, noop, noop)
    })
  }

  readonly finish = (id: string, outcome: Api.Outcome): Effect.Effect<void, TaskStoreError> =>
    atomically(() => {
      const record = this.records.get(id)
      if (record === undefined) return Effect.void
      const next = copyOf(record)
      next.state = outcome.state
      next.finishedAt = outcome.at
      if (outcome.state === "failed") next.failures++
      if (outcome.error !== undefined) next.error = outcome.error
      if (outcome.unstarted === true) this.uncount(next)
      return this.change(record, next, () => {
        this.startedBefore.delete(id)
        this.ended(id)
      }, noop)
    })

  readonly cancel = (id: string, at: number): Effect.Effect<boolean, TaskStoreError> =>
    atomically(() => {
      const record = this.records.get(id)
      if (record === undefined || record.state !== "queued" || this.changing.has(id)) return Effect.succeed(false)
      // a failed cancel leaves its entry where it was — or puts it back, if a claim dropped it
      const next = copyOf(record)
      next.state = "cancelled"
      next.finishedAt = at
      return this.change(record, next, () => {
        // its entry is still in line, unless a claim dropped it meanwhile
        if (!this.skipped.delete(id)) this.staled()
        this.ended(id)
        return true
      }, () => {
        if (this.skipped.delete(id)) this.putBack(id)
      })
    })

  readonly release = (id: string, unstarted?: boolean): Effect.Effect<void, TaskStoreError> =>
    atomically(() => {
      const record = this.records.get(id)
      if (record === undefined || record.state !== "running" || this.changing.has(id)) return Effect.void
      // back at the front of its priority: it was taken before everything still queued there
      const next = copyOf(record)
      next.state = "queued"
      if (unstarted === true) this.uncount(next)
      return this.change(record, next, () => {
        this.startedBefore.delete(id)
        this.putBack(id)
      }, noop)
    })

  /** The attempt the last take counted never started: not counted, its start time as before. */
  private uncount(next: Stored): void {
    if (!this.startedBefore.has(next.id)) return
    next.attempts--
    next.startedAt = this.startedBefore.get(next.id)
  }

  readonly get = (id: string): Effect.Effect<Option.Option<Api.TaskRecord>, TaskStoreError> =>
    Effect.suspend(() => {
      const record = this.records.get(id)
      if (record !== undefined) return Effect.succeed(Option.some(copyOf(record)))
      return this.persistence === undefined ? Effect.succeed(Option.none()) : this.persistence.get(id)
    })

  readonly recover: Effect.Effect<ReadonlyArray<Api.TaskRecord>, TaskStoreError> = Effect.suspend(() => {
    const persistence = this.persistence
    if (persistence === undefined) {
      return Effect.succeed([...this.records.values()].filter((r) => r.state === "queued" || r.state === "running"))
    }
    return Effect.map(persistence.recover, (unfinished) => {
      const records = unfinished.map(copyOf)
      for (const record of records) {
        this.records.set(record.id, record)
        this.queued.push(record, -record.priority)
      }
      this.serve()
      return records
    })
  })
}

const noop = (): void => {}

/** The entries of `line` that `keep` holds, in the same order (each live record's rank is `-priority`). */
const rebuilt = (line: RankedLine<Stored>, keep: (record: Stored) => boolean): RankedLine<Stored> => {
  const kept = new RankedLine<Stored>()
  while (line.length > 0) {
    const record = line.shift()
    if (keep(record)) kept.push(record, -record.priority)
  }
  return kept
}

/** A copy of a record, every field written out (one object shape for every record). */
const copyOf = (record: Api.TaskRecord): Stored => ({
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
  error: record.error
})

/** Memory takes a record's new state (the fields a change of state writes). */
const adopt = (record: Stored, next: Api.TaskRecord): void => {
  record.state = next.state
  record.attempts = next.attempts
  record.failures = next.failures
  record.startedAt = next.startedAt
  record.finishedAt = next.finishedAt
  record.error = next.error
}

/** @internal */
export const memory: Effect.Effect<Api.TaskStore> = Effect.sync(() => new LocalStore(undefined))
