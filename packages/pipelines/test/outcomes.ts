/**
 * Helpers of the Fetch tests: the outcomes of a run collected, one URL's outcome found, and a
 * test against the real server (`./server.ts`) through the undici client.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, it } from "@effect/vitest"
import { Effect, Result, Stream } from "effect"
import type * as HttpClient from "effect/http/HttpClient"
import type * as Scope from "effect/Scope"
import * as Fetch from "../src/Fetch.js"

/** Real sockets: generous, for a loaded CI machine. */
export const NETWORK_TIMEOUT = 30_000

export const collect = (urls: Iterable<string>, options: Fetch.FetchOptions) =>
  Fetch.fetchAll(urls, options).pipe(Stream.runCollect)

export const urlOf = (outcome: Fetch.FetchOutcome): string =>
  Result.isSuccess(outcome) ? outcome.success.url : outcome.failure.url

/** The outcome of `url`, which must appear exactly once. */
export const outcomeOf = (outcomes: ReadonlyArray<Fetch.FetchOutcome>, url: string): Fetch.FetchOutcome => {
  const found = outcomes.filter((outcome) => urlOf(outcome) === url)
  assert.strictEqual(found.length, 1, `${url} appears ${found.length} times`)
  return found[0]!
}

export const success = (outcomes: ReadonlyArray<Fetch.FetchOutcome>, url: string): Fetch.FetchResult => {
  const outcome = outcomeOf(outcomes, url)
  if (Result.isFailure(outcome)) assert.fail(`${url} failed: ${outcome.failure.message}`)
  return outcome.success
}

export const failure = (outcomes: ReadonlyArray<Fetch.FetchOutcome>, url: string): Fetch.FetchError => {
  const outcome = outcomeOf(outcomes, url)
  if (Result.isSuccess(outcome)) {
    assert.fail(`${url} succeeded with status ${outcome.success.status} (${outcome.success.bytes} bytes)`)
  }
  return outcome.failure
}

/** Runs a test against the real server through the undici client. */
export const live = <A, E>(name: string, body: Effect.Effect<A, E, HttpClient.HttpClient | Scope.Scope>) =>
  it.live(name, () => body.pipe(Effect.scoped, Effect.provide(NodeHttpClient.layerUndici)), NETWORK_TIMEOUT)
