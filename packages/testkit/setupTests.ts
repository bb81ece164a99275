import { addEqualityTesters } from "@effect/vitest"

// Effect values (Option, Either, Exit, Chunk, Data classes …) compare by structural equality.
addEqualityTesters()
