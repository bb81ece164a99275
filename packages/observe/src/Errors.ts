/**
 * The typed errors of `@fiberkit/observe`.
 *
 * @since 0.1.0
 */

export {
  /**
   * An option outside its range: a Timeline capacity below 1.
   *
   * @since 0.1.0
   * @category errors
   */
  InvalidOptions
} from "@fiberkit/sync/Errors"
