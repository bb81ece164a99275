import * as Effect from "effect/Effect"
import * as Equal from "effect/Equal"
import type * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import { isDeepStrictEqual } from "node:util"
import { LeakDetected } from "../Leaks.js"
import { settle } from "./settle.js"

export { settle }

const same = (a: unknown, b: unknown): boolean => Equal.equals(a, b) || isDeepStrictEqual(a, b)

/** @internal */
export const expectNoLeaks = dual<
  <S>(
    observe: Effect.Effect<S>
  ) => <A, E, R>(run: Effect.Effect<A, E, R>) => Effect.Effect<Exit.Exit<A, E>, LeakDetected, R>,
  <A, E, R, S>(
    run: Effect.Effect<A, E, R>,
    observe: Effect.Effect<S>
  ) => Effect.Effect<Exit.Exit<A, E>, LeakDetected, R>
>(2, (run, observe) =>
  Effect.gen(function*() {
    const before = yield* observe
    const exit = yield* Effect.exit(run)
    yield* settle
    const after = yield* observe
    if (!same(before, after)) return yield* new LeakDetected({ before, after })
    return exit
  }))
