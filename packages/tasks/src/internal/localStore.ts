import * as Handoff from "@fiberkit/sync/Handoff"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { TaskStoreError } from "../Errors.js"
import type * as Api from "../TaskStore.js"
import { LocalWindows, type WindowRow } from "./localDedupe.js"
import type { Persistence } from "./localPersistence.js"
import { LocalQueue } from "./localQueue.js"
import { adopt, atomically, copyOf, FinishedTasks, listed, newRecord, noop, type Stored } from "./localRecords.js"
import { localTicks } from "./localTicks.js"

/**
 * A store for one process: the queue lives in memory, and every change is written to a
 * `Persistence` first — memory takes a change only once its write succeeded, so a write that
 * fails leaves memory as the disk is. Finished tasks are dropped from memory when the
 * persistence can find them again.
 *
 * Invariants:
 * - a task whose change of state is being written is in `changing`: no other change of state
 *   starts on it meanwhile (a take or a cancel of it sees it as not queued);
 * - every queued task that is not `changing` has an entry in `lines` (`TaskLines`: a line, or
 *   `delayed` until its time comes): its record object, so that an entry left by a task that
 *   ended (cancelled while queued) is never taken for a new task of the same id. Whoever takes a
 *   task out of the lines and then fails to change it puts it back; the entry of a task whose
 *   cancel is being written stays in its line, and a claim that drops it meanwhile notes it in
 *   `skipped`, so that a cancel that fails puts it back;
 * - no taker waits while a task can be taken: each change that makes a task takeable serves the
 *   waiting takers, handing each one its task directly.
 *
 * @internal
 */
export class LocalStore extends LocalQueue implements Api.TaskStore {
  /** The start time of each task's attempt before its take, while the take's attempt may not start. */
  private readonly startedBefore = new Map<string, number | undefined>()
  /** Finished tasks kept for `get` by a store without persistence. */
  private readonly finished = new FinishedTasks()

  constructor(private readonly persistence: Persistence | undefined, private readonly retain = 10_000) {
    super()
    this.ticks = localTicks(persistence)
  }

  /** A store without persistence keeps the last `retain` finished tasks; older ones are forgotten. */
  private ended(id: string): void {
    if (this.persistence !== undefined) this.records.delete(id)
    else this.finished.ended(id, this.records, this.retain)
    this.opened(-1)
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
    atomically(() => Effect.map(this.insert(tasks, undefined), (added) => added.length))

  readonly addDeduped = (task: Api.NewTask, window: Api.DedupeWindow) => this.windows.add(task, window)

  /** The tasks whose id the store does not hold, stored with `window` (when its task is stored). */
  private insert(tasks: ReadonlyArray<Api.NewTask>, window: WindowRow | undefined) {
    return atomically(() => {
      const fresh = new Map<string, Stored>()
      for (const task of tasks) {
        if (!this.records.has(task.id) && !fresh.has(task.id)) fresh.set(task.id, newRecord(task))
      }
      const records = [...fresh.values()]
      // an id held in memory is skipped here, one held only on disk (a finished task) by the insert
      const stored = this.persistence === undefined
        ? Effect.succeed(records)
        : Effect.map(this.persistence.insert(records, window), (inserted) => records.filter((r) => inserted.has(r.id)))
      return Effect.flatMap(Effect.zip(stored, Clock.currentTimeMillis), ([inserted, now]) => {
        const added: Array<Stored> = []
        for (const record of inserted) {
          // added meanwhile by another fiber (without persistence, nothing else checks)
          if (this.records.has(record.id)) continue
          this.records.set(record.id, record)
          this.lines.enqueue(record, now)
          added.push(record)
        }
        this.opened(added.length)
        this.serve()
        return Effect.as(this.armed, added)
      })
    })
  }

  private readonly windows = new LocalWindows({
    holds: (id) => Effect.map(this.get(id), Option.isSome),
    insert: (task, window) => Effect.map(this.insert([task], window), (added) => added.length === 1),
    move: (id, at, window) => this.move(id, at, window),
    read: (key) => this.persistence?.window(key) ?? Effect.succeedNone
  })

  /**
   * A debounce: a delayed task waits for `at`, later, instead (`false` if it does not wait). Moved in
   * memory first (it cannot come due at its old time during the write; back if the write fails),
   * and `changing` meanwhile: a claim that finds it due drops it (`skipped`), to be put back after.
   */
  private move(id: string, at: number, window: WindowRow): Effect.Effect<boolean, TaskStoreError> {
    return atomically(() => {
      const record = this.records.get(id)
      if (record === undefined || !this.lines.delayed.has(record) || this.changing.has(id)) return Effect.succeed(false)
      const before = record.runAt!
      this.lines.delayed.reschedule(record, at)
      this.changing.add(id)
      const over = (runAt: number) =>
        Effect.suspend(() => {
          this.changing.delete(id)
          record.runAt = runAt
          if (this.skipped.delete(id)) this.putBack(id)
          else if (runAt !== at) this.lines.delayed.reschedule(record, runAt)
          return Effect.as(this.armed, true)
        })
      return Effect.matchEffect(this.persistence?.reschedule(id, at, window) ?? Effect.void, {
        onFailure: (error) => Effect.andThen(over(before), Effect.fail(error)),
        onSuccess: () => over(at)
      })
    })
  }

  /**
   * Takes the first takeable task (`claim`) or waits for one: a waiter is handed its task directly,
   * marked `changing`, then writes it running. Only the wait is interruptible, whatever the
   * caller's region: an uninterruptible caller (a worker) owns the task it gets back. A waiter
   * interrupted after it was handed a task puts it back; a write that fails puts it back too.
   */
  readonly takeAdmitted = (admission: Api.Admission | undefined): Effect.Effect<Api.TaskRecord, TaskStoreError> =>
    Effect.uninterruptible(Effect.flatMap(Clock.currentTimeMillis, (now) => {
      this.lines.promote(now)
      // (a taker waiting already has found nothing it may take: a task queued now is one its
      // admission refused — a definition at its limit in another manager — so this one may claim)
      const record = this.claim(admission)
      if (record !== undefined) return this.start(record, admission)
      const waiter = new Handoff.Waiter<Stored>(this.takers)
      this.takers.push(waiter)
      if (admission !== undefined) this.admissions.set(waiter, admission)
      const wait = waiter.wait(Effect.interruptible, {
        onLost: (lost) => this.putBack(lost.id, admission),
        // the last taker gone: the timer goes too
        onCancel: () => {
          if (this.takers.size === 0) this.lines.delayed.disarm()
        }
      })
      return Effect.flatMap(
        Effect.ensuring(Effect.andThen(this.armed, wait), Effect.sync(() => this.admissions.delete(waiter))),
        (granted) => this.start(granted, admission)
      )
    }))

  readonly take: Effect.Effect<Api.TaskRecord, TaskStoreError> = this.takeAdmitted(undefined)

  /** A claimed task starts its next attempt now. */
  private start(record: Stored, admission: Api.Admission | undefined): Effect.Effect<Api.TaskRecord, TaskStoreError> {
    return Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const next = copyOf(record)
      next.state = "running"
      next.attempts++
      next.startedAt = now
      const before = record.startedAt
      return this.change(record, next, () => {
        this.startedBefore.set(record.id, before)
        return copyOf(next)
      }, () => this.putBack(record.id, admission))
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

  /** A change of a running task that keeps it running (only if it is in `state`, when given). */
  private update(
    id: string,
    change: (next: Stored) => void,
    state?: Api.TaskState
  ): Effect.Effect<void, TaskStoreError> {
    return atomically(() => {
      const record = this.records.get(id)
      if (record === undefined || (state !== undefined && record.state !== state)) return Effect.void
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
        // its entry is still in line (or in `delayed`), unless a claim dropped it meanwhile
        this.lines.cancelled(record, !this.skipped.delete(id))
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

  readonly replay = (id: string): Effect.Effect<boolean, TaskStoreError> =>
    atomically(() => {
      const held = this.records.get(id)
      // only a failed task: a queued one is in a line, where a reserved id would be taken for a
      // cancel being written (and dropped)
      if (this.changing.has(id) || (held !== undefined && held.state !== "failed")) return Effect.succeed(false)
      // a finished task of a durable store is on disk only
      const found = held !== undefined || this.persistence === undefined
        ? Effect.succeed(Option.fromUndefinedOr(held))
        : this.persistence.get(id)
      // the id is reserved while it is read: a second replay of it answers false
      this.changing.add(id)
      return Effect.flatMap(Effect.onError(found, () => Effect.sync(() => this.changing.delete(id))), (option) => {
        if (Option.isNone(option) || option.value.state !== "failed") {
          this.changing.delete(id)
          return Effect.succeed(false)
        }
        const record = held ?? copyOf(option.value)
        const next = copyOf(record)
        next.state = "queued"
        next.failures = 0
        next.error = undefined
        next.finishedAt = undefined
        next.replays++
        return this.change(record, next, () => {
          this.records.set(id, record)
          this.opened(1)
          this.lines.requeue(record)
          this.serve()
          return true
        }, noop)
      })
    })

  readonly list = (filter?: Api.ListFilter): Effect.Effect<ReadonlyArray<Api.TaskRecord>, TaskStoreError> =>
    Effect.suspend(() =>
      this.persistence === undefined
        ? Effect.succeed(listed(this.records.values(), filter))
        : this.persistence.list(filter)
    )

  readonly progress = (id: string, value: number): Effect.Effect<void, TaskStoreError> =>
    this.update(id, (next) => {
      next.progress = value
    }, "running")

  /** Schedules' last ticks: in memory, or the persistence's. */
  readonly ticks: Api.ScheduleTicks

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
    return Effect.flatMap(Effect.zip(persistence.recover, Clock.currentTimeMillis), ([unfinished, now]) => {
      const records = unfinished.map(copyOf)
      for (const record of records) {
        // (held already: recovered by another manager on this store)
        if (this.records.has(record.id)) continue
        this.records.set(record.id, record)
        this.lines.enqueue(record, now)
        this.opened(1)
      }
      this.serve()
      return Effect.as(this.armed, records)
    })
  })
}

/** @internal */
export const memory: Effect.Effect<Api.TaskStore> = Effect.sync(() => new LocalStore(undefined))
