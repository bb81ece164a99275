import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import { spawn } from "node:child_process"
import type * as Api from "../ChildScript.js"

/** @internal */
export const start = (
  script: string,
  args: ReadonlyArray<string>,
  options?: Api.StartOptions
): Effect.Effect<Api.ChildScript, Error, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.gen(function*() {
      const readyLine = options?.ready ?? "ready"
      const exited = yield* Deferred.make<number | null>()
      const ready = yield* Deferred.make<void, Error>()
      const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
        stdio: ["ignore", "pipe", "inherit"]
      })
      const lines: Array<string> = []
      let partial = ""
      child.stdout.setEncoding("utf8")
      child.stdout.on("data", (chunk: string) => {
        const parts = (partial + chunk).split("\n")
        partial = parts.pop()!
        for (const line of parts) {
          lines.push(line)
          if (line === readyLine) Deferred.doneUnsafe(ready, Effect.void)
        }
      })
      child.on("exit", (code) => {
        Deferred.doneUnsafe(exited, Effect.succeed(code))
        Deferred.doneUnsafe(ready, Effect.fail(new Error(`${script} exited (${code}) before it printed ${readyLine}`)))
      })
      yield* Deferred.await(ready)
      const child_: Api.ChildScript = {
        pid: child.pid!,
        lines,
        kill: (signal) => void child.kill(signal),
        exited: Deferred.await(exited)
      }
      return child_
    }),
    (child) => Effect.sync(() => child.kill("SIGKILL"))
  )
