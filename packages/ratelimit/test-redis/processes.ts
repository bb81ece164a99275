/** Fixture processes for the tests of limits shared by processes (`fixtures/*.ts`, run by tsx). */
import { Deferred, Effect, type Scope } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import * as path from "node:path"

export interface Child {
  readonly process: ChildProcess
  readonly lines: Array<string>
}

/** A fixture process (run by tsx), started when it prints `readyLine`; SIGKILLed with the scope. */
export const startFixture = (
  fixture: string,
  args: ReadonlyArray<string>,
  readyLine: string
): Effect.Effect<Child, Error, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.gen(function*() {
      const ready = yield* Deferred.make<void, Error>()
      const child = spawn(process.execPath, ["--import", "tsx", path.join(__dirname, "fixtures", fixture), ...args], {
        stdio: ["pipe", "pipe", "inherit"]
      })
      const lines: Array<string> = []
      let partial = ""
      child.stdout!.setEncoding("utf8")
      child.stdout!.on("data", (chunk: string) => {
        const parts = (partial + chunk).split("\n")
        partial = parts.pop()!
        for (const line of parts) {
          lines.push(line)
          if (line === readyLine) Deferred.doneUnsafe(ready, Effect.void)
        }
      })
      child.on("exit", (code, signal) =>
        Deferred.doneUnsafe(
          ready,
          Effect.fail(new Error(`${fixture} ended (${code ?? signal}) before "${readyLine}"`))
        ))
      yield* Deferred.await(ready)
      return { process: child, lines }
    }),
    (child) => Effect.sync(() => child.process.kill("SIGKILL"))
  )

export const exited = (child: ChildProcess) =>
  Effect.callback<number | null>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.succeed(child.exitCode))
    child.once("exit", (code) => resume(Effect.succeed(code)))
  })
