// Where the machine's Chromium is (read by vitest.workspace.ts too: node modules only here)
import { existsSync } from "node:fs"
import * as path from "node:path"

/** The Chromium to run: `FIBERKIT_CHROMIUM`, else `chromium` (or `chromium-browser`) on the PATH. */
export const chromiumPath = (): string | undefined => {
  const given = process.env.FIBERKIT_CHROMIUM
  if (given !== undefined && given !== "") return given
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    for (const name of ["chromium", "chromium-browser"]) {
      const candidate = path.join(dir, name)
      if (dir !== "" && existsSync(candidate)) return candidate
    }
  }
  return undefined
}
