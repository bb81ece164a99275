import { InvalidOptions } from "@fiberkit/sync/Errors"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Api from "../Dashboard.js"
import { isLoopback } from "./guard.js"

/** The options, checked, with their defaults. @internal */
export interface Settings {
  readonly port: number
  readonly host: string
  readonly loopback: boolean
  readonly write: boolean
  readonly token: string | undefined
  readonly windowMillis: number
  readonly everyMillis: number
  readonly capacity: number
  readonly tasksPerState: number
  readonly title: string
}

/** @internal */
export const defaults = {
  port: 9380,
  host: "127.0.0.1",
  windowMillis: 60_000,
  everyMillis: 500,
  capacity: 20_000,
  tasksPerState: 50,
  title: "fiberkit"
} as const

const invalid = (field: string, expected: string, value: unknown) =>
  new InvalidOptions({ operation: "Dashboard.layer", field, expected, value })

const millisOf = (input: Duration.Input | undefined, fallback: number): number | undefined => {
  if (input === undefined) return fallback
  const duration = Duration.fromInput(input)
  return Option.isSome(duration) ? Duration.toMillis(duration.value) : undefined
}

const isIntegerIn = (value: unknown, low: number, high: number): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= low && value <= high

/**
 * The options checked: each out of range fails `InvalidOptions` naming it; bound to anything but
 * loopback without a token fails too (the page can cancel tasks and shows their arguments' errors).
 *
 * @internal
 */
export const settingsOf = (options: Api.Options | undefined): Effect.Effect<Settings, InvalidOptions> =>
  Effect.suspend(() => {
    const port = options?.port ?? defaults.port
    if (!isIntegerIn(port, 0, 65_535)) return Effect.fail(invalid("port", "an integer from 0 to 65535", port))
    const host = options?.host ?? defaults.host
    if (typeof host !== "string" || host === "") return Effect.fail(invalid("host", "a non-empty address", host))
    const raw = options?.token
    const token = raw === undefined ? undefined : Redacted.isRedacted(raw) ? Redacted.value(raw) : raw
    // it travels in a header: visible ASCII only (no space, no line break a file read may leave)
    if (token !== undefined && (typeof token !== "string" || !/^[\x21-\x7e]+$/.test(token))) {
      return Effect.fail(invalid("token", "a non-empty string of visible ASCII characters (no spaces)", "<redacted>"))
    }
    const loopback = isLoopback(host)
    if (!loopback && token === undefined) {
      return Effect.fail(invalid("token", `given when host is not loopback (host is ${host})`, undefined))
    }
    const windowMillis = millisOf(options?.window, defaults.windowMillis)
    if (windowMillis === undefined || !(windowMillis >= 1_000 && windowMillis <= 3_600_000)) {
      return Effect.fail(invalid("window", "a duration from 1 second to 1 hour", options?.window))
    }
    const everyMillis = millisOf(options?.every, defaults.everyMillis)
    if (everyMillis === undefined || !(everyMillis >= 50 && everyMillis <= 60_000)) {
      return Effect.fail(invalid("every", "a duration from 50 milliseconds to 1 minute", options?.every))
    }
    const capacity = options?.capacity ?? defaults.capacity
    if (!isIntegerIn(capacity, 1, 1_000_000)) {
      return Effect.fail(invalid("capacity", "an integer from 1 to 1,000,000", capacity))
    }
    const tasksPerState = options?.tasksPerState ?? defaults.tasksPerState
    if (!isIntegerIn(tasksPerState, 1, 1_000)) {
      return Effect.fail(invalid("tasksPerState", "an integer from 1 to 1,000", tasksPerState))
    }
    const title = options?.title ?? defaults.title
    if (typeof title !== "string") return Effect.fail(invalid("title", "a string", title))
    return Effect.succeed({
      port,
      host,
      loopback,
      write: options?.write === true,
      token,
      windowMillis,
      everyMillis,
      capacity,
      tasksPerState,
      title
    })
  })
