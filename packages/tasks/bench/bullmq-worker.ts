/**
 * A worker process of `bullmq.bench.ts`, forked with the bench's own `execArgv` (so it resolves
 * `@fiberkit/*` to `dist/` as the bench does). It answers messages from the bench process, one at
 * a time:
 * - `{ type: "start", url, prefix, queue, workers }`: makes a BullMQ store on the queue and a
 *   manager running `noop` with `workers` concurrency, then answers `ready`;
 * - `{ type: "stop" }`: closes them (the manager, then the store), then answers `stopped`.
 *
 * It says `online` once loaded, answers `{ type: "error", message }` and exits on a failure, and
 * exits when the bench process goes away (its IPC channel closes).
 */
import { TaskManager } from "@fiberkit/tasks"
import * as BullMQStore from "@fiberkit/tasks/BullMQStore"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { noop } from "./shared.js"

export type Request =
  | {
    readonly type: "start"
    readonly url: string
    readonly prefix: string
    readonly queue: string
    readonly workers: number
  }
  | { readonly type: "stop" }

export type Reply =
  | { readonly type: "online" | "ready" | "stopped" }
  | { readonly type: "error"; readonly message: string }

const send = (reply: Reply, then?: () => void) => process.send!(reply, undefined, undefined, then)

let scope: Scope.Closeable | undefined

const handle = (request: Request): Effect.Effect<Reply, unknown> => {
  if (request.type === "stop") {
    const open = scope
    scope = undefined
    return Effect.as(open === undefined ? Effect.void : Scope.close(open, Exit.void), { type: "stopped" })
  }
  return Effect.gen(function*() {
    if (scope !== undefined) return yield* Effect.die(new Error("start while a manager is running"))
    const own = yield* Scope.make()
    scope = own
    const { prefix, queue, url, workers } = request
    yield* Scope.provide(
      Effect.flatMap(
        BullMQStore.make({ url, prefix, queue }),
        (store) => TaskManager.make({ tasks: [noop], concurrency: workers, store })
      ),
      own
    )
    return { type: "ready" } as const
  })
}

process.on("message", (request: Request) => {
  Effect.runPromise(handle(request)).then((reply) => send(reply), (error: unknown) => {
    process.exitCode = 1
    send({ type: "error", message: String(error) }, () => process.disconnect())
  })
})
process.once("disconnect", () => process.exit())
send({ type: "online" })
