// What `npm pack` would publish must run with the package's own dependencies:
// a published file that imports a devDependency (as the fixture's measurement
// tools once did with neo4j-driver) breaks for every user who runs it, and
// nothing else in the test suite notices, because developers have the
// devDependencies installed. Also checks that relative imports stay inside
// the package, and that the entry points package.json names are published.

import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')

interface PackageJson {
  dependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  bin?: Record<string, string>
  exports?: Record<string, string | Record<string, string>>
}

/**
 * Module specifiers a compiled ES module (or CommonJS file) loads: static
 * imports and re-exports, side-effect imports, dynamic import() and require()
 * with a string literal. Type-only imports are gone from compiled JavaScript.
 */
function importedSpecifiers (source: string): string[] {
  const patterns = [
    /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*(['"])([^'"\n]+)\1/gm,
    /^\s*import\s*(['"])([^'"\n]+)\1/gm,
    /\bimport\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g,
    /\brequire\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g
  ]
  const found = new Set<string>()
  for (const pattern of patterns) for (const match of source.matchAll(pattern)) found.add(match[2])
  return [...found]
}

/** The package a bare specifier names ('@scope/name/deep' → '@scope/name'); null for relative paths and Node built-ins. */
function packageOf (specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return null
  const parts = specifier.split('/')
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
  return builtinModules.includes(name) ? null : name
}

async function packedFiles (): Promise<string[]> {
  // --ignore-scripts: no `prepare` build in the middle of a test run (the suite runs from dist/).
  const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'],
    { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 })
  const [report] = JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>
  return report.files.map((file) => file.path)
}

describe('packaging: what npm pack publishes', function () {
  this.timeout(60_000)
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as PackageJson
  const allowed = new Set(Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies }))
  let files: string[] = []

  before(async () => { files = await packedFiles() })

  it('publishes the entry points package.json names (bin and exports)', () => {
    const targets = [
      ...Object.values(pkg.bin ?? {}),
      ...Object.values(pkg.exports ?? {}).flatMap((target) => typeof target === 'string' ? [target] : Object.values(target))
    ].map((target) => path.posix.normalize(target))
    expect(targets).to.include('dist/lib/index.js')
    for (const target of targets) expect(files, `${target} is published`).to.include(target)
  })

  it('no published JavaScript file imports a package outside "dependencies", or a file that is not published', () => {
    const published = new Set(files)
    const scripts = files.filter((file) => /\.(m|c)?js$/.test(file))
    expect(scripts.length, 'the scan saw the package (is dist/ built?)').to.be.greaterThan(100)
    const problems: string[] = []
    for (const file of scripts) {
      for (const specifier of importedSpecifiers(readFileSync(path.join(ROOT, file), 'utf8'))) {
        if (specifier.startsWith('.')) {
          const target = path.posix.join(path.posix.dirname(file), specifier)
          if (!published.has(target)) problems.push(`${file} imports ${specifier}, which is not published`)
          continue
        }
        const name = packageOf(specifier)
        if (name === null || allowed.has(name)) continue
        const kind = pkg.devDependencies?.[name] !== undefined ? 'a devDependency' : 'not a dependency'
        problems.push(`${file} imports ${specifier} (${kind})`)
      }
    }
    expect(problems).to.deep.equal([])
  })

  it('the scan recognises every import form, and would flag a measurement tool that imports the official driver', () => {
    const source = [
      "import neo4j from 'neo4j-driver';",
      'import {\n  a,\n  b\n} from "@scope/pkg/deep";',
      "export * from './local.js';",
      "import 'side-effect';",
      "const lazy = await import('lazy-pkg');",
      "const cjs = require('cjs-pkg');",
      "import fs from 'node:fs';",
      "import path from 'path';",
      "// a comment that says import x from 'commented' is not an import",
      "const text = 'take it from \\'here\\''"
    ].join('\n')
    expect(importedSpecifiers(source)).to.have.members([
      'neo4j-driver', '@scope/pkg/deep', './local.js', 'side-effect', 'lazy-pkg', 'cjs-pkg', 'node:fs', 'path'])
    expect(importedSpecifiers(source).map(packageOf).filter((name) => name !== null)).to.have.members([
      'neo4j-driver', '@scope/pkg', 'side-effect', 'lazy-pkg', 'cjs-pkg'])
    const tool = readFileSync(path.join(ROOT, 'dist/bench/fixture/measure-official-throughput.js'), 'utf8')
    expect(importedSpecifiers(tool).map(packageOf)).to.include('neo4j-driver')
    expect(files.some((file) => file.startsWith('dist/bench/')), 'bench/ is not published').to.equal(false)
  })
})
