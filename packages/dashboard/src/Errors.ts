/**
 * The typed errors of `@fiberkit/dashboard`.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"

export {
  /**
   * An option outside its range (a port, a window, an interval), a token missing where one is
   * required (bound to anything but loopback), or a task manager watched twice under one name.
   *
   * @since 0.1.0
   * @category errors
   */
  InvalidOptions
} from "@fiberkit/sync/Errors"

/**
 * The dashboard could not listen where it was told (the port is taken, the address is not this
 * machine's …).
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { Dashboard, Errors } from "@fiberkit/dashboard"
 *
 * // fall back to any free port when the usual one is taken
 * const layer = Dashboard.layer({ port: 9380 }).pipe(
 *   Layer.catchTag("DashboardUnavailable", () => Dashboard.layer({ port: 0 }))
 * )
 * const describe = (error: Errors.DashboardUnavailable) => `${error.address}: ${error.reason}`
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class DashboardUnavailable extends Data.TaggedError("DashboardUnavailable")<{
  /** Where it tried to listen: `host:port`. */
  readonly address: string
  /** What the system answered. */
  readonly reason: string
}> {
  override get message(): string {
    return `the dashboard could not listen on ${this.address}: ${this.reason}`
  }
}
