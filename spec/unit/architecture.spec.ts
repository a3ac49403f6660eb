// The rooms of lib/ and the one-way arrows between them (docs/DESIGN.md):
// every relative import is read from the sources, and the spec fails on an
// import cycle or on an arrow that points up a layer (connection/ importing
// routing/, routing/ importing session/, …). Type-only imports count too: a
// type a lower room needs belongs in that room. Re-exports count as imports.

import { expect } from 'chai'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../lib')

/**
 * Rooms from the bottom up (docs/DESIGN.md draws them); a module may import
 * its own room or any room below it. Anything at lib/ top level not named
 * here is the surface (top): driver.ts, config.ts, public-api.ts, index.ts,
 * reachability.ts.
 *
 * - foundation: clock, errors and their messages, events, log, URLs, option
 *   names, the paces rooms share. Imports nothing of lib/ above it.
 * - auth: token comparison and managers; used by connections (logon),
 *   routing (home-database keys) and sessions alike.
 * - connection: pools, the wire adapter, the unresponsive-member probe.
 * - bookmarks, retry, routing: side by side, each over connection at most;
 *   routing reaches connections through its own MemberConnections interface.
 * - session: sessions, transactions, results; composes the three above.
 */
const LAYERS: ReadonlyArray<{ room: string, test: (file: string) => boolean }> = [
  { room: 'foundation', test: f => /^(clock|errors|events|log|url|version|messages|validation|option-names|unknown-options|cluster-timing)\.ts$/.test(f) },
  { room: 'auth', test: f => f.startsWith('auth/') },
  { room: 'connection', test: f => f.startsWith('connection/') },
  { room: 'bookmarks', test: f => f.startsWith('bookmarks/') },
  { room: 'retry', test: f => f.startsWith('retry/') },
  { room: 'routing', test: f => f.startsWith('routing/') },
  { room: 'session', test: f => f.startsWith('session/') },
  { room: 'surface', test: () => true }
]

/** Rooms side by side (neither may import the other). */
const SIBLINGS = [['bookmarks', 'retry', 'routing']]

function roomOf (file: string): { room: string, level: number } {
  const level = LAYERS.findIndex(layer => layer.test(file))
  return { room: LAYERS[level]?.room ?? 'surface', level }
}

function sources (dir = root, prefix = ''): string[] {
  const files: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) files.push(...sources(path.join(dir, entry.name), `${prefix}${entry.name}/`))
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(`${prefix}${entry.name}`)
  }
  return files
}

/** file → the lib files it imports (relative imports only; `.js` specifiers name `.ts` sources). */
function importGraph (): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  for (const file of sources()) {
    const text = readFileSync(path.join(root, file), 'utf8')
    const targets: string[] = []
    for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.{1,2}\/[^']+)'/g)) {
      const specifier = match[1] as string
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)).replace(/\.js$/, '.ts')
      if (!resolved.startsWith('..')) targets.push(resolved)
    }
    graph.set(file, targets)
  }
  return graph
}

describe('architecture: the rooms of lib/ and their arrows', () => {
  const graph = importGraph()

  it('reads every module and its imports', () => {
    expect(graph.size).to.be.at.least(40)
    expect(graph.get('driver.ts')).to.include('session/session.ts')
  })

  it('has no import cycle', () => {
    const cycles: string[] = []
    const state = new Map<string, 'visiting' | 'done'>()
    const stack: string[] = []
    const visit = (file: string): void => {
      state.set(file, 'visiting')
      stack.push(file)
      for (const next of graph.get(file) ?? []) {
        if (state.get(next) === 'visiting') cycles.push([...stack.slice(stack.indexOf(next)), next].join(' → '))
        else if (state.get(next) === undefined && graph.has(next)) visit(next)
      }
      stack.pop()
      state.set(file, 'done')
    }
    for (const file of graph.keys()) if (state.get(file) === undefined) visit(file)
    expect(cycles).to.deep.equal([])
  })

  it('every arrow points down a layer or stays in its room (connection/ knows nothing of routing/, …)', () => {
    const upward: string[] = []
    for (const [file, targets] of graph) {
      const from = roomOf(file)
      for (const target of targets) {
        const to = roomOf(target)
        const siblings = SIBLINGS.some(group => group.includes(from.room) && group.includes(to.room) && from.room !== to.room)
        if (to.level > from.level || siblings) upward.push(`${file} (${from.room}) → ${target} (${to.room})`)
      }
    }
    expect(upward).to.deep.equal([])
  })
})
