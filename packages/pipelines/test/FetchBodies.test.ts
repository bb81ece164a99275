import { assert, describe, it } from "@effect/vitest"
import { TestTime } from "@fiberkit/testkit"
import { Deferred, Effect, Result, Schedule, Stream } from "effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import { BodyTooLarge, HttpStatusError } from "../src/Errors.js"
import * as Fetch from "../src/Fetch.js"
import { collect, failure, live, success } from "./outcomes.js"
import { bodyOf, start } from "./server.js"

describe("Fetch.fetchAll: error bodies", () => {
  live(
    "an error status whose body stalls is HttpStatusError at once, not a timeout: a 404 is asked once",
    Effect.gen(function*() {
      const server = yield* start()
      const missing = server.url("/stall/404/10/a")
      const unavailable = server.url("/stall/503/10/b")
      const outcomes = yield* collect([missing, unavailable], {
        concurrency: 2,
        timeout: "1 second",
        retry: Schedule.recurs(2)
      })
      assert.deepStrictEqual(failure(outcomes, missing), new HttpStatusError({ url: missing, status: 404 }))
      assert.deepStrictEqual(failure(outcomes, unavailable), new HttpStatusError({ url: unavailable, status: 503 }))
      // the status decides: a 404 is not retried, a 503 is, as a status and not as a timeout
      assert.strictEqual(server.attempts("/stall/404/10/a"), 1)
      assert.strictEqual(server.attempts("/stall/503/10/b"), 3)
    })
  )

  it.effect("an error body is read at most 64 KiB, then dropped", () =>
    Effect.gen(function*() {
      const ended = yield* Deferred.make<void>()
      let pulled = 0
      const chunk = new Uint8Array(64 * 1024)
      // 100 chunks of 64 KiB, counted as they are pulled; `ended` when the body stream ends
      const body = Stream.fromEffectRepeat(Effect.sync(() => {
        pulled++
        return chunk
      })).pipe(Stream.take(100), Stream.ensuring(Deferred.succeed(ended, undefined)))
      const client = HttpClient.make((request) =>
        Effect.succeed(
          Object.create(HttpClientResponse.fromWeb(request, new Response(null, { status: 500 })), {
            stream: { value: body }
          })
        )
      )
      const url = "http://x.test/big-error"
      const outcomes = yield* TestTime.run(
        Fetch.fetchAll([url], { concurrency: 1 }).pipe(
          // the stream (and the reading of the body) kept open until the body's stream has ended
          Stream.tap(() => Deferred.await(ended)),
          Stream.runCollect,
          Effect.provideService(HttpClient.HttpClient, client)
        )
      )
      assert.deepStrictEqual([...outcomes], [Result.fail(new HttpStatusError({ url, status: 500 }))])
      assert.isAtLeast(pulled, 1)
      assert.isAtMost(pulled, 2)
    }))
})

describe("Fetch.fetchAll: kept bodies", () => {
  live(
    "keepBody: a body over maxBodyBytes is BodyTooLarge, with a content-length or without; one at the limit is kept",
    Effect.gen(function*() {
      const server = yield* start()
      const urls = {
        over: server.url("/ok/2001"),
        atLimit: server.url("/ok/2000"),
        chunkedOver: server.url("/chunked/100000"),
        chunkedUnder: server.url("/chunked/1999")
      }
      const outcomes = yield* collect(Object.values(urls), {
        concurrency: 4,
        keepBody: true,
        maxBodyBytes: 2000,
        retry: Schedule.recurs(2)
      })
      assert.deepStrictEqual(failure(outcomes, urls.over), new BodyTooLarge({ url: urls.over, maxBodyBytes: 2000 }))
      assert.deepStrictEqual(
        failure(outcomes, urls.chunkedOver),
        new BodyTooLarge({ url: urls.chunkedOver, maxBodyBytes: 2000 })
      )
      assert.deepStrictEqual(success(outcomes, urls.atLimit).body, bodyOf(2000))
      assert.deepStrictEqual(success(outcomes, urls.chunkedUnder).body, bodyOf(1999))
      // not retried
      assert.strictEqual(server.attempts("/chunked/100000"), 1)
    })
  )

  live(
    "keepBody: the default cap is 16 MiB; Infinity is no cap; without keepBody nothing is held and nothing capped",
    Effect.gen(function*() {
      const server = yield* start()
      const MiB = 1024 * 1024
      const over = server.url(`/chunked/${16 * MiB + 1}`)
      const kept = yield* collect([over], { concurrency: 1, keepBody: true })
      assert.deepStrictEqual(failure(kept, over), new BodyTooLarge({ url: over, maxBodyBytes: 16 * MiB }))
      const unbounded = yield* collect([over], { concurrency: 1, keepBody: true, maxBodyBytes: Infinity })
      assert.strictEqual(success(unbounded, over).body?.length, 16 * MiB + 1)
      const counted = yield* collect([over], { concurrency: 1, maxBodyBytes: 10 })
      assert.strictEqual(success(counted, over).bytes, 16 * MiB + 1)
    })
  )

  it.effect("maxBodyBytes not an integer ≥ 0 (or Infinity) fails InvalidOptions", () =>
    Effect.gen(function*() {
      for (const maxBodyBytes of [-1, 1.5, Number.NaN, -Infinity]) {
        const error = yield* Effect.flip(
          collect(["http://x.test/"], { concurrency: 1, keepBody: true, maxBodyBytes }).pipe(
            Effect.provideService(
              HttpClient.HttpClient,
              HttpClient.make((request) => Effect.succeed(HttpClientResponse.fromWeb(request, new Response("ok"))))
            )
          )
        )
        assert.strictEqual(error._tag, "InvalidOptions")
        assert.strictEqual(error.field, "maxBodyBytes")
      }
      assert.isFalse(Fetch.isRetryable(new BodyTooLarge({ url: "http://x.test/", maxBodyBytes: 1 })))
    }))
})
