import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { InvalidOptions, InvalidTaskArgs, InvalidTaskId, UnknownTask } from "../Errors.js"
import type * as Api from "../TaskManager.js"
import type * as TaskStore from "../TaskStore.js"
import { resolveDedupe } from "./dedupe.js"
import { resolvePriority } from "./priority.js"
import { resolveRunAt } from "./runAt.js"
import { invalidId } from "./taskIds.js"
import { textOf } from "./text.js"

/**
 * The tasks an add stores, all of one kind: the id given to `add` (else a UUID each), checked by
 * the one rule every store follows, the priority resolved (`resolvePriority`), and every argument
 * encoded by the task's Schema before anything is added — an add is all or nothing. Shared by the
 * local and the BullMQ manager.
 *
 * @internal
 */
export const newTasks = (
  definitions: ReadonlyMap<string, Api.TaskDefinition.Any>,
  task: Api.TaskDefinition.Any | string,
  all: ReadonlyArray<unknown>,
  options: Api.TaskManager.AddOptions | undefined,
  trace?: TaskStore.TaskTrace | undefined
): Effect.Effect<Array<TaskStore.NewTask>, InvalidOptions | InvalidTaskArgs | InvalidTaskId | UnknownTask> => {
  const id = options?.id
  if (id !== undefined) {
    const reason = invalidId(id)
    if (reason !== undefined) return Effect.fail(new InvalidTaskId({ id: String(id), reason }))
  }
  const name = typeof task === "string" ? task : task.name
  const definition = definitions.get(name)
  if (definition === undefined) return Effect.fail(new UnknownTask({ task: name }))
  const priority = resolvePriority(options?.priority === undefined ? definition.priority : options.priority)
  if (priority instanceof InvalidOptions) return Effect.fail(priority)
  const dedupe = resolveDedupe(options, name)
  if (dedupe instanceof InvalidOptions) return Effect.fail(dedupe)
  const encode = Schema.encodeUnknownEffect(definition.args)
  return Effect.flatMap(
    Effect.mapError(
      Effect.forEach(all, (args) => encode(args)),
      (error) => new InvalidTaskArgs({ task: name, reason: error.message })
    ),
    (encoded) =>
      Effect.flatMap(Clock.currentTimeMillis, (addedAt) => {
        // (a debounce sets the time: `resolveDedupe` refused a delay or runAt with it)
        const runAt = dedupe?.mode === "debounce" ? addedAt + dedupe.ttl : resolveRunAt(options, addedAt)
        if (runAt instanceof InvalidOptions) return Effect.fail(runAt)
        return Effect.succeed(
          encoded.map((args) => ({
            id: id ?? crypto.randomUUID() as string,
            name,
            args,
            priority,
            addedAt,
            runAt,
            trace
          }))
        )
      })
  )
}

/** A definition, its fields written out (one object shape for every definition). @internal */
export const define = (name: string, options: Omit<Api.TaskDefinition.Any, "name">): Api.TaskDefinition.Any => ({
  name,
  args: options.args,
  success: options.success,
  failure: options.failure,
  run: options.run,
  retry: options.retry,
  timeout: options.timeout,
  priority: options.priority,
  concurrency: options.concurrency
})

/** A failure as text for the store: a tagged error's message, else the squashed cause. @internal */
export const describe = (cause: Cause.Cause<unknown>): string => textOf(Cause.squash(cause))
