import { Deferred, Effect, Fiber } from "effect"
const mk = (concurrent: boolean) => (k: number, j: number, m: number) => Effect.gen(function*() {
  const d0 = yield* Deferred.make<void>()
  const d1 = yield* Deferred.make<void>()
  const f = yield* Effect.fork(Effect.forEach([d0, d1], Deferred.await, { concurrency: concurrent ? "unbounded" : 1, discard: true }).pipe(Effect.withMaxOpsBeforeYield(m)))
  yield* Effect.fork(Effect.zipRight(Effect.repeatN(Effect.yieldNow(), j), Effect.zipRight(Deferred.succeed(d0, undefined), Deferred.succeed(d1, undefined))))
  yield* Effect.fork(Effect.zipRight(Effect.repeatN(Effect.yieldNow(), k), Fiber.interruptFork(f)))
  const r = yield* Effect.timeout(Fiber.await(f), "100 millis").pipe(Effect.option)
  return r._tag === "Some"
})
const main = async () => {
  for (const concurrent of [false, true]) {
    let hangs = 0, total = 0
    for (let m = 10; m <= 25; m++) for (let k = 0; k < 12; k++) for (let j = 0; j < 3; j++) {
      total++
      if (!(await Effect.runPromise(mk(concurrent)(k, j, m)))) { hangs++; if (hangs < 4) console.log("HANG", concurrent, m, k, j) }
    }
    console.log("concurrent", concurrent, "hangs", hangs, "of", total)
  }
}
main().catch((e) => console.log("ERR", e))
