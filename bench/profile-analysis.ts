// Reading a V8 CPU profile (the .cpuprofile format of `node --cpu-prof` and of
// the inspector's Profiler domain): where the client's CPU time goes, grouped
// by who owns the code. Pure, unit-tested in spec/bench/profile.spec.ts.
//
// Self time of a function is the time of the samples whose top frame is that
// function; inclusive ("total") time counts a sample once for every distinct
// function on its stack. Times come from the profile's timeDeltas, so a
// sample that waited (a GC pause, the profiler's own jitter) weighs what it
// lasted, not one tick.

export interface CallFrame {
  functionName: string
  scriptId?: string
  url: string
  /** 0-based. */
  lineNumber: number
  columnNumber: number
}

export interface ProfileNode {
  id: number
  callFrame: CallFrame
  children?: number[]
  hitCount?: number
}

export interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples?: number[]
  timeDeltas?: number[]
}

/**
 * Who owns a frame. 'ours' is this driver (dist/lib); the next three are the
 * official driver's layers (our driver uses bolt-connection and core too);
 * 'harness' is the bench worker and the raw floor's client; the rest is the
 * runtime.
 */
export type Category =
  | 'ours (dist/lib)'
  | 'bolt-connection'
  | 'core'
  | 'neo4j-driver (official)'
  | 'other packages'
  | 'harness (dist/bench, fixture codec)'
  | 'node internals'
  | 'native / builtins'
  | 'GC'
  | 'program (V8, native code)'
  | 'idle'

export const CATEGORY_ORDER: readonly Category[] = [
  'ours (dist/lib)', 'bolt-connection', 'core', 'neo4j-driver (official)', 'other packages',
  'harness (dist/bench, fixture codec)', 'node internals', 'native / builtins', 'GC', 'program (V8, native code)', 'idle'
]

/** A frame's place without machine paths: 'dist/lib/x.js', 'neo4j-driver-core/lib/y.js', 'node:net'. */
export function shortLocation (url: string): string {
  if (url === '') return ''
  const path = url.replace(/^file:\/\//, '')
  const modules = path.lastIndexOf('/node_modules/')
  if (modules >= 0) return path.slice(modules + '/node_modules/'.length)
  const dist = path.lastIndexOf('/dist/')
  if (dist >= 0) return path.slice(dist + 1)
  if (path.startsWith('node:')) return path
  return path.slice(path.lastIndexOf('/') + 1)
}

/** The package a node_modules location belongs to ('@scope/name' or 'name'), or null. */
export function packageOf (location: string): string | null {
  if (location.startsWith('node:') || location.startsWith('dist/') || location === '') return null
  const parts = location.split('/')
  if (parts.length < 2) return null
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]
}

export function categorize (frame: CallFrame): Category {
  const name = frame.functionName
  if (frame.url === '') {
    if (name === '(garbage collector)') return 'GC'
    if (name === '(idle)') return 'idle'
    if (name === '(program)' || name === '(root)') return 'program (V8, native code)'
    return 'native / builtins'
  }
  if (frame.url.startsWith('node:')) return 'node internals'
  const location = shortLocation(frame.url)
  if (location.startsWith('dist/lib/')) return 'ours (dist/lib)'
  if (location.startsWith('dist/')) return 'harness (dist/bench, fixture codec)'
  switch (packageOf(location)) {
    case 'neo4j-driver-bolt-connection': return 'bolt-connection'
    case 'neo4j-driver-core': return 'core'
    case 'neo4j-driver': return 'neo4j-driver (official)'
    case null: return 'native / builtins'
    default: return 'other packages'
  }
}

export interface FunctionTime {
  /** functionName, or '(anonymous)'. */
  name: string
  /** shortLocation:line (1-based), or '' for native frames. */
  location: string
  category: Category
  /** Package for 'other packages' frames (p-retry, lru-cache, …), else null. */
  package: string | null
  ms: number
  /** Share of the busy (non-idle) time, 0–100. */
  percent: number
}

export interface CategoryTime { category: Category, ms: number, percent: number }

export interface ProfileAnalysis {
  /** Profile length (end − start). */
  wallMs: number
  /** Sampled time not idle. */
  busyMs: number
  idleMs: number
  samples: number
  categories: CategoryTime[]
  /** By self time, largest first. */
  self: FunctionTime[]
  /** By inclusive time, largest first (a sample counts once per distinct function on its stack). */
  inclusive: FunctionTime[]
  /** Self time of each of our files (dist/lib), largest first. */
  ourFiles: Array<{ file: string, ms: number, percent: number }>
}

const keyOf = (frame: CallFrame): string => `${frame.functionName}|${frame.url}|${frame.lineNumber}|${frame.columnNumber}`

/**
 * `resolve` may name a frame's original source ('lib/session/session.ts:120'
 * from a source map); without it, or when it answers null, the compiled
 * location is used ('dist/lib/session/session.js:98').
 */
export function analyseProfile (profile: CpuProfile, resolve?: (frame: CallFrame) => string | null): ProfileAnalysis {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  // timeDeltas[i] is the time since the previous sample; sample i lasts until the next one,
  // and the last one until the profile's end.
  const lastAt = profile.startTime + deltas.reduce((a, b) => a + b, 0)
  const selfUs = new Map<number, number>()
  for (let i = 0; i < samples.length; i++) {
    const us = Math.max(0, i + 1 < samples.length ? deltas[i + 1] ?? 0 : profile.endTime - lastAt)
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + us)
  }

  const frames = new Map<string, CallFrame>()
  const selfByKey = new Map<string, number>()
  const inclusiveByKey = new Map<string, number>()
  const categoryUs = new Map<Category, number>()
  let idleUs = 0
  let totalUs = 0
  for (const [id, us] of selfUs) {
    const node = byId.get(id)
    if (node === undefined || us === 0) continue
    totalUs += us
    const category = categorize(node.callFrame)
    if (category === 'idle') { idleUs += us; continue }
    categoryUs.set(category, (categoryUs.get(category) ?? 0) + us)
    const key = keyOf(node.callFrame)
    frames.set(key, node.callFrame)
    selfByKey.set(key, (selfByKey.get(key) ?? 0) + us)
    // Inclusive: every distinct function on this node's stack, once.
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = (byId.get(at) as ProfileNode).callFrame
      if (frame.functionName === '(root)') continue
      const k = keyOf(frame)
      if (seen.has(k)) continue
      seen.add(k)
      frames.set(k, frame)
      inclusiveByKey.set(k, (inclusiveByKey.get(k) ?? 0) + us)
    }
  }
  const busyUs = totalUs - idleUs
  const pct = (us: number): number => busyUs > 0 ? us / busyUs * 100 : 0
  const describe = (key: string, us: number): FunctionTime => {
    const frame = frames.get(key) as CallFrame
    const location = shortLocation(frame.url)
    const category = categorize(frame)
    return {
      name: frame.functionName === '' ? '(anonymous)' : frame.functionName,
      location: location === '' ? '' : resolve?.(frame) ?? `${location}:${frame.lineNumber + 1}`,
      category,
      package: category === 'other packages' ? packageOf(location) : null,
      ms: us / 1000,
      percent: pct(us)
    }
  }
  const sorted = (m: Map<string, number>): FunctionTime[] => [...m].sort((a, b) => b[1] - a[1]).map(([k, us]) => describe(k, us))

  const fileUs = new Map<string, number>()
  for (const [key, us] of selfByKey) {
    const frame = frames.get(key) as CallFrame
    if (categorize(frame) !== 'ours (dist/lib)') continue
    const file = shortLocation(frame.url)
    fileUs.set(file, (fileUs.get(file) ?? 0) + us)
  }

  return {
    wallMs: (profile.endTime - profile.startTime) / 1000,
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    samples: samples.length,
    categories: CATEGORY_ORDER.filter((c) => c !== 'idle' && (categoryUs.get(c) ?? 0) > 0)
      .map((c) => ({ category: c, ms: (categoryUs.get(c) ?? 0) / 1000, percent: pct(categoryUs.get(c) ?? 0) })),
    self: sorted(selfByKey),
    inclusive: sorted(inclusiveByKey),
    ourFiles: [...fileUs].sort((a, b) => b[1] - a[1]).map(([file, us]) => ({ file, ms: us / 1000, percent: pct(us) }))
  }
}

/** The TypeScript file of a compiled file of ours: dist/lib/x/y.js → lib/x/y.ts (other locations unchanged). */
export function sourceOf (location: string): string {
  return location.replace(/^dist\/(lib\/.*)\.js$/, '$1.ts')
}
