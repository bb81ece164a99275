import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { InvalidOptions } from "@fiberkit/sync/Errors"
import * as Recorder from "@fiberkit/sync/Recorder"
import * as Telemetry from "@fiberkit/sync/Telemetry"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import * as Api from "../Dashboard.js"
import { DashboardUnavailable } from "../Errors.js"
import type * as Snapshot from "../Snapshot.js"
import * as figures from "./figures.js"
import { isLoopback } from "./guard.js"
import { type Settings, settingsOf } from "./options.js"
import { Recording } from "./recording.js"
import { app } from "./server.js"
import * as tasks from "./tasks.js"

// the clock every context has unless one is provided: the server keeps real time (its `every`,
// its 3-second patience with a store) even in a program under a TestClock
/** @internal */
export const liveClock = Context.get(Context.empty(), Clock.Clock)

/** `effect` timed on the live clock. @internal */
export const onLiveClock = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.provideService(effect, Clock.Clock, liveClock)

/** What the server's routes read and do. @internal */
export interface State {
  readonly settings: Settings
  readonly recording: Recording
  readonly watched: Map<string, Api.TaskSource>
  readonly snapshot: (from?: number) => Effect.Effect<Snapshot.Snapshot>
}

const urlOf = (host: string, port: number) => {
  const shown = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host
  return `http://${shown.includes(":") ? `[${shown}]` : shown}:${port}/`
}

// the name is checked and taken in one step, when the watch runs (not when the effect is made)
const watchTasks = (watched: Map<string, Api.TaskSource>) => (name: string, source: Api.TaskSource) =>
  Effect.acquireRelease(
    Effect.flatMap(
      Effect.sync(() => {
        if (typeof name !== "string" || name === "" || watched.has(name)) return false
        watched.set(name, source)
        return true
      }),
      (taken) =>
        taken ? Effect.void : Effect.fail(
          new InvalidOptions({
            operation: "Dashboard.watchTasks",
            field: "name",
            expected: "a non-empty name not watched already",
            value: name
          })
        )
    ),
    () => Effect.sync(() => void (watched.get(name) === source && watched.delete(name)))
  )

const make = (options: Api.Options | undefined) =>
  Effect.gen(function*() {
    const settings = yield* settingsOf(options)
    const recording = yield* Effect.clockWith((clock) =>
      Effect.map(
        Recorder.current,
        (previous) =>
          new Recording(
            previous?.now ?? Recorder.nowOf(clock),
            settings.windowMillis,
            settings.capacity,
            previous
          )
      )
    )
    const watched = new Map<string, Api.TaskSource>()
    // each manager's last view, shown again (with why) while its store fails or does not answer
    const lastViews = new WeakMap<Api.TaskSource, Snapshot.TaskManager>()
    const snapshot = (from = 0): Effect.Effect<Snapshot.Snapshot> =>
      Effect.gen(function*() {
        // a `from` that is no ordinal of this dashboard's (a cursor of an earlier one, NaN …): all kept
        const start = Number.isFinite(from) && from >= 0 && from <= recording.cursor ? from : 0
        const [instances, taskManagers] = yield* Effect.all([
          figures.instances,
          Effect.forEach(
            [...watched],
            ([name, source]) =>
              Effect.tap(
                tasks.view(name, source, settings.tasksPerState, lastViews.get(source)),
                (view) => Effect.sync(() => view.error === undefined && lastViews.set(source, view))
              ),
            { concurrency: "unbounded" }
          ).pipe(onLiveClock)
        ], { concurrency: "unbounded" })
        // the records and the cursor read in one step: a record that ends meanwhile is in the next
        // snapshot only, never in two
        return {
          now: recording.now(),
          windowMillis: settings.windowMillis,
          write: settings.write,
          instances,
          records: recording.since(start),
          cursor: recording.cursor,
          taskManagers
        }
      })
    const state: State = { settings, recording, watched, snapshot }

    const server = createServer()
    const address = `${settings.host}:${settings.port}`
    const { serve } = yield* NodeHttpServer.make(() => server, {
      port: settings.port,
      host: settings.host,
      gracefulShutdownTimeout: "1 second"
    }).pipe(
      Effect.mapError((error) =>
        new DashboardUnavailable({ address, reason: String((error.cause as Error | undefined)?.message ?? error) })
      )
    )
    yield* serve(app(state))
    const port = (server.address() as AddressInfo).port
    const service: Api.DashboardService = {
      url: urlOf(settings.host, port),
      write: settings.write,
      watchTasks: watchTasks(watched),
      snapshot
    }
    return Context.make(Api.Dashboard, service).pipe(
      Context.add(Recorder.currentRecorder, recording),
      Context.add(Telemetry.enabled, true)
    )
  })

/** @internal */
export const layer = (options?: Api.Options) => Layer.effectContext(make(options))

/** @internal */
export { isLoopback }
