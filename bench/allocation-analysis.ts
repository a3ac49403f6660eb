// Reading a V8 sampling heap profile (the inspector's HeapProfiler.stopSampling,
// as `node --heap-prof` writes it): how many bytes a client allocates, grouped
// by who owns the allocating code (the owners of profile-analysis.ts). The
// sampler records about one allocation per `samplingInterval` bytes and
// scales each sample by its odds, so node sizes are estimates of every byte
// allocated while it ran; with includeObjectsCollectedByMinorGC/MajorGC the
// objects the garbage collector already reclaimed count too. Allocation is
// what the young-generation collector pays for, per operation (gc-analysis.ts
// tells what it then pays). Pure, unit-tested in spec/bench/profile.spec.ts.

import { CATEGORY_ORDER, categorize, shortLocation, type CallFrame, type Category } from './profile-analysis.js'

export interface HeapProfileNode {
  id: number
  callFrame: CallFrame
  /** Estimated bytes allocated by this frame itself (not its callees). */
  selfSize: number
  children: HeapProfileNode[]
}

export interface SamplingHeapProfile {
  head: HeapProfileNode
}

export interface AllocationSite {
  /** functionName, or '(anonymous)'. */
  name: string
  /** shortLocation:line (1-based), or '' for native frames. */
  location: string
  category: Category
  bytes: number
}

export interface AllocationAnalysis {
  totalBytes: number
  categories: Array<{ category: Category, bytes: number }>
  /** By bytes allocated, largest first. */
  sites: AllocationSite[]
}

/** `resolve` as in analyseProfile: a frame's original source line, or null for the compiled location. */
export function analyseAllocations (profile: SamplingHeapProfile, resolve?: (frame: CallFrame) => string | null): AllocationAnalysis {
  const bySite = new Map<string, AllocationSite>()
  const byCategory = new Map<Category, number>()
  let totalBytes = 0
  // Iterative: allocation stacks can be deep.
  const pending: HeapProfileNode[] = [profile.head]
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    pending.push(...node.children)
    if (node.selfSize <= 0) continue
    const frame = node.callFrame
    const category = categorize(frame)
    totalBytes += node.selfSize
    byCategory.set(category, (byCategory.get(category) ?? 0) + node.selfSize)
    const location = shortLocation(frame.url)
    const where = location === '' ? '' : resolve?.(frame) ?? `${location}:${frame.lineNumber + 1}`
    const key = `${frame.functionName}|${where}`
    const site = bySite.get(key) ?? { name: frame.functionName === '' ? '(anonymous)' : frame.functionName, location: where, category, bytes: 0 }
    site.bytes += node.selfSize
    bySite.set(key, site)
  }
  return {
    totalBytes,
    categories: CATEGORY_ORDER.filter((c) => (byCategory.get(c) ?? 0) > 0).map((c) => ({ category: c, bytes: byCategory.get(c) ?? 0 })),
    sites: [...bySite.values()].sort((a, b) => b.bytes - a.bytes)
  }
}
