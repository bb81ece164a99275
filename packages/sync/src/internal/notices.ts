/**
 * `Condition` notifications a lock holder woke with and has not shown it acted on.
 *
 * Effect can raise an interruption at any step after `Condition.wait` has returned (the end of
 * an uninterruptible region, a scheduler yield), before the caller looked at what it waited
 * for. So a notification is kept on the hold it woke in — the innermost hold, by depth — until
 * that hold ends: passed on to the next waiter if it ends in a failure, an interruption or with
 * its fiber; dropped if it ends well or is released by hand (the holder acted on it), or when the
 * holder waits again (it looked, and waits for more).
 *
 * @internal
 */
export interface Notice {
  /** The hold depth the waiter woke at (1 for a lock held once). */
  readonly depth: number
  /** Wakes the next waiter; `undefined` once the notice is settled. */
  passOn: (() => void) | undefined
}

/** @internal */
export const makeNotice = (depth: number, passOn: () => void): Notice => ({ depth, passOn })

/** Settles `notice` once: passed on (`failed`) or dropped. */
export const settleNotice = (notice: Notice, failed: boolean): void => {
  const passOn = notice.passOn
  notice.passOn = undefined
  if (failed && passOn !== undefined) passOn()
}

/**
 * The hold at `depth` ended: settles the notices kept at that depth or deeper (`failed`: passed
 * on), and returns those kept by the holds around it (`undefined` if none).
 *
 * @internal
 */
export const settleFrom = (
  notices: ReadonlyArray<Notice> | undefined,
  depth: number,
  failed: boolean
): Array<Notice> | undefined => {
  if (notices === undefined) return undefined
  const kept: Array<Notice> = []
  for (const notice of notices) {
    if (notice.depth >= depth) settleNotice(notice, failed)
    else if (notice.passOn !== undefined) kept.push(notice)
  }
  return kept.length === 0 ? undefined : kept
}
