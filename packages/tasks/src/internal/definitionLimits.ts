import type * as TaskStore from "../TaskStore.js"

/**
 * The `concurrency` of a manager's definitions: how many tasks of each run in this manager now,
 * as the store's admission (`TaskStore.takeAdmitted`) — a definition at its limit is passed over
 * by this manager's takes, and its tasks keep their place in the queue. `undefined` when no
 * definition has a limit: the takes are then plain ones, at no cost.
 *
 * @internal
 */
export class DefinitionLimits implements TaskStore.Admission {
  private readonly running = new Map<string, number>()

  private constructor(private readonly limits: ReadonlyMap<string, number>) {}

  static of(definitions: Iterable<{ readonly name: string; readonly concurrency?: number | undefined }>) {
    const limits = new Map<string, number>()
    for (const definition of definitions) {
      if (definition.concurrency !== undefined) limits.set(definition.name, definition.concurrency)
    }
    return limits.size === 0 ? undefined : new DefinitionLimits(limits)
  }

  readonly accepts = (name: string): boolean => {
    const limit = this.limits.get(name)
    return limit === undefined || (this.running.get(name) ?? 0) < limit
  }

  readonly taken = (name: string): void => {
    if (this.limits.has(name)) this.running.set(name, (this.running.get(name) ?? 0) + 1)
  }

  readonly untaken = (name: string): void => {
    this.ended(name)
  }

  /** A task of `name` has ended here (or gone back to the queue): `true` if that frees a place its takes waited for. */
  ended(name: string): boolean {
    const limit = this.limits.get(name)
    if (limit === undefined) return false
    const running = this.running.get(name) ?? 0
    if (running > 0) this.running.set(name, running - 1)
    return running === limit
  }
}
