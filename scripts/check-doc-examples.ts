/**
 * Type-checks the examples in the API docs, and lists the exports that have none.
 *
 * Every ```ts (or ```typescript) block in a JSDoc comment of `packages/<name>/src/**` (not
 * `src/internal/`) is written as a module to `packages/<name>/build/doc-examples/<Module>-<n>.ts`
 * — inside its package, so `@fiberkit/<name>` resolves to the package itself and its other
 * imports to the package's dependencies, as they would for a user. A generated
 * `build/doc-examples/tsconfig.json` (strict, `noEmit`, unused locals allowed) lists them all, and
 * one TypeScript program checks them: errors are reported at the line of the docs they come from.
 * Re-run the check alone with `npx tsc -p build/doc-examples/tsconfig.json`.
 *
 * Then every export of a public module is listed if its JSDoc has no `**Example**`: functions,
 * constants, classes, types, errors and type ids (`@category symbols`) alike — each must have one,
 * and the run fails otherwise.
 *
 * Usage: `pnpm docs:examples`.
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")
const outDirName = Path.join("build", "doc-examples")
const tsconfigPath = Path.join(root, outDirName, "tsconfig.json")

interface Example {
  readonly source: string // repo-relative path of the documented file
  readonly firstLine: number // 1-based line of the example's first code line in `source`
  readonly indents: ReadonlyArray<number> // per code line: the width of the ` * ` prefix taken off
  readonly label: string // e.g. "Lock example 1"
  readonly file: string // absolute path of the generated module
}

interface MissingExample {
  readonly source: string
  readonly line: number
  readonly name: string
  readonly kind: "value" | "type" | "error" | "symbol"
}

const relative = (file: string) => Path.relative(root, file).split(Path.sep).join("/")

const packages = Fs.readdirSync(Path.join(root, "packages"))
  .filter((name) => Fs.existsSync(Path.join(root, "packages", name, "src", "index.ts")))
  .sort()

/** Public sources of a package: `src/**\/*.ts` without `src/internal/`. */
const publicSources = (pkg: string): Array<string> => {
  const src = Path.join(root, "packages", pkg, "src")
  const found: Array<string> = []
  const walk = (dir: string) => {
    for (const entry of Fs.readdirSync(dir, { withFileTypes: true })) {
      const full = Path.join(dir, entry.name)
      if (entry.isDirectory()) {
        if (full !== Path.join(src, "internal")) walk(full)
      } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
        found.push(full)
      }
    }
  }
  walk(src)
  return found.sort()
}

/** Every JSDoc comment of a file, with the 1-based line it starts on. */
const jsDocComments = (sourceFile: ts.SourceFile): Array<{ readonly text: string; readonly line: number }> => {
  const text = sourceFile.text
  const comments = new Map<number, { text: string; line: number }>()
  const visit = (node: ts.Node) => {
    for (const range of ts.getLeadingCommentRanges(text, node.getFullStart()) ?? []) {
      const comment = text.slice(range.pos, range.end)
      if (comment.startsWith("/**") && !comments.has(range.pos)) {
        comments.set(range.pos, { text: comment, line: sourceFile.getLineAndCharacterOfPosition(range.pos).line + 1 })
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(sourceFile)
  visit(sourceFile.endOfFileToken)
  return [...comments.entries()].sort(([a], [b]) => a - b).map(([, comment]) => comment)
}

/**
 * The code blocks of one comment, each with the offset (in lines) of its first code line and the
 * width of the prefix taken off each line.
 */
const codeBlocks = (
  comment: string
): Array<{ readonly code: string; readonly lineOffset: number; readonly indents: ReadonlyArray<number> }> => {
  const raw = comment.split(/\r?\n/)
  const lines = raw.map((line, i) => i === 0 ? line.replace(/^\/\*\*\s?/, "") : line.replace(/^\s*\*(?!\/)\s?/, ""))
  const blocks: Array<{ code: string; lineOffset: number; indents: ReadonlyArray<number> }> = []
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i]!.trim())) continue
    const start = i + 1
    let end = start
    while (end < lines.length && lines[end]!.trim() !== "```") end++
    if (end === lines.length) throw new Error(`unclosed code block at comment line ${i + 1}`)
    blocks.push({
      code: lines.slice(start, end).join("\n") + "\n",
      lineOffset: start,
      indents: raw.slice(start, end).map((line, k) => line.length - lines[start + k]!.length)
    })
    i = end
  }
  return blocks
}

/** Exports of a public module whose JSDoc has no example. */
const missingExamples = (sourceFile: ts.SourceFile): Array<MissingExample> => {
  const text = sourceFile.text
  const missing: Array<MissingExample> = []
  const seen = new Set<string>()
  for (const statement of sourceFile.statements) {
    if (!ts.canHaveModifiers(statement)) continue
    if (!ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue
    const names: Array<string> = []
    let kind: MissingExample["kind"] = "value"
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) names.push(declaration.name.getText())
    } else if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) {
      if (statement.name) names.push(statement.name.text)
    } else if (
      ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) ||
      ts.isModuleDeclaration(statement) || ts.isEnumDeclaration(statement)
    ) {
      names.push(statement.name.getText())
      kind = "type"
    }
    const comments = ts.getLeadingCommentRanges(text, statement.getFullStart()) ?? []
    const doc = comments.map((range) => text.slice(range.pos, range.end)).filter((c) => c.startsWith("/**")).at(-1) ??
      ""
    if (/@category\s+errors\b/.test(doc)) kind = "error"
    if (/@category\s+symbols\b/.test(doc)) kind = "symbol"
    if (doc.includes("**Example**") && codeBlocks(doc).length > 0) {
      for (const name of names) seen.add(name)
      continue
    }
    const line = sourceFile.getLineAndCharacterOfPosition(statement.getStart()).line + 1
    for (const name of names) {
      // the first declaration of an overloaded function carries the docs
      if (seen.has(name)) continue
      seen.add(name)
      missing.push({ source: relative(sourceFile.fileName), line, name, kind })
    }
  }
  return missing
}

const examples: Array<Example> = []
const missing: Array<MissingExample> = []

for (const pkg of packages) {
  const outDir = Path.join(root, "packages", pkg, outDirName)
  Fs.rmSync(outDir, { recursive: true, force: true })
  for (const file of publicSources(pkg)) {
    const sourceFile = ts.createSourceFile(file, Fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true)
    const moduleName = Path.relative(Path.join(root, "packages", pkg, "src"), file).replace(/\.ts$/, "").split(Path.sep)
      .join("_")
    let n = 0
    for (const comment of jsDocComments(sourceFile)) {
      for (const block of codeBlocks(comment.text)) {
        n++
        const out = Path.join(outDir, `${moduleName}-${n}.ts`)
        Fs.mkdirSync(outDir, { recursive: true })
        Fs.writeFileSync(out, block.code)
        examples.push({
          source: relative(file),
          firstLine: comment.line + block.lineOffset,
          indents: block.indents,
          label: `${moduleName} example ${n}`,
          file: out
        })
      }
    }
    if (moduleName === "index") continue
    for (const m of missingExamples(sourceFile)) missing.push(m)
  }
}

Fs.mkdirSync(Path.dirname(tsconfigPath), { recursive: true })
Fs.writeFileSync(
  tsconfigPath,
  JSON.stringify(
    {
      extends: "../../tsconfig.base.json",
      compilerOptions: {
        noEmit: true,
        composite: false,
        incremental: false,
        declaration: false,
        declarationMap: false,
        sourceMap: false,
        noUnusedLocals: false,
        noUnusedParameters: false
      },
      files: examples.map((example) =>
        Path.relative(Path.dirname(tsconfigPath), example.file).split(Path.sep).join("/")
      )
    },
    null,
    2
  ) + "\n"
)

const config = ts.getParsedCommandLineOfConfigFile(tsconfigPath, {}, {
  ...ts.sys,
  onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
    throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"))
  }
})!
const program = ts.createProgram({ rootNames: config.fileNames, options: config.options })
const diagnostics = ts.getPreEmitDiagnostics(program)

const byFile = new Map(examples.map((example) => [Path.resolve(example.file), example]))
const failed = new Set<Example>()
const errors: Array<string> = []
for (const diagnostic of diagnostics) {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n  ")
  if (diagnostic.file === undefined || diagnostic.start === undefined) {
    errors.push(`error TS${diagnostic.code}: ${message}`)
    continue
  }
  const { character, line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
  const example = byFile.get(Path.resolve(diagnostic.file.fileName))
  if (example === undefined) {
    errors.push(
      `${relative(diagnostic.file.fileName)}:${line + 1}:${character + 1} - error TS${diagnostic.code}: ${message}`
    )
  } else {
    failed.add(example)
    errors.push(
      `${example.source}:${example.firstLine + line}:${
        character + 1 + (example.indents[line] ?? 0)
      } (${example.label}, ${relative(example.file)}) - error TS${diagnostic.code}: ${message}`
    )
  }
}

const groups = [
  ["functions, constants and classes", missing.filter((m) => m.kind === "value")],
  ["types", missing.filter((m) => m.kind === "type")],
  ["errors", missing.filter((m) => m.kind === "error")],
  ["type ids", missing.filter((m) => m.kind === "symbol")]
] as const
for (const [title, entries] of groups) {
  if (entries.length === 0) continue
  console.log(`\nExported ${title} without an example (${entries.length}; each needs one):`)
  for (const m of entries) console.log(`  ${m.source}:${m.line} ${m.name}`)
}

if (errors.length > 0) {
  console.log(`\n${errors.join("\n")}`)
}
const sources = new Set(examples.map((example) => example.source)).size
console.log(
  `\n${examples.length} examples from ${sources} files checked: ${
    failed.size === 0 ? "all pass" : `${failed.size} fail`
  }` +
    (errors.length > failed.size ? `, ${errors.length} errors` : "") +
    `; ${missing.length} exports without an example` +
    ` (re-run the check alone: npx tsc -p ${relative(tsconfigPath)})`
)
if (errors.length > 0 || missing.length > 0) process.exitCode = 1
