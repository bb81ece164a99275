/**
 * The dashboard over HTTP, without a browser: what the routes answer, what the snapshot holds
 * while work runs, the actions on the right task, and what the layer turns on (and, without it,
 * what stays off).
 */
import { assert, describe, it } from "@effect/vitest"
import * as FiberPool from "@fiberkit/executor/FiberPool"
import * as Recorder from "@fiberkit/sync/Recorder"
import * as Telemetry from "@fiberkit/sync/Telemetry"
import { Deferred, Effect, Fiber, Metric } from "effect"
import * as Dashboard from "../src/Dashboard.js"
import { act, call, eventually, snapshotOf, workload } from "./fixtures.js"

const served = Dashboard.layer({ port: 0, write: true, every: "50 millis" })

describe("Dashboard", () => {
  it.live("serves the page, its script and its style under a policy that allows only its own files", () =>
    Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/)
      const page = yield* call(url)
      assert.strictEqual(page.status, 200)
      assert.include(page.text, "<script type=\"module\" src=\"/dashboard.js\">")
      assert.include(page.headers.get("content-security-policy") ?? "", "default-src 'self'")
      assert.include(page.headers.get("content-security-policy") ?? "", "frame-ancestors 'none'")
      assert.strictEqual((yield* call(`${url}dashboard.js`)).status, 200)
      assert.match((yield* call(`${url}dashboard.css`)).headers.get("content-type") ?? "", /text\/css/)
      assert.strictEqual((yield* call(`${url}nothing`)).status, 404)
    }).pipe(Effect.provide(served)))

  it.live("a pool's figures change as work runs, and its tasks come to the Timeline once each", () =>
    Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      const pool = yield* FiberPool.make({ concurrency: 2, name: "images" })
      const gate = yield* Deferred.make<void>()
      const futures = yield* Effect.forEach([1, 2, 3], () => pool.submit(Deferred.await(gate)))
      const busy = yield* eventually(
        snapshotOf(url),
        (s) => s.instances.some((i) => i.group === "images" && i.running === 2 && i.pending === 1),
        "2 running, 1 waiting"
      )
      const before = busy.cursor
      yield* Deferred.succeed(gate, undefined)
      yield* Effect.forEach(futures, (future) => future.result)
      const after = yield* eventually(
        snapshotOf(url, before),
        (s) => s.records.filter((r) => r.group === "images").length === 3,
        "3 records"
      )
      const row = after.instances.find((i) => i.source === "FiberPool" && i.group === "images")!
      assert.deepStrictEqual([row.running, row.pending, row.limit, row.outcomes.succeeded], [0, 0, 2, 3])
      yield* pool.resize(5)
      yield* eventually(
        snapshotOf(url),
        (s) => s.instances.some((i) => i.group === "images" && i.limit === 5),
        "limit 5"
      )
      assert.strictEqual(row.runTime.count, 3)
      assert.isTrue(row.runTime.p50! <= row.runTime.p99! && row.runTime.p99! <= row.runTime.max!)
      // a page that asks from the cursor gets nothing twice
      const again = yield* snapshotOf(url, after.cursor)
      assert.strictEqual(again.records.length, 0)
    }).pipe(Effect.scoped, Effect.provide(served)))

  it.live("the event stream sends a snapshot at once, then more", () =>
    Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      const events = yield* Effect.promise(async () => {
        const response = await fetch(`${url}events`)
        const reader = response.body!.getReader()
        let text = ""
        while ((text.match(/\n\n/g) ?? []).length < 2) text += new TextDecoder().decode((await reader.read()).value)
        await reader.cancel()
        return { type: response.headers.get("content-type"), text }
      })
      assert.strictEqual(events.type, "text/event-stream")
      const [first, second] = events.text.split("\n\n").filter((event) => event !== "").slice(0, 2).map((event) =>
        JSON.parse(event.slice("data: ".length))
      )
      assert.isTrue(second.now >= first.now)
      assert.strictEqual(first.write, true)
    }).pipe(Effect.provide(served)))

  it.live("cancel, retry and retry all failed act on the task they name", () =>
    Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      const { manager, release } = yield* workload("jobs")
      const running = yield* manager.add("hold", "a", { id: "running-1" })
      const queued = yield* manager.add("hold", "b", { id: "queued-1" })
      const other = yield* manager.add("hold", "c", { id: "queued-2" })
      yield* eventually(manager.status(running), (task) => task.state === "running", "running")

      const cancelled = yield* act(url, "cancel", { manager: "jobs", id: queued })
      assert.deepStrictEqual([cancelled.status, cancelled.json], [200, { done: true }])
      assert.strictEqual((yield* manager.status(queued)).state, "cancelled")
      assert.strictEqual((yield* manager.status(other)).state, "queued")
      assert.strictEqual((yield* manager.status(running)).state, "running")
      const twice = yield* act(url, "cancel", { manager: "jobs", id: queued })
      assert.deepStrictEqual(twice.json, { done: false, state: "cancelled" })
      yield* release

      const failedOnce = yield* manager.add("fail", { message: "flaky", once: true }, { id: "flaky" })
      const failedAlways = yield* manager.add("fail", { message: "broken", once: false }, { id: "broken" })
      yield* eventually(manager.list({ state: "failed" }), (tasks) => tasks.length === 2, "2 failed")
      const view = yield* snapshotOf(url)
      const failed = view.taskManagers[0]!.tasks.filter((task) => task.state === "failed")
      assert.deepStrictEqual(failed.map((task) => [task.id, task.error]), [["flaky", "flaky"], ["broken", "broken"]])

      const retried = yield* act(url, "retry", { manager: "jobs", id: failedOnce })
      assert.deepStrictEqual(retried.json, { done: true })
      yield* eventually(manager.status(failedOnce), (task) => task.state === "succeeded", "flaky succeeded")
      assert.strictEqual((yield* manager.status(failedAlways)).replays, 0)
      const notFailed = yield* act(url, "retry", { manager: "jobs", id: failedOnce })
      assert.deepStrictEqual(notFailed.json, { done: false })

      const all = yield* act(url, "retry-failed", { manager: "jobs" })
      assert.deepStrictEqual(all.json, { count: 1 })
      yield* eventually(
        manager.status(failedAlways),
        (task) => task.replays === 1 && task.state === "failed",
        "replayed"
      )

      const unknown = yield* act(url, "cancel", { manager: "jobs", id: "no-such-task" })
      assert.strictEqual(unknown.status, 404)
      const found = yield* call(`${url}api/task?manager=jobs&id=broken`)
      assert.deepStrictEqual([found.status, found.json.state, found.json.error], [200, "failed", "broken"])
      assert.strictEqual((yield* call(`${url}api/task?manager=nobody&id=broken`)).status, 404)
    }).pipe(Effect.scoped, Effect.provide(served)))

  it.live("read only unless given write: every action refused, nothing done", () =>
    Effect.gen(function*() {
      const { url, write } = yield* Dashboard.Dashboard
      assert.isFalse(write)
      const { manager } = yield* workload("jobs")
      yield* manager.add("hold", "a", { id: "held" })
      const refused = yield* act(url, "cancel", { manager: "jobs", id: "held" })
      assert.strictEqual(refused.status, 403)
      assert.notStrictEqual((yield* manager.status("held")).state, "cancelled")
      assert.strictEqual((yield* snapshotOf(url)).write, false)
    }).pipe(Effect.scoped, Effect.provide(Dashboard.layer({ port: 0 }))))

  it.live("an action without the page's header, or from another site, is refused", () =>
    Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      const { manager } = yield* workload("jobs")
      yield* manager.add("hold", "a", { id: "held" })
      const bare = yield* call(`${url}api/cancel?manager=jobs&id=held`, { method: "POST" })
      assert.strictEqual(bare.status, 403)
      const crossSite = yield* act(url, "cancel", { manager: "jobs", id: "held" }, { origin: "https://evil.example" })
      assert.strictEqual(crossSite.status, 403)
      const opaque = yield* act(url, "cancel", { manager: "jobs", id: "held" }, { origin: "null" })
      assert.strictEqual(opaque.status, 403)
      assert.notStrictEqual((yield* manager.status("held")).state, "cancelled")
      const own = yield* act(url, "cancel", { manager: "jobs", id: "held" }, { origin: url.slice(0, -1) })
      assert.strictEqual(own.status, 200)
    }).pipe(Effect.scoped, Effect.provide(served)))

  it.live("a token guards every route, in a header or the query", () =>
    Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      assert.strictEqual((yield* call(url)).status, 401)
      assert.strictEqual((yield* call(`${url}api/snapshot`)).status, 401)
      assert.strictEqual((yield* call(`${url}events`)).status, 401)
      assert.strictEqual((yield* call(`${url}api/snapshot?token=wrong`)).status, 401)
      assert.strictEqual((yield* call(`${url}api/snapshot?token=s3cret`)).status, 200)
      assert.strictEqual((yield* call(url, { headers: { authorization: "Bearer s3cret" } })).status, 200)
    }).pipe(Effect.provide(Dashboard.layer({ port: 0, token: "s3cret" }))))

  it.live("bound to loopback, a request addressed to another host name is refused (DNS rebinding)", () =>
    Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      const { port } = new URL(url)
      const status = yield* Effect.promise(() =>
        import("node:http").then((http) =>
          new Promise<number>((resolve, reject) => {
            const request = http.request(
              { host: "127.0.0.1", port, path: "/api/snapshot", headers: { host: `evil.example:${port}` } },
              (response) => {
                response.resume()
                resolve(response.statusCode!)
              }
            )
            request.on("error", reject)
            request.end()
          })
        )
      )
      assert.strictEqual(status, 421)
      assert.strictEqual((yield* call(`http://localhost:${port}/api/snapshot`)).status, 200)
    }).pipe(Effect.provide(served)))

  it.live("turns on Telemetry and a recorder for what is made under it, and forwards to a recorder already in force", () => {
    const outer: Array<Recorder.TaskRecord> = []
    return Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      assert.isTrue(yield* Effect.service(Telemetry.enabled))
      const pool = yield* FiberPool.make({ concurrency: 1, name: "forwarded" })
      yield* Effect.flatMap(pool.submit(Effect.void), (future) => future.result)
      const shown = yield* eventually(snapshotOf(url), (s) => s.records.some((r) => r.group === "forwarded"), "shown")
      assert.deepStrictEqual(outer.map((r) => r.group), ["forwarded"])
      assert.isTrue(shown.instances.some((i) => i.group === "forwarded" && i.outcomes.succeeded === 1))
    }).pipe(
      Effect.scoped,
      Effect.provide(served),
      Effect.provideService(Recorder.currentRecorder, { now: () => performance.now(), record: (r) => outer.push(r) })
    )
  })

  it.live("off: without the layer nothing is recorded and no figure is published", () =>
    Effect.gen(function*() {
      assert.isUndefined(yield* Recorder.current)
      const pool = yield* FiberPool.make({ concurrency: 2, name: "dark-pool" })
      yield* pool.map([1, 2, 3], () => Effect.void)
      const snapshots = yield* Metric.snapshot
      assert.isFalse(snapshots.some((snapshot) => snapshot.attributes?.group === "dark-pool"))
    }).pipe(Effect.scoped))

  it.live("a task manager is shown for as long as its watch lasts; a name watched twice is refused", () =>
    Effect.gen(function*() {
      const { url } = yield* Dashboard.Dashboard
      const scoped = yield* Effect.forkChild(Effect.scoped(Effect.andThen(workload("jobs"), Effect.never)))
      yield* eventually(snapshotOf(url), (s) => s.taskManagers.length === 1, "watched")
      const second = yield* Effect.flip(Effect.scoped(workload("jobs")))
      assert.strictEqual(second._tag, "InvalidOptions")
      yield* Fiber.interrupt(scoped)
      assert.deepStrictEqual((yield* snapshotOf(url)).taskManagers, [])
    }).pipe(Effect.provide(served)))
})
