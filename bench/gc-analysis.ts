// Reading node:v8's GCProfiler report (each collection with the heap before
// and after it): young and full collections, their pauses, and the bytes each
// young collection promoted to the old generation (objects still reachable
// after surviving one already: what makes a young collection slow and brings
// full ones sooner). Pure, unit-tested in spec/bench/profile.spec.ts.

/** One entry of node:v8 GCProfiler's report (the fields read here). */
export interface GcStatistic {
  gcType: string
  /** µs */
  cost: number
  beforeGC: { heapSpaceStatistics: Array<{ spaceName: string, spaceUsedSize: number }> }
  afterGC: { heapSpaceStatistics: Array<{ spaceName: string, spaceUsedSize: number }> }
}

export interface GcSummary {
  /** Young-generation collections (Scavenge, MinorMarkSweep). */
  young: number
  youngMs: number
  /** Bytes the young collections moved to the old generation. */
  promotedBytes: number
  /** Full collections (MarkSweepCompact). */
  full: number
  fullMs: number
}

const oldSpaceUsed = (spaces: GcStatistic['beforeGC']['heapSpaceStatistics']): number =>
  spaces.find((s) => s.spaceName === 'old_space')?.spaceUsedSize ?? 0

export function summarizeGc (statistics: readonly GcStatistic[]): GcSummary {
  const summary: GcSummary = { young: 0, youngMs: 0, promotedBytes: 0, full: 0, fullMs: 0 }
  for (const gc of statistics) {
    if (gc.gcType === 'Scavenge' || gc.gcType === 'MinorMarkSweep') {
      summary.young++
      summary.youngMs += gc.cost / 1000
      summary.promotedBytes += Math.max(0, oldSpaceUsed(gc.afterGC.heapSpaceStatistics) - oldSpaceUsed(gc.beforeGC.heapSpaceStatistics))
    } else if (gc.gcType === 'MarkSweepCompact') {
      summary.full++
      summary.fullMs += gc.cost / 1000
    }
  }
  return summary
}
