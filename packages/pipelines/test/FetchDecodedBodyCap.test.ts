/**
 * Found by an outside review of issue 20 (what it saw before the fix is described below; its
 * memory-sampling case is left out: a body that stalls past the cap tells the same, exactly).
 *
 * README, Semantics: "A body is kept only with `keepBody: true`, and at most `maxBodyBytes` of it
 * ...: a longer one is `BodyTooLarge`, known by its `content-length` before any read or as it is
 * read, so that `fetchAll` never holds more than `concurrency` × `maxBodyBytes` of bodies."
 *
 * With a client that decodes `content-encoding` (FetchHttpClient), a gzip body whose
 * `content-length` (the compressed size) is at most 64 KiB is read whole with `arrayBuffer`
 * before its size is compared with the cap: the whole decoded body is held, and a body that is
 * already far over the cap but not finished (a stall) is never `BodyTooLarge`, only `FetchTimeout`.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Result, Stream } from "effect"
import * as FetchHttpClient from "effect/http/FetchHttpClient"
import * as zlib from "node:zlib"
import * as Fetch from "../src/Fetch.js"
import { serve } from "./fixtures/loopbackServer.js"

// 32 MiB of zeros, gzipped: about 32 KiB on the wire
const gz = zlib.gzipSync(Buffer.alloc(32 * 1024 * 1024))

describe("review: keepBody cap with a decoding client", { concurrent: false }, () => {
  it.live(
    "a gzip body already 16 MiB over a 100 KB cap is BodyTooLarge as it is read, not a timeout",
    () =>
      Effect.gen(function*() {
        assert.isAtMost(gz.length, 60 * 1024)
        const { base } = yield* serve((_req, res) => {
          // a content-length (compressed) under 64 KiB; half of the compressed body, then a stall
          res.writeHead(200, { "content-encoding": "gzip", "content-length": gz.length })
          res.write(gz.subarray(0, gz.length >> 1))
        })
        const outcomes = yield* Fetch.fetchAll([`${base}/bomb`], {
          concurrency: 1,
          keepBody: true,
          maxBodyBytes: 100_000,
          timeout: "4 seconds"
        }).pipe(Stream.runCollect, Effect.provide(FetchHttpClient.layer))
        const [outcome] = outcomes
        assert.isTrue(Result.isFailure(outcome!))
        assert.strictEqual(Result.isFailure(outcome!) ? outcome.failure._tag : "", "BodyTooLarge")
      }).pipe(Effect.scoped),
    15_000
  )
})
