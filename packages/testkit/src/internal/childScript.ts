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
  Effect.gen(function*() {
    const readyLine = options?.ready ?? "ready"
    const exited = yield* Deferred.make<number | null>()
    const ready = yield* Deferred.make<void, Error>()
    // spawned in the acquire (killed with the scope, whatever happens next); its ready line awaited
    // outside it, so that a timeout or an interrupt stops the wait
    const { child, lines } = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
          stdio: ["ignore", "pipe", "inherit"]
        })
        const lines: Array<string> = []
        let partial = ""
        const take = (line: string) => {
          lines.push(line)
          if (line === readyLine) Deferred.doneUnsafe(ready, Effect.void)
        }
        child.stdout.setEncoding("utf8")
        child.stdout.on("data", (chunk: string) => {
          const parts = (partial + chunk).split("\n")
          partial = parts.pop()!
          for (const line of parts) take(line)
        })
        // a last line without its line break is a line too
        child.stdout.on("end", () => {
          if (partial !== "") take(partial)
          partial = ""
        })
        child.on("exit", (code) => {
          Deferred.doneUnsafe(exited, Effect.succeed(code))
          Deferred.doneUnsafe(
            ready,
            Effect.fail(new Error(`${script} exited (${code}) before it printed ${readyLine}`))
          )
        })
        return { child, lines }
      }),
      ({ child }) => Effect.sync(() => void child.kill("SIGKILL"))
    )
    yield* Deferred.await(ready)
    const started: Api.ChildScript = {
      pid: child.pid!,
      lines,
      kill: (signal) => void child.kill(signal),
      exited: Deferred.await(exited)
    }
    return started
  })
