/**
 * A TypeScript script run in a process of its own (`node --import tsx script …args`), for tests
 * that need a second process: a worker killed with SIGKILL, another process on the same queue.
 * Ready once it prints its ready line; its output lines collected as they come; killed (SIGKILL)
 * when the scope closes.
 *
 * @since 0.2.0
 */
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as internal from "./internal/childScript.js"

/**
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { ChildScript } from "@fiberkit/testkit"
 *
 * // the lines a child printed after it was ready
 * const after = (child: ChildScript.ChildScript) => child.lines.slice(child.lines.indexOf("ready") + 1)
 * const stop = (child: ChildScript.ChildScript) => Effect.sync(() => child.kill("SIGTERM"))
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface ChildScript {
  readonly pid: number
  /** Its standard output so far, line by line (the ready line included). */
  readonly lines: ReadonlyArray<string>
  /** Sends it a signal. */
  readonly kill: (signal: NodeJS.Signals) => void
  /** Its exit code once it has exited (`null`: ended by a signal). */
  readonly exited: Effect.Effect<number | null>
}

/**
 * **Example**
 *
 * ```ts
 * import { ChildScript } from "@fiberkit/testkit"
 *
 * const options: ChildScript.StartOptions = { ready: "listening" }
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface StartOptions {
  /** The line that says it is ready. Default `"ready"`. */
  readonly ready?: string | undefined
}

/**
 * Starts `script` with `args` and waits until it prints its ready line; fails if it exits first.
 * Its standard error goes to the test's.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { ChildScript } from "@fiberkit/testkit"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const worker = yield* ChildScript.start("test/fixtures/worker.ts", ["queue-1"])
 *   worker.kill("SIGKILL")
 *   return yield* worker.exited // null: killed by a signal
 * }))
 * ```
 *
 * @since 0.2.0
 * @category constructors
 */
export const start: (
  script: string,
  args: ReadonlyArray<string>,
  options?: StartOptions
) => Effect.Effect<ChildScript, Error, Scope.Scope> = internal.start
