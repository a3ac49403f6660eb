// The home-database report's comparison: the same workloads with the
// fixture's server-side routing on and off (`--server-side-routing both`).
// With it on, members advertise `ssr.enabled`, and the official driver caches
// the home database instead of asking a router once per session; this table
// says how much that moves its figures (and ours). Pure.

import { CONTENDER_LABELS } from './contenders/contender.js'
import { formatNumber, formatRatio, formatSummary, table } from './markdown.js'
import type { BenchResults } from './results.js'
import { median, ratio } from './stats.js'
import type { Summaries } from './summary.js'

export interface SettingRun { results: BenchResults, summaries: Summaries }

/** Percent change from `before` to `after` (null without both). */
export function change (before: number | undefined, after: number | undefined): number | null {
  const r = ratio(after ?? Number.NaN, before ?? Number.NaN)
  return r === null ? null : (r - 1) * 100
}

const signed = (value: number | null): string => value === null ? '—' : `${value >= 0 ? '+' : '−'}${Math.abs(Math.round(value))} %`

export function renderSsrComparison (on: SettingRun, off: SettingRun): string {
  const out: string[] = []
  const ours = CONTENDER_LABELS.ours
  const official = CONTENDER_LABELS.official
  out.push('## Server-side routing on vs off (home database)', '')
  const rows = on.summaries.throughput.flatMap((rowOn) => {
    const rowOff = off.summaries.throughput.find((r) => r.workload.id === rowOn.workload.id)
    return rowOff === undefined ? [] : [{ on: rowOn, off: rowOff }]
  })
  const officialChanges = rows.map(({ on: a, off: b }) => change(b.by.official?.opsPerSecond.median, a.by.official?.opsPerSecond.median))
    .filter((c): c is number => c !== null)
  const routeOn = rows.map(({ on: a }) => a.by.official?.routePer1000.median ?? Number.NaN)
  const routeOff = rows.map(({ off: b }) => b.by.official?.routePer1000.median ?? Number.NaN)
  out.push(`Each setting ran on its own fresh fixture, one after the other (so the machine's load may differ between them: compare within a setting first). ` +
    `With server-side routing on, ${official}'s throughput changed by ${signed(median(officialChanges))} (median over ${officialChanges.length} workloads; ` +
    `${signed(Math.min(...officialChanges))} to ${signed(Math.max(...officialChanges))}), and its ROUTE requests per 1 000 sessions went from ` +
    `${formatNumber(Math.min(...routeOff.filter(Number.isFinite)), 1)}–${formatNumber(Math.max(...routeOff.filter(Number.isFinite)), 1)} (off) to ` +
    `${formatNumber(Math.min(...routeOn.filter(Number.isFinite)), 1)}–${formatNumber(Math.max(...routeOn.filter(Number.isFinite)), 1)} (on).`, '')
  out.push(table(
    ['workload', `SSR on: ${ours}`, official, 'ours/official', 'official ROUTE / 1000', `SSR off: ${ours}`, official, 'ours/official', 'official ROUTE / 1000', 'official, on vs off'],
    rows.map(({ on: a, off: b }) => [
      a.workload.title,
      formatSummary(a.by.ours?.opsPerSecond), formatSummary(a.by.official?.opsPerSecond), formatRatio(a.throughputRatio), formatSummary(a.by.official?.routePer1000, 1),
      formatSummary(b.by.ours?.opsPerSecond), formatSummary(b.by.official?.opsPerSecond), formatRatio(b.throughputRatio), formatSummary(b.by.official?.routePer1000, 1),
      signed(change(b.by.official?.opsPerSecond.median, a.by.official?.opsPerSecond.median))
    ])), '')
  return out.join('\n')
}
