import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as HttpServerRequest from "effect/http/HttpServerRequest"
import * as HttpServerResponse from "effect/http/HttpServerResponse"
import * as Stream from "effect/Stream"
import type * as Api from "../Dashboard.js"
import type * as Snapshot from "../Snapshot.js"
import { liveClock, onLiveClock, type State } from "./dashboard.js"
import { refusal } from "./guard.js"
import { pageHtml } from "./page.js"
import { pageScript } from "./pageScript.js"
import { pageStyle } from "./pageStyle.js"
import { messageOf, taskOf } from "./tasks.js"

// the page's own files only; no frame may hold it (its buttons act)
const securityHeaders = {
  "content-security-policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store"
}

const withHeaders = (response: HttpServerResponse.HttpServerResponse) =>
  HttpServerResponse.setHeaders(response, securityHeaders)

const json = (body: unknown, status = 200) => withHeaders(HttpServerResponse.jsonUnsafe(body, { status }))

const problem = (status: number, reason: string) => json({ error: reason }, status)

const file = (body: string, contentType: string) => withHeaders(HttpServerResponse.text(body, { contentType }))

const fromOf = (url: URL): number => {
  const from = Number(url.searchParams.get("from") ?? 0)
  return Number.isSafeInteger(from) && from >= 0 ? from : 0
}

/** A task manager's call answered as JSON: unknown task 404, any other failure 500 (never a hang). */
const answer = <A>(effect: Effect.Effect<A, unknown>, body: (value: A) => unknown) =>
  effect.pipe(
    Effect.map((value) => json(body(value))),
    Effect.catchCause((cause) => {
      const error = cause.reasons.find((reason) => reason._tag === "Fail")?.error
      const notFound = typeof error === "object" && error !== null && "_tag" in error && error._tag === "TaskNotFound"
      return Effect.succeed(problem(notFound ? 404 : 500, messageOf(error ?? "the task manager failed")))
    })
  )

/** The Server-Sent Events of one page: a snapshot at once, then one every `every`, each with only new records. */
const events = (state: State, from: number) =>
  Effect.sync(() => {
    let cursor = from
    const body = Stream.tick(state.settings.everyMillis).pipe(
      Stream.mapEffect(() =>
        Effect.map(state.snapshot(cursor), (snapshot) => {
          cursor = snapshot.cursor
          return `data: ${JSON.stringify(snapshot)}\n\n`
        })
      ),
      Stream.encodeText,
      // the server writes the body in a fiber of its own: real time there too
      Stream.provideService(Clock.Clock, liveClock)
    )
    return withHeaders(HttpServerResponse.stream(body, {
      contentType: "text/event-stream",
      headers: { "x-accel-buffering": "no" }
    }))
  })

/** What a cancel answers: done, or not — and then the task's state (ended, or still waiting). */
interface CancelAnswer {
  readonly done: boolean
  readonly state: Snapshot.TaskState | undefined
}

const action = (
  state: State,
  url: URL,
  act: (source: Api.TaskSource, id: string) => Effect.Effect<HttpServerResponse.HttpServerResponse>
): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
  if (!state.settings.write) {
    return Effect.succeed(problem(403, "this dashboard is read only (Dashboard.layer({ write: true }))"))
  }
  const source = state.watched.get(url.searchParams.get("manager") ?? "")
  if (source === undefined) return Effect.succeed(problem(404, "no task manager is watched under that name"))
  return act(source, url.searchParams.get("id") ?? "")
}

const route = (state: State, method: string, url: URL): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
  const path = url.pathname
  if (method === "GET") {
    switch (path) {
      case "/":
        return Effect.succeed(file(pageHtml(state.settings.title, state.settings.token), "text/html; charset=utf-8"))
      case "/dashboard.js":
        return Effect.succeed(file(pageScript, "text/javascript; charset=utf-8"))
      case "/dashboard.css":
        return Effect.succeed(file(pageStyle, "text/css; charset=utf-8"))
      case "/events":
        return events(state, fromOf(url))
      case "/api/snapshot":
        return Effect.map(state.snapshot(fromOf(url)), (snapshot) => json(snapshot))
      case "/api/task": {
        const source = state.watched.get(url.searchParams.get("manager") ?? "")
        if (source === undefined) return Effect.succeed(problem(404, "no task manager is watched under that name"))
        return answer(source.status(url.searchParams.get("id") ?? ""), taskOf)
      }
    }
  } else if (method === "POST") {
    switch (path) {
      case "/api/cancel":
        // a refused cancel says the task's state: ended, or still waiting (its manager shut down)
        return action(state, url, (source, id) =>
          answer(
            Effect.flatMap(source.cancel(id), (done): Effect.Effect<CancelAnswer, unknown> =>
              done
                ? Effect.succeed({ done, state: undefined })
                : Effect.map(Effect.option(source.status(id)), (found) => ({
                  done,
                  state: found._tag === "Some" ? found.value.state : undefined
                }))),
            (body) => body
          ))
      case "/api/retry":
        return action(state, url, (source, id) => answer(source.retry(id), (done) => ({ done })))
      case "/api/retry-failed":
        return action(state, url, (source) => answer(source.retryAll(), (count) => ({ count })))
    }
  }
  return Effect.succeed(problem(404, `no such page: ${method} ${path}`))
}

/**
 * The dashboard's one handler: every request passes the guard (`guard.ts`), then goes to its
 * route. Interruptible: a page that closes ends its event stream, and the layer's end ends them all.
 *
 * @internal
 */
export const app = (state: State) =>
  onLiveClock(Effect.interruptible(Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) => {
    const url = new URL(request.url, "http://dashboard")
    const refused = refusal({ method: request.method, headers: request.headers, url }, state.settings)
    if (refused !== undefined) return Effect.succeed(problem(refused.status, refused.reason))
    return route(state, request.method, url)
  })))
