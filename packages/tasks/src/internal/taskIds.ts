/**
 * Why `id` is not a valid task id, or `undefined` if it is: its characters are Unicode code
 * points (an emoji is one), control characters are Unicode's (category Cc, C1 included), and a
 * lone surrogate (not text: a store would not give it back as itself) is refused too. The one rule
 * for a task id on every store, and for a deduplication key.
 *
 * @internal
 */
export const invalidId = (id: unknown): string | undefined => {
  if (typeof id !== "string") return "an id is a string"
  if (id.length === 0) return "it is empty"
  const characters = [...id].length
  if (characters > 256) return `it has ${characters} characters, more than 256`
  if (/\p{Cc}/u.test(id)) return "it holds a control character"
  if (/\p{Cs}/u.test(id)) return "it holds a lone surrogate (not well-formed text)"
  return undefined
}
