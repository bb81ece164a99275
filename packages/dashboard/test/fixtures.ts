/**
 * What the dashboard's tests share: a workload of task managers whose tasks wait on a signal
 * (so a test knows which task is queued, running or failed), and HTTP calls on the page's routes.
 */
import * as TaskManager from "@fiberkit/tasks/TaskManager"
import * as TaskStore from "@fiberkit/tasks/TaskStore"
import { Deferred, Effect, Schema } from "effect"
import * as Dashboard from "../src/Dashboard.js"
import type * as Snapshot from "../src/Snapshot.js"

/** What a call answered. */
export interface Reply {
  readonly status: number
  readonly headers: { readonly get: (name: string) => string | null }
  readonly text: string
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly json: any
}

/** A call on the dashboard: its status and its body, read as JSON when it is JSON. */
export const call = (url: string, init?: RequestInit): Effect.Effect<Reply> =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    const text = await response.text()
    const json = response.headers.get("content-type")?.includes("json") ? JSON.parse(text) : undefined
    return { status: response.status, headers: response.headers, text, json }
  })

/** An action as the page sends it. */
export const act = (
  base: string,
  path: string,
  params: Record<string, string>,
  headers?: Record<string, string>
): Effect.Effect<Reply> =>
  call(`${base}api/${path}?${new URLSearchParams(params)}`, {
    method: "POST",
    headers: { "x-fiberkit-dashboard": "1", ...headers }
  })

export const snapshotOf = (base: string, from = 0) =>
  Effect.map(call(`${base}api/snapshot?from=${from}`), (response) => response.json as Snapshot.Snapshot)

/**
 * A memory-store task manager watched as `name`: `hold` tasks wait for `release`; `fail` tasks
 * fail with their argument, on their first attempt only when `once` (so a retry succeeds).
 */
export const workload = (name: string, options?: { readonly concurrency?: number }) =>
  Effect.gen(function*() {
    const release = yield* Deferred.make<void>()
    const attempts = new Map<string, number>()
    const hold = TaskManager.define("hold", { args: Schema.String, run: () => Deferred.await(release) })
    const fail = TaskManager.define("fail", {
      args: Schema.Struct({ message: Schema.String, once: Schema.Boolean }),
      run: ({ message, once }) => {
        const attempt = (attempts.get(message) ?? 0) + 1
        attempts.set(message, attempt)
        return once && attempt > 1 ? Effect.void : Effect.fail(message)
      }
    })
    const manager = yield* TaskManager.make({ tasks: [hold, fail], concurrency: options?.concurrency ?? 1 }).pipe(
      Effect.provide(TaskStore.layerMemory)
    )
    yield* Dashboard.watchTasks(name, manager)
    return { manager, release: Deferred.succeed(release, undefined) }
  })

/** Polls `read` until `done` holds (every 20 ms, at most 5 s), then returns the value that held. */
export const eventually = <A, E, R>(read: Effect.Effect<A, E, R>, done: (value: A) => boolean, what: string) =>
  Effect.gen(function*() {
    for (let i = 0; i < 250; i++) {
      const value = yield* read
      if (done(value)) return value
      yield* Effect.sleep("20 millis")
    }
    return yield* Effect.die(new Error(`never happened: ${what}`))
  })
