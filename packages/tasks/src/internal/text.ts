import * as Schema from "effect/Schema"

/**
 * Any value as text, for a record or a message: an `Error` as `name: message`, anything else as
 * `String` gives it — and, where `String` throws (an object without a prototype, a `toString`
 * that throws), as `Object.prototype.toString` gives it. It never throws: text about a failure
 * must not become a failure of its own.
 *
 * @internal
 */
export const textOf = (u: unknown): string => {
  try {
    return u instanceof Error ? `${u.name}: ${u.message}` : String(u)
  } catch {
    return Object.prototype.toString.call(u)
  }
}

const encodeDefect = Schema.encodeUnknownSync(Schema.Defect())

/**
 * A defect as text, read from its encoded form (`Schema.Defect`), so that the process that ran
 * the task and one that decoded it from Redis say the same: an error as `name: message` (an
 * object with a string `message` counts as an `Error`), a string as itself, anything else as
 * its JSON.
 *
 * @internal
 */
export const defectText = (defect: unknown): string => {
  let encoded: unknown
  try {
    encoded = encodeDefect(defect)
  } catch {
    return textOf(defect)
  }
  if (typeof encoded === "string") return encoded
  if (
    typeof encoded === "object" && encoded !== null && typeof (encoded as { message?: unknown }).message === "string"
  ) {
    const { message, name } = encoded as { readonly message: string; readonly name?: unknown }
    return `${typeof name === "string" ? name : "Error"}: ${message}`
  }
  return JSON.stringify(encoded) ?? textOf(defect)
}
