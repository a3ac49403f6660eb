// From the recorded operations, the fault marks and the read-back: the
// figures of one scenario run (invariants first, then timings).

import type { ReadBack } from './verify.js'
import { WRITE_KINDS, type InFlight, type OpRecord } from './workload.js'

export interface Mark {
  /** ms on the run's clock. */
  readonly at: number
  /** 'fault' starts a pause window; 'heal' and 'note' only label the timeline. */
  readonly kind: 'fault' | 'heal' | 'note'
  readonly label: string
}

export interface UnknownOutcomes {
  readonly total: number
  /** Present exactly once on every member. */
  readonly presentOnce: number
  /** Absent on every member. */
  readonly absent: number
  /** Anything else (present twice, or on some members only): a violation. */
  readonly inconsistent: number
}

export interface Metrics {
  readonly writesAcknowledged: number
  /** Acknowledged writes absent from at least one member (must be 0). */
  readonly acknowledgedMissing: number
  /** Ids present more than once on some member (must be 0). */
  readonly duplicated: number
  /** Ids whose count differs between members after healing (must be 0). */
  readonly divergent: number
  readonly unknownOutcomes: UnknownOutcomes
  /** CREATE writes the driver reported as failed (not "outcome unknown") that are present anyway. */
  readonly falseFailures: number
  /** Idempotent MERGE writes reported as failed that are present (allowed: an earlier attempt may have committed). */
  readonly failedMergePresent: number
  readonly readYourWritesViolations: number
  readonly monotonicReadViolations: number
  readonly reads: number
  /** Operations that ended in an error (including "outcome unknown"). */
  readonly errors: number
  readonly errorsByCode: Readonly<Record<string, number>>
  /** Longest time an operation took to fail, ms. */
  readonly slowestErrorMs: number
  /** Longest gap without an acknowledged write from a fault until writes flowed again, ms (max over faults). */
  readonly longestWritePauseMs: number
  /** A fault after which no write was acknowledged before the workload ended. */
  readonly writesNeverResumed: boolean
  readonly p50Ms: number
  readonly p99Ms: number
  /** Extra attempts: each operation's work invocations beyond the first. */
  readonly retries: number
  readonly hung: number
  readonly unreadableMembers: number
  readonly settled: boolean
}

export function percentile (values: readonly number[], p: number): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[index] as number
}

/**
 * Longest write pause after each fault mark: the longest of the gaps from the
 * fault to the first acknowledged write, between acknowledgements, and from the
 * last one to the end of the fault's window (the next fault, or `end`), so a
 * stall that never ends is counted whole.
 */
export function writePause (records: readonly OpRecord[], marks: readonly Mark[], end: number): { pauseMs: number, neverResumed: boolean } {
  const acks = records.filter(r => WRITE_KINDS.includes(r.kind) && r.outcome === 'ok').map(r => r.end).sort((a, b) => a - b)
  const faults = marks.filter(m => m.kind === 'fault').sort((a, b) => a.at - b.at)
  let pauseMs = 0
  let neverResumed = false
  faults.forEach((fault, i) => {
    const windowEnd = Math.max(fault.at, faults[i + 1]?.at ?? end)
    const inWindow = acks.filter(t => t >= fault.at && t <= windowEnd)
    if (inWindow.length === 0) neverResumed = true
    let previous = fault.at
    for (const t of [...inWindow, windowEnd]) {
      pauseMs = Math.max(pauseMs, t - previous)
      previous = t
    }
  })
  return { pauseMs, neverResumed }
}

function checkPresence (records: readonly OpRecord[], readBack: ReadBack): Pick<Metrics,
'acknowledgedMissing' | 'duplicated' | 'divergent' | 'unknownOutcomes' | 'falseFailures' | 'failedMergePresent'> {
  const members = [...readBack.counts.values()]
  const countsOf = (id: number): number[] => members.map(m => m.get(id) ?? 0)
  const writes = new Map<number, OpRecord>()
  for (const r of records) if (WRITE_KINDS.includes(r.kind)) writes.set(r.id, r)
  const everyId = new Set<number>([...writes.keys()])
  for (const m of members) for (const id of m.keys()) everyId.add(id)

  let acknowledgedMissing = 0
  let duplicated = 0
  let divergent = 0
  let falseFailures = 0
  let failedMergePresent = 0
  const unknown = { total: 0, presentOnce: 0, absent: 0, inconsistent: 0 }
  for (const id of everyId) {
    const counts = countsOf(id)
    const max = Math.max(0, ...counts)
    const min = Math.min(...counts)
    if (max > 1) duplicated++
    if (counts.length > 0 && max !== min) divergent++
    const write = writes.get(id)
    if (write === undefined) continue
    if (write.outcome === 'ok' && min === 0) acknowledgedMissing++
    if (write.outcome === 'unknown') {
      unknown.total++
      if (min === 1 && max === 1) unknown.presentOnce++
      else if (max === 0) unknown.absent++
      else unknown.inconsistent++
    }
    if (write.outcome === 'error' && max > 0) {
      if (write.statement === 'create') falseFailures++
      else failedMergePresent++
    }
  }
  return { acknowledgedMissing, duplicated, divergent, unknownOutcomes: unknown, falseFailures, failedMergePresent }
}

export function analyse (records: readonly OpRecord[], hung: readonly InFlight[], marks: readonly Mark[], end: number, readBack: ReadBack): Metrics {
  const failures = records.filter(r => r.outcome !== 'ok')
  const errorsByCode: Record<string, number> = {}
  for (const r of failures) {
    const read = r.kind === 'read' || r.kind === 'query-read'
    const key = `${r.error?.code ?? r.error?.name ?? '?'}${r.outcome === 'unknown' ? ' (outcome unknown)' : ''}${read ? ' on a read' : ''}`
    errorsByCode[key] = (errorsByCode[key] ?? 0) + 1
  }
  const reads = records.filter(r => r.kind === 'read' || r.kind === 'query-read')
  const durations = records.map(r => r.end - r.start)
  const { pauseMs, neverResumed } = writePause(records, marks, end)
  return {
    writesAcknowledged: records.filter(r => WRITE_KINDS.includes(r.kind) && r.outcome === 'ok').length,
    ...checkPresence(records, readBack),
    readYourWritesViolations: reads.filter(r => r.rywViolation === true).length,
    monotonicReadViolations: reads.filter(r => r.monotonicViolation === true).length,
    reads: reads.filter(r => r.outcome === 'ok').length,
    errors: failures.length,
    errorsByCode,
    slowestErrorMs: Math.round(Math.max(0, ...failures.map(r => r.end - r.start))),
    longestWritePauseMs: Math.round(pauseMs),
    writesNeverResumed: neverResumed,
    p50Ms: Math.round(percentile(durations, 50) * 10) / 10,
    p99Ms: Math.round(percentile(durations, 99) * 10) / 10,
    retries: records.reduce((sum, r) => sum + Math.max(0, r.attempts - 1), 0),
    hung: hung.length,
    unreadableMembers: readBack.unreadable.length,
    settled: readBack.settled
  }
}

/** The invariants every run of our driver must keep; empty when it kept them all. */
export function violations (m: Metrics): string[] {
  const out: string[] = []
  if (m.acknowledgedMissing > 0) out.push(`${m.acknowledgedMissing} acknowledged write(s) missing`)
  if (m.duplicated > 0) out.push(`${m.duplicated} id(s) duplicated`)
  if (m.divergent > 0) out.push(`${m.divergent} id(s) differ between members`)
  if (m.unknownOutcomes.inconsistent > 0) out.push(`${m.unknownOutcomes.inconsistent} outcome-unknown write(s) neither present once nor absent`)
  if (m.falseFailures > 0) out.push(`${m.falseFailures} CREATE write(s) reported failed but committed`)
  if (m.readYourWritesViolations > 0) out.push(`${m.readYourWritesViolations} read-your-writes violation(s)`)
  if (m.monotonicReadViolations > 0) out.push(`${m.monotonicReadViolations} monotonic-read violation(s)`)
  if (m.hung > 0) out.push(`${m.hung} operation(s) hung past the stop grace`)
  if (m.unreadableMembers > 0) out.push(`${m.unreadableMembers} member(s) could not be read back`)
  return out
}
