import * as v8 from "node:v8"

/** Marks arguments that JSON cannot keep exactly: Node's structured serialization, in base64. */
const SERIALIZED = "v8:"

/**
 * Whether `JSON.parse(JSON.stringify(value))` gives `value` back exactly: `null`, booleans,
 * strings, finite numbers other than `-0`, and arrays (without holes) and plain objects of those.
 * `undefined`, `NaN`, `±Infinity`, `-0`, bigints, Dates, Maps, class instances… are not.
 */
const exactInJson = (value: unknown): boolean => {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0)
    case "object": {
      if (value === null) return true
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!(i in value) || !exactInJson(value[i])) return false
        return true
      }
      const proto = Object.getPrototypeOf(value)
      if (proto !== Object.prototype && proto !== null) return false
      if ("toJSON" in value) return false
      for (const key of Object.keys(value)) {
        if (!exactInJson((value as Record<string, unknown>)[key])) return false
      }
      return true
    }
    default:
      return false
  }
}

/**
 * A task's encoded arguments as the text a database keeps: JSON when JSON keeps them exactly
 * (readable in the database), else Node's structured serialization (`undefined` — a task with
 * no arguments —, `NaN`, `±Infinity`, `-0`, bigints, Dates, Maps, Sets, typed arrays) marked
 * `v8:`. Every value an args Schema can encode to survives the round trip; what cannot be
 * stored at all (a function, a symbol) throws, for the caller to report.
 *
 * @internal
 */
export const encodeArgs = (args: unknown): string =>
  exactInJson(args) ? JSON.stringify(args) : SERIALIZED + v8.serialize(args).toString("base64")

/**
 * The arguments `encodeArgs` wrote (JSON text never starts with `v8:`: rows written as plain JSON
 * read as before).
 *
 * @internal
 */
export const decodeArgs = (text: string): unknown =>
  text.startsWith(SERIALIZED)
    ? v8.deserialize(Buffer.from(text.slice(SERIALIZED.length), "base64"))
    : JSON.parse(text)
