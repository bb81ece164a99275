import { assert, describe, it } from "@effect/vitest"
import { Effect, Queue } from "effect"
import * as JoinableQueue from "../src/JoinableQueue.js"

describe("guards", () => {
  it.effect("isJoinableQueue accepts what make gives, of every kind, and nothing else", () =>
    Effect.gen(function*() {
      assert.isTrue(JoinableQueue.isJoinableQueue(yield* JoinableQueue.make<number>()))
      assert.isTrue(JoinableQueue.isJoinableQueue(yield* JoinableQueue.make<number>({ capacity: 1, kind: "lifo" })))
      // Effect's own queue is not one
      assert.isFalse(JoinableQueue.isJoinableQueue(yield* Queue.unbounded<number>()))
      for (const stranger of [{}, null, undefined, 42, "JoinableQueue", () => {}, Effect.void]) {
        assert.isFalse(JoinableQueue.isJoinableQueue(stranger), String(stranger))
      }
    }))
})
