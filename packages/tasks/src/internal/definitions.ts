import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { InvalidTaskArgs, InvalidTaskId, UnknownTask } from "../Errors.js"
import type * as Api from "../TaskManager.js"
import { textOf } from "./text.js"

/**
 * Why `id` is not a valid task id, or `undefined` if it is: its characters are Unicode code
 * points (an emoji is one), control characters are Unicode's (category Cc, C1 included), and a
 * lone surrogate (not text: a store would not give it back as itself) is refused too.
 */
const invalidId = (id: unknown): string | undefined => {
  if (typeof id !== "string") return "an id is a string"
  if (id.length === 0) return "it is empty"
  const characters = [...id].length
  if (characters > 256) return `it has ${characters} characters, more than 256`
  if (/\p{Cc}/u.test(id)) return "it holds a control character"
  if (/\p{Cs}/u.test(id)) return "it holds a lone surrogate (not well-formed text)"
  return undefined
}

/**
 * The task's name and its arguments encoded by its Schema: every argument is checked before
 * anything is added, so that an add is all or nothing; so is the id given to `add`, by the one
 * rule every store follows. Shared by the local and the BullMQ manager.
 *
 * @internal
 */
export const encodeArgs = (
  definitions: ReadonlyMap<string, Api.TaskDefinition.Any>,
  task: Api.TaskDefinition.Any | string,
  all: ReadonlyArray<unknown>,
  id: string | undefined
): Effect.Effect<
  { readonly name: string; readonly encoded: Array<unknown> },
  InvalidTaskArgs | InvalidTaskId | UnknownTask
> => {
  if (id !== undefined) {
    const reason = invalidId(id)
    if (reason !== undefined) return Effect.fail(new InvalidTaskId({ id: String(id), reason }))
  }
  const name = typeof task === "string" ? task : task.name
  const definition = definitions.get(name)
  if (definition === undefined) return Effect.fail(new UnknownTask({ task: name }))
  const encode = Schema.encodeUnknownEffect(definition.args)
  return Effect.map(
    Effect.mapError(
      Effect.forEach(all, (args) => encode(args)),
      (error) => new InvalidTaskArgs({ task: name, reason: error.message })
    ),
    (encoded) => ({ name, encoded })
  )
}

/** A failure as text for the store: a tagged error's message, else the squashed cause. @internal */
export const describe = (cause: Cause.Cause<unknown>): string => textOf(Cause.squash(cause))
