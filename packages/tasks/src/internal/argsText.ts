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

/** The classes Node's structured serialization gives back as themselves. */
const cloneable: ReadonlyArray<abstract new(...args: never) => unknown> = [
  Date,
  RegExp,
  ArrayBuffer,
  DataView,
  Boolean,
  Number,
  String
]

/**
 * Why `value` would not come back as itself from Node's structured serialization, or
 * `undefined` if it would: a function or a symbol, or an object of another class than those it
 * keeps (an `Option`, a `DateTime`, a class instance come back as plain objects).
 */
const notKept = (value: unknown): string | undefined => {
  if (typeof value === "function" || typeof value === "symbol") return `a ${typeof value}`
  if (typeof value !== "object" || value === null) return undefined
  if (Array.isArray(value)) {
    for (const item of value) {
      const reason = notKept(item)
      if (reason !== undefined) return reason
    }
    return undefined
  }
  if (value instanceof Map) {
    for (const [key, item] of value) {
      const reason = notKept(key) ?? notKept(item)
      if (reason !== undefined) return reason
    }
    return undefined
  }
  if (value instanceof Set) {
    for (const item of value) {
      const reason = notKept(item)
      if (reason !== undefined) return reason
    }
    return undefined
  }
  if (ArrayBuffer.isView(value) || cloneable.some((type) => value instanceof type)) return undefined
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) {
    return `an instance of ${proto?.constructor?.name ?? "a class"} (it would come back as a plain object)`
  }
  for (const key of Object.keys(value)) {
    const reason = notKept((value as Record<string, unknown>)[key])
    if (reason !== undefined) return reason
  }
  return undefined
}

/**
 * A task's encoded arguments as the text a database keeps: JSON when JSON keeps them exactly
 * (readable in the database), else Node's structured serialization (`undefined` — a task with
 * no arguments —, `NaN`, `±Infinity`, `-0`, bigints, Dates, Maps, Sets, typed arrays) marked
 * `v8:`. What comes back is what was stored, or nothing is stored: a value neither keeps — a
 * function, a symbol, a class instance such as an `Option` or a `DateTime` (from a Schema that
 * encodes it as it is, as `Schema.Option`; a plain-data Schema of it is storable) — throws, for
 * the caller to report.
 *
 * @internal
 */
export const encodeArgs = (args: unknown): string => {
  if (exactInJson(args)) return JSON.stringify(args)
  const reason = notKept(args)
  if (reason !== undefined) {
    throw new Error(`the encoded arguments hold ${reason}: use an args Schema that encodes to plain data`)
  }
  return SERIALIZED + v8.serialize(args).toString("base64")
}

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
