/**
 * The typed errors of `@fiberkit/ratelimit`.
 *
 * @since 0.1.0
 */

export {
  /**
   * An option outside its range: a limit or interval ≤ 0, a cost above the limit, an unknown
   * algorithm.
   *
   * @since 0.1.0
   * @category errors
   */
  InvalidOptions
} from "@fiberkit/sync/Errors"
