/**
 * One value per process, shared by every loaded copy of the package (Effect 3's `globalValue`):
 * kept on `globalThis` under `Symbol.for(key)`, made by `make` the first time it is asked for.
 *
 * @internal
 */
export const processGlobal = <A>(key: string, make: () => A): A => {
  const slots = globalThis as Record<symbol, unknown>
  const symbol = Symbol.for(key)
  if (!(symbol in slots)) slots[symbol] = make()
  return slots[symbol] as A
}
