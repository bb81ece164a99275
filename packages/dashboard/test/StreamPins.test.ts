/**
 * Dashboard review pins (passing when written): what open and closed pages cost.
 *
 * Review PINS (these pass): the event stream's life — pages that go away, and the layer's end
 * while a page is open. A watched store counts the snapshots taken (each snapshot lists 5 states).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import * as Layer from "effect/Layer"
import { createServer } from "node:net"
import * as Dashboard from "../src/Dashboard.js"

const counting = () => {
  const counter = { lists: 0 }
  const source: Dashboard.TaskSource = {
    list: () => Effect.sync(() => (counter.lists++, [])),
    status: () => Effect.fail("none"),
    cancel: () => Effect.succeed(false),
    retry: () => Effect.succeed(false),
    retryAll: () => Effect.succeed(0)
  }
  return { counter, source }
}

/** Opens the event stream, reads `events` events, and gives back the reader to close it. */
const openStream = (url: string, events: number) =>
  Effect.promise(async () => {
    const controller = new AbortController()
    const response = await fetch(`${url}events`, { signal: controller.signal })
    const reader = response.body!.getReader()
    let text = ""
    while ((text.match(/\n\n/g) ?? []).length < events) text += new TextDecoder().decode((await reader.read()).value)
    return { reader, controller }
  })

const portFree = (port: number) =>
  Effect.promise(() =>
    new Promise<boolean>((resolve) => {
      const server = createServer()
      server.once("error", () => resolve(false))
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)))
    })
  )

describe("review pins: event stream", () => {
  it.live("pages that close their streams cost nothing more: their snapshots stop", () => {
    const { counter, source } = counting()
    return Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      yield* Dashboard.watchTasks("counted", source)
      const pages = yield* Effect.forEach(Array.from({ length: 20 }), () => openStream(url, 2), { concurrency: 20 })
      for (const { controller } of pages) controller.abort()
      // within 5 s the count stops: no snapshot for 500 ms (10 periods of `every`)
      let stopped = false
      for (let i = 0; i < 10 && !stopped; i++) {
        const before = counter.lists
        yield* Effect.sleep("500 millis")
        stopped = counter.lists === before
      }
      assert.isTrue(stopped, "the closed pages' snapshots go on being taken")
    }).pipe(Effect.scoped, Effect.provide(Dashboard.layer({ port: 0, every: "50 millis" })))
  })

  it.live("the layer's end closes an open page's stream, stops its snapshots and frees the port", () =>
    Effect.gen(function*() {
      const { counter, source } = counting()
      const scope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(Dashboard.layer({ port: 0, every: "50 millis" }), scope)
      const dashboard = context.mapUnsafe.get(Dashboard.Dashboard.key) as Dashboard.DashboardService
      yield* Scope.provide(dashboard.watchTasks("counted", source), scope)
      const { reader } = yield* openStream(dashboard.url, 1)
      const ended = Effect.promise(async () => {
        try {
          for (;;) if ((await reader.read()).done) return "ended" as const
        } catch {
          return "ended" as const // the socket was closed
        }
      }).pipe(Effect.timeoutOption("5 seconds"))
      yield* Scope.close(scope, Exit.void)
      const stream = yield* ended
      const after = counter.lists
      yield* Effect.sleep("500 millis")
      assert.strictEqual(stream._tag, "Some", "the open stream was not ended by the layer's end")
      assert.strictEqual(counter.lists, after, "snapshots go on after the layer's end")
      assert.isTrue(yield* portFree(Number(new URL(dashboard.url).port)), "the port is still taken")
      yield* Effect.promise(() => reader.cancel().catch(() => undefined))
    }))
})
