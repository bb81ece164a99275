import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { TaskStoreError } from "../Errors.js"
import type * as Api from "../TaskStore.js"

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/**
 * Where a local store writes its changes: nowhere (memory), or a database. Each write has
 * happened when its effect succeeds.
 *
 * @internal
 */
export interface Persistence {
  /** Writes the records whose id it does not hold yet; returns their ids. */
  readonly insert: (records: ReadonlyArray<Api.TaskRecord>) => Effect.Effect<ReadonlySet<string>, TaskStoreError>
  readonly update: (record: Api.TaskRecord) => Effect.Effect<void, TaskStoreError>
  /** The unfinished tasks, in the order they were added. */
  readonly unfinished: Effect.Effect<ReadonlyArray<Api.TaskRecord>, TaskStoreError>
  /** A task no longer held in memory (finished). */
  readonly get: (id: string) => Effect.Effect<Option.Option<Api.TaskRecord>, TaskStoreError>
}

/**
 * A store for one process: the queue lives in memory, every change is written through to a
 * `Persistence` before it takes effect. Finished tasks are dropped from memory when the
 * persistence can find them again.
 *
 * @internal
 */
export class LocalStore implements Api.TaskStore {
  private readonly records = new Map<string, Mutable<Api.TaskRecord>>()
  private queue: Array<string> = []
  private head = 0
  private readonly waiters = new Set<() => void>()

  /** Finished tasks kept for `get` by a store without persistence, oldest first. */
  private finished: Array<string> = []

  constructor(private readonly persistence: Persistence | undefined, private readonly retain = 10_000) {}

  /** A store without persistence keeps the last `retain` finished tasks; older ones are forgotten. */
  private ended(id: string): void {
    if (this.persistence !== undefined) {
      this.records.delete(id)
      return
    }
    this.finished.push(id)
    if (this.finished.length > this.retain * 2) {
      const forget = this.finished.splice(0, this.finished.length - this.retain)
      for (const old of forget) this.records.delete(old)
    }
  }

  private wakeOne(): void {
    for (const wake of this.waiters) {
      this.waiters.delete(wake)
      return wake()
    }
  }

  private write(record: Api.TaskRecord): Effect.Effect<void, TaskStoreError> {
    return this.persistence === undefined ? Effect.void : this.persistence.update(record)
  }

  readonly add = (tasks: ReadonlyArray<Api.NewTask>): Effect.Effect<number, TaskStoreError> =>
    Effect.suspend(() => {
      const fresh = tasks.filter((task) => !this.records.has(task.id))
      const records: Array<Mutable<Api.TaskRecord>> = fresh.map((task) => ({
        ...task,
        state: "queued",
        attempts: 0,
        startedAt: undefined,
        finishedAt: undefined,
        error: undefined
      }))
      // an id held in memory is skipped here, one held only on disk (a finished task) by the insert
      const stored = this.persistence === undefined
        ? Effect.succeed(records)
        : Effect.map(this.persistence.insert(records), (inserted) => records.filter((r) => inserted.has(r.id)))
      return Effect.map(stored, (added) => {
        for (const record of added) {
          this.records.set(record.id, record)
          this.queue.push(record.id)
          this.wakeOne()
        }
        return added.length
      })
    })

  /** The next queued task, taken off the queue (cancelled ones are skipped). */
  private next(): Mutable<Api.TaskRecord> | undefined {
    while (this.head < this.queue.length) {
      const id = this.queue[this.head++]!
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head)
        this.head = 0
      }
      const record = this.records.get(id)
      if (record !== undefined && record.state === "queued") return record
    }
    return undefined
  }

  private get hasQueued(): boolean {
    for (let at = this.head; at < this.queue.length; at++) {
      if (this.records.get(this.queue[at]!)?.state === "queued") return true
    }
    return false
  }

  readonly take: Effect.Effect<Api.TaskRecord, TaskStoreError> = Effect.uninterruptibleMask((restore) =>
    Effect.zipRight(
      // the wait is interruptible; taking the task and marking it running is not
      restore(Effect.async<void>((resume) => {
        if (this.hasQueued) return resume(Effect.void)
        const wake = () => resume(Effect.void)
        this.waiters.add(wake)
        return Effect.sync(() => {
          this.waiters.delete(wake)
        })
      })),
      Effect.suspend((): Effect.Effect<Api.TaskRecord, TaskStoreError> => {
        const record = this.next()
        // another worker took it first: wait again (interruptibly: `restore`, not this region's status)
        if (record === undefined) return restore(this.take)
        record.state = "running"
        record.attempts++
        if (this.hasQueued) this.wakeOne()
        return Effect.flatMap(Clock.currentTimeMillis, (now) => {
          record.startedAt = now
          return Effect.as(this.write(record), { ...record })
        })
      })
    )
  )

  readonly attempt = (id: string, at: number, error: string | undefined): Effect.Effect<void, TaskStoreError> =>
    Effect.suspend(() => {
      const record = this.records.get(id)
      if (record === undefined) return Effect.void
      record.attempts++
      record.startedAt = at
      record.error = error
      return this.write(record)
    })

  readonly finish = (id: string, outcome: Api.Outcome): Effect.Effect<void, TaskStoreError> =>
    Effect.suspend(() => {
      const record = this.records.get(id)
      if (record === undefined) return Effect.void
      record.state = outcome.state
      record.finishedAt = outcome.at
      if (outcome.error !== undefined) record.error = outcome.error
      return Effect.map(this.write(record), () => this.ended(id))
    })

  readonly cancel = (id: string, at: number): Effect.Effect<boolean, TaskStoreError> =>
    Effect.suspend(() => {
      const record = this.records.get(id)
      if (record === undefined || record.state !== "queued") return Effect.succeed(false)
      record.state = "cancelled" // decided now: a worker taking tasks skips it from here on
      record.finishedAt = at
      return Effect.map(this.write(record), () => {
        this.ended(id)
        return true
      })
    })

  readonly release = (id: string): Effect.Effect<void, TaskStoreError> =>
    Effect.suspend(() => {
      const record = this.records.get(id)
      if (record === undefined || record.state !== "running") return Effect.void
      record.state = "queued"
      return Effect.map(this.write(record), () => {
        // back at the front: it was taken before everything still queued
        this.queue.splice(this.head, 0, id)
        this.wakeOne()
      })
    })

  readonly get = (id: string): Effect.Effect<Option.Option<Api.TaskRecord>, TaskStoreError> =>
    Effect.suspend(() => {
      const record = this.records.get(id)
      if (record !== undefined) return Effect.succeed(Option.some({ ...record }))
      return this.persistence === undefined ? Effect.succeed(Option.none()) : this.persistence.get(id)
    })

  readonly recover: Effect.Effect<ReadonlyArray<Api.TaskRecord>, TaskStoreError> = Effect.suspend(() => {
    if (this.persistence === undefined) {
      return Effect.succeed([...this.records.values()].filter((r) => r.state === "queued" || r.state === "running"))
    }
    return Effect.flatMap(this.persistence.unfinished, (unfinished) =>
      Effect.forEach(unfinished, (stored) => {
        const record: Mutable<Api.TaskRecord> = { ...stored, state: "queued" }
        this.records.set(record.id, record)
        this.queue.push(record.id)
        return stored.state === "running" ? Effect.as(this.write(record), record) : Effect.succeed(record)
      }))
  })
}

/** @internal */
export const memory: Effect.Effect<Api.TaskStore> = Effect.sync(() => new LocalStore(undefined))
