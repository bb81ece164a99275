/**
 * Helpers of the Fetch tests: the outcomes of a run collected, one URL's outcome found, and a
 * test against the real server (`./server.ts`) through the undici client.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, it } from "@effect/vitest"
import { Chunk, Effect, Either, Stream } from "effect"
import type * as Scope from "effect/Scope"
import * as Fetch from "../src/Fetch.js"

/** Real sockets: generous, for a loaded CI machine. */
export const NETWORK_TIMEOUT = 30_000

export const collect = (urls: Iterable<string>, options: Fetch.FetchOptions) =>
  Fetch.fetchAll(urls, options).pipe(Stream.runCollect, Effect.map(Chunk.toReadonlyArray))

export const urlOf = (outcome: Fetch.FetchOutcome): string =>
  Either.isRight(outcome) ? outcome.right.url : outcome.left.url

/** The outcome of `url`, which must appear exactly once. */
export const outcomeOf = (outcomes: ReadonlyArray<Fetch.FetchOutcome>, url: string): Fetch.FetchOutcome => {
  const found = outcomes.filter((outcome) => urlOf(outcome) === url)
  assert.strictEqual(found.length, 1, `${url} appears ${found.length} times`)
  return found[0]!
}

export const success = (outcomes: ReadonlyArray<Fetch.FetchOutcome>, url: string): Fetch.FetchResult => {
  const outcome = outcomeOf(outcomes, url)
  if (Either.isLeft(outcome)) assert.fail(`${url} failed: ${outcome.left.message}`)
  return outcome.right
}

export const failure = (outcomes: ReadonlyArray<Fetch.FetchOutcome>, url: string): Fetch.FetchError => {
  const outcome = outcomeOf(outcomes, url)
  if (Either.isRight(outcome)) {
    assert.fail(`${url} succeeded with status ${outcome.right.status} (${outcome.right.bytes} bytes)`)
  }
  return outcome.left
}

/** Runs a test against the real server through the undici client. */
export const live = <A, E>(name: string, body: Effect.Effect<A, E, HttpClient.HttpClient | Scope.Scope>) =>
  it.live(name, () => body.pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici)), NETWORK_TIMEOUT)
