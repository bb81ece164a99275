import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { TaskStoreError } from "../Errors.js"
import type * as Api from "../TaskStore.js"

/** A deduplication window as a local store keeps it (a row of SQLite's `fiberkit_dedupe`). @internal */
export interface WindowRow {
  readonly key: string
  /** The window's task. */
  readonly id: string
  /** When the window ends (epoch ms): open while the add's time is before it. */
  readonly until: number
}

/**
 * What `LocalWindows` needs of its store: each effect runs in one step with the decision that
 * called it, or writes first and changes memory once the write succeeded (SQLite).
 *
 * @internal
 */
export interface WindowsHost {
  /** Whether the store holds a task of this id (in memory, or only on disk: finished). */
  readonly holds: (id: string) => Effect.Effect<boolean, TaskStoreError>
  /** Adds the task, and the window with it (one write); `false` if its id was held meanwhile. */
  readonly insert: (task: Api.NewTask, window: WindowRow) => Effect.Effect<boolean, TaskStoreError>
  /**
   * Moves the task to a later time if it waits for its time (queued, delayed, no change being
   * written), and writes the window with it (one write); `false` if it does not wait.
   */
  readonly move: (id: string, at: number, window: WindowRow) => Effect.Effect<boolean, TaskStoreError>
  /** A window kept on disk (none without persistence). */
  readonly read: (key: string) => Effect.Effect<Option.Option<WindowRow>, TaskStoreError>
}

/**
 * A local store's deduplication windows (`TaskStore.addDeduped`): the windows by key, and the adds
 * of each key decided one at a time — an add waits while another add of its key is deciding or
 * writing, then decides on what that one left. So two adds racing in one window add one task,
 * and memory takes a window only once its write succeeded (an add that fails leaves the window as
 * it was). Windows that ended are swept as the map grows; a SQLite store's are read from disk
 * when memory does not hold them (after a restart) and replaced on disk when a key opens a new one.
 *
 * @internal
 */
export class LocalWindows {
  private readonly windows = new Map<string, WindowRow>()
  /** The keys an add is deciding or writing, each with what the next add of the key waits for. */
  private readonly busy = new Map<string, Deferred.Deferred<void>>()
  /** The map's size after the last sweep. */
  private swept = 0

  constructor(private readonly host: WindowsHost) {}

  /**
   * Uninterruptible, as a store's `add`: the answer is reported with the change it made (the wait
   * for another add of the key is bounded by that add's write).
   */
  add(task: Api.NewTask, window: Api.DedupeWindow): Effect.Effect<Api.Deduped, TaskStoreError> {
    return Effect.uninterruptible(this.decideAlone(task, window))
  }

  private decideAlone(task: Api.NewTask, window: Api.DedupeWindow): Effect.Effect<Api.Deduped, TaskStoreError> {
    return Effect.suspend(() => {
      const pending = this.busy.get(window.key)
      if (pending !== undefined) return Effect.andThen(Deferred.await(pending), this.decideAlone(task, window))
      const done = Deferred.makeUnsafe<void>()
      this.busy.set(window.key, done)
      return Effect.ensuring(
        this.decide(task, window),
        Effect.sync(() => {
          this.busy.delete(window.key)
          Deferred.doneUnsafe(done, Effect.void)
        })
      )
    })
  }

  /** The add of a key no other add is deciding (see `TaskStore.addDeduped`). */
  private decide(task: Api.NewTask, window: Api.DedupeWindow): Effect.Effect<Api.Deduped, TaskStoreError> {
    const now = task.addedAt
    return Effect.flatMap(Effect.zip(this.host.holds(task.id), this.current(window.key)), ([held, open]) => {
      // an id the store holds: nothing added, no window (as an add without dedupe)
      if (held) return Effect.succeed({ id: task.id, added: false })
      const opened = { key: window.key, id: task.id, until: now + window.ttl }
      const insert = Effect.map(
        this.host.insert(task, opened),
        (added) => added ? this.opened(opened, now, true) : { id: task.id, added }
      )
      if (open === undefined || now >= open.until) return insert
      if (window.mode === "throttle") return Effect.succeed({ id: open.id, added: false })
      // a debounce: while its task waits for its time, it waits `ttl` from this add
      const moved = { key: window.key, id: open.id, until: task.runAt! }
      return Effect.flatMap(
        this.host.move(open.id, moved.until, moved),
        (waits) => waits ? Effect.succeed(this.opened(moved, now, false)) : insert
      )
    })
  }

  /** Memory takes a window that was written, at `now`; the add's answer: its task. */
  private opened(window: WindowRow, now: number, added: boolean): Api.Deduped {
    this.windows.set(window.key, window)
    if (this.windows.size > Math.max(1_000, this.swept * 2)) this.sweep(now)
    return { id: window.id, added }
  }

  /** The key's window, from memory or else from disk; `undefined` if none. */
  private current(key: string): Effect.Effect<WindowRow | undefined, TaskStoreError> {
    const held = this.windows.get(key)
    if (held !== undefined) return Effect.succeed(held)
    return Effect.map(this.host.read(key), Option.getOrUndefined)
  }

  /** Forgets the windows that ended by `now` (a SQLite store keeps them on disk until replaced). */
  private sweep(now: number): void {
    for (const [key, window] of this.windows) {
      if (window.until <= now) this.windows.delete(key)
    }
    this.swept = this.windows.size
  }
}
