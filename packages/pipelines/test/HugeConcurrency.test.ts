/**
 * Found by an outside review of issue 20 (what it saw before the fix is described below; its
 * timing case is left to the benchmarks: a test asserts no speed).
 *
 * README: `concurrency` is valid as "an integer ≥ 1" (anything else is InvalidOptions), and
 * "Cost. Outcomes come from `concurrency` workers sharing one iterator ...: `fetchAll` costs what a
 * plain `Effect.forEach` over the same client costs."
 *
 * asCompleted makes `concurrency` workers whatever the number of items (`Array.from({ length:
 * concurrency })`, all forked): a large valid concurrency over two items costs seconds (100,000:
 * about 5–9 s; 1,000,000 blocks the event loop for minutes), and 2 ** 32 dies with
 * `RangeError: Invalid array length`. `Effect.forEach` with the same concurrency is instant.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Result, Stream } from "effect"
import * as HttpClient from "effect/http/HttpClient"
import * as HttpClientResponse from "effect/http/HttpClientResponse"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as Fetch from "../src/Fetch.js"
import * as Files from "../src/Files.js"

const client = HttpClient.make((request) =>
  Effect.succeed(HttpClientResponse.fromWeb(request, new Response("ok", { status: 200 })))
)
const urls = ["http://x.test/a", "http://x.test/b"]

describe("a large concurrency over few items", () => {
  it.live("fetchAll, concurrency 2 ** 32 (an integer ≥ 1), two URLs: two results", () =>
    Effect.gen(function*() {
      const outcomes = yield* Fetch.fetchAll(urls, { concurrency: 2 ** 32 }).pipe(
        Stream.runCollect,
        Effect.provideService(HttpClient.HttpClient, client)
      )
      assert.strictEqual(outcomes.length, 2)
      assert.isTrue(outcomes.every(Result.isSuccess))
    }), 10_000)

  it.live("processFiles, concurrency 2 ** 32 (an integer ≥ 1), one file: one result", () =>
    Effect.gen(function*() {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "review-pipes-"))
      const file = path.join(dir, "a.txt")
      fs.writeFileSync(file, "a\nb\n")
      const outcomes = yield* Files.processFiles([file], Files.lineCount, { concurrency: 2 ** 32 }).pipe(
        Stream.runCollect,
        Effect.provide(NodeFileSystem.layer),
        Effect.ensuring(Effect.sync(() => fs.rmSync(dir, { recursive: true, force: true })))
      )
      assert.deepStrictEqual(outcomes.map(Result.map((r) => r.value)), [Result.succeed(2)])
    }), 10_000)
})
