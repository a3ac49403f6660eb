// The printed report: one row per scenario and driver (ours, then the official
// driver, side by side), the failover goals as measured figures, and the
// timelines. Repeated runs are summed (counts) or summarised (pauses: median
// and max; latencies: median of the runs).

import { violations, type Metrics } from './analysis.js'
import type { ScenarioRun } from './harness.js'
import { ALL_SCENARIOS as SCENARIOS, BLACKHOLE_DEFAULTS_GOAL_MS } from './scenarios.js'
import { renderTimeline } from './timeline.js'

export interface Row {
  readonly number: string
  readonly scenario: string
  readonly title: string
  readonly driver: string
  readonly driverLabel: string
  readonly runs: number
  readonly acked: number
  readonly missing: number
  readonly duplicated: number
  readonly divergent: number
  readonly unknown: { total: number, presentOnce: number, absent: number, inconsistent: number }
  readonly falseFailures: number
  readonly ryw: number
  readonly monotonic: number
  readonly errors: number
  readonly errorsByCode: Record<string, number>
  readonly slowestErrorMs: number
  readonly pauseMedianMs: number
  readonly pauseMaxMs: number
  readonly writesNeverResumed: boolean
  readonly p50Ms: number
  readonly p99Ms: number
  readonly retries: number
  readonly hung: number
  readonly violations: string[]
}

function median (values: readonly number[]): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] as number : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

const sum = (runs: readonly ScenarioRun[], pick: (m: Metrics) => number): number => runs.reduce((total, r) => total + pick(r.metrics), 0)

/** The counts of several runs added up (timings are not: only the invariants are read from this). */
function summed (runs: readonly ScenarioRun[]): Metrics {
  const first = (runs[0] as ScenarioRun).metrics
  return {
    ...first,
    acknowledgedMissing: sum(runs, m => m.acknowledgedMissing),
    duplicated: sum(runs, m => m.duplicated),
    divergent: sum(runs, m => m.divergent),
    unknownOutcomes: { ...first.unknownOutcomes, inconsistent: sum(runs, m => m.unknownOutcomes.inconsistent) },
    falseFailures: sum(runs, m => m.falseFailures),
    readYourWritesViolations: sum(runs, m => m.readYourWritesViolations),
    monotonicReadViolations: sum(runs, m => m.monotonicReadViolations),
    hung: sum(runs, m => m.hung),
    unreadableMembers: sum(runs, m => m.unreadableMembers)
  }
}

export function aggregate (runs: readonly ScenarioRun[]): Row[] {
  const groups = new Map<string, ScenarioRun[]>()
  for (const run of runs) {
    const key = `${run.scenario}|${run.driver}`
    groups.set(key, [...(groups.get(key) ?? []), run])
  }
  const order = (run: ScenarioRun): number => SCENARIOS.findIndex(s => s.key === run.scenario) * 2 + (run.driver === 'ours' ? 0 : 1)
  return [...groups.values()].sort((a, b) => order(a[0] as ScenarioRun) - order(b[0] as ScenarioRun)).map(group => {
    const first = group[0] as ScenarioRun
    const errorsByCode: Record<string, number> = {}
    for (const run of group) for (const [code, n] of Object.entries(run.metrics.errorsByCode)) errorsByCode[code] = (errorsByCode[code] ?? 0) + n
    const pauses = group.map(r => r.metrics.longestWritePauseMs)
    return {
      number: first.number,
      scenario: first.scenario,
      title: first.title,
      driver: first.driver,
      driverLabel: first.driverLabel,
      runs: group.length,
      acked: sum(group, m => m.writesAcknowledged),
      missing: sum(group, m => m.acknowledgedMissing),
      duplicated: sum(group, m => m.duplicated),
      divergent: sum(group, m => m.divergent),
      unknown: {
        total: sum(group, m => m.unknownOutcomes.total),
        presentOnce: sum(group, m => m.unknownOutcomes.presentOnce),
        absent: sum(group, m => m.unknownOutcomes.absent),
        inconsistent: sum(group, m => m.unknownOutcomes.inconsistent)
      },
      falseFailures: sum(group, m => m.falseFailures),
      ryw: sum(group, m => m.readYourWritesViolations),
      monotonic: sum(group, m => m.monotonicReadViolations),
      errors: sum(group, m => m.errors),
      errorsByCode,
      slowestErrorMs: Math.max(...group.map(r => r.metrics.slowestErrorMs)),
      pauseMedianMs: Math.round(median(pauses)),
      pauseMaxMs: Math.max(...pauses),
      writesNeverResumed: group.some(r => r.metrics.writesNeverResumed),
      p50Ms: Math.round(median(group.map(r => r.metrics.p50Ms)) * 10) / 10,
      p99Ms: Math.round(median(group.map(r => r.metrics.p99Ms)) * 10) / 10,
      retries: sum(group, m => m.retries),
      hung: sum(group, m => m.hung),
      violations: violations(summed(group))
    }
  })
}

const HEADER = ['#', 'scenario', 'driver', 'acked', 'missing', 'dup', 'unknown once/absent', 'RYW viol', 'mono viol', 'errors', 'pause ms', 'p50 ms', 'p99 ms', 'retries']

function cells (row: Row): string[] {
  const pause = row.runs > 1 ? `${row.pauseMedianMs} (max ${row.pauseMaxMs})` : String(row.pauseMedianMs)
  return [
    row.number, row.scenario, row.driver === 'ours' ? 'ours' : 'official', String(row.acked), String(row.missing), String(row.duplicated),
    `${row.unknown.total}: ${row.unknown.presentOnce}/${row.unknown.absent}`, String(row.ryw), String(row.monotonic), String(row.errors),
    pause + (row.writesNeverResumed ? '!' : ''), String(row.p50Ms), String(row.p99Ms), String(row.retries)
  ]
}

/** Plain text, columns aligned (also valid as the body of a Markdown table when `markdown`). */
export function renderTable (rows: readonly Row[], markdown = false): string {
  const table = [HEADER, ...rows.map(cells)]
  const widths = HEADER.map((_, i) => Math.max(...table.map(r => (r[i] ?? '').length)))
  const line = (r: string[]): string => markdown
    ? `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`
    : r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()
  const rule = markdown ? `|${widths.map(w => '-'.repeat(w + 2)).join('|')}|` : widths.map(w => '-'.repeat(w)).join('  ')
  return [line(HEADER), rule, ...table.slice(1).map(line)].join('\n')
}

/** Notes below the table: anything beyond the columns (hangs, divergence, false failures, invariant breaks). */
export function renderNotes (rows: readonly Row[]): string[] {
  const notes: string[] = []
  for (const row of rows) {
    const label = `${row.number} ${row.scenario} (${row.driver})`
    if (row.violations.length > 0) notes.push(`${label}: ${row.violations.join('; ')}`)
    if (row.writesNeverResumed) notes.push(`${label}: after a fault no write was acknowledged before the run ended ('!' in the table)`)
    if (row.errors > 0) notes.push(`${label}: errors ${Object.entries(row.errorsByCode).map(([code, n]) => `${n}× ${code}`).join(', ')}; slowest took ${row.slowestErrorMs} ms`)
  }
  return notes
}

export interface Goal { readonly goal: string, readonly ours: number, readonly official: number, readonly bound: number, readonly met: boolean }

/** The failover goals, as measured figures (median pauses). */
export function goals (rows: readonly Row[], electionUpperMs: number, connectionTimeoutMs: number): Goal[] {
  const pause = (scenario: string, driver: string): number | undefined => rows.find(r => r.scenario === scenario && r.driver === driver)?.pauseMedianMs
  const out: Goal[] = []
  const stopOurs = pause('leader-stop', 'ours')
  const stopOfficial = pause('leader-stop', 'official')
  if (stopOurs !== undefined && stopOfficial !== undefined) {
    const bound = Math.min(electionUpperMs + 300, stopOfficial / 2)
    out.push({ goal: `leader hard stop: write pause ≤ election upper bound + 300 ms (${electionUpperMs + 300}) and ≤ half the official driver's`, ours: stopOurs, official: stopOfficial, bound, met: stopOurs <= bound })
  }
  const holeOurs = pause('leader-blackhole', 'ours')
  const holeOfficial = pause('leader-blackhole', 'official')
  if (holeOurs !== undefined && holeOfficial !== undefined) {
    const bound = connectionTimeoutMs + electionUpperMs
    out.push({ goal: `black-holed leader: write pause ≤ connectionTimeout + one election (${bound}) and < the official driver's`, ours: holeOurs, official: holeOfficial, bound, met: holeOurs <= bound && holeOurs < holeOfficial })
  }
  const defaultsOurs = rows.find(r => r.scenario === 'leader-blackhole-defaults' && r.driver === 'ours')
  const defaultsOfficial = pause('leader-blackhole-defaults', 'official')
  if (defaultsOurs !== undefined) {
    out.push({
      goal: `black-holed leader on DEFAULT configuration (no connectionTimeout set): write pause ≤ ${BLACKHOLE_DEFAULTS_GOAL_MS} ms, median of ${defaultsOurs.runs === 5 ? '5' : `${defaultsOurs.runs} (the goal is stated over 5)`}`,
      ours: defaultsOurs.pauseMedianMs,
      official: defaultsOfficial ?? Number.NaN,
      bound: BLACKHOLE_DEFAULTS_GOAL_MS,
      met: defaultsOurs.pauseMedianMs <= BLACKHOLE_DEFAULTS_GOAL_MS
    })
  }
  return out
}

export function renderGoals (list: readonly Goal[]): string[] {
  return list.map(g => `${g.met ? 'met   ' : 'MISSED'} ${g.goal}: ours ${g.ours} ms, official ${Number.isNaN(g.official) ? 'not run' : `${g.official} ms`}`)
}

/** The timeline of each scenario and driver: the run with the longest write pause (the worst one shows the pause). */
export function renderTimelines (runs: readonly ScenarioRun[]): string {
  const worst = new Map<string, ScenarioRun>()
  for (const run of runs) {
    const key = `${run.scenario}|${run.driver}`
    const current = worst.get(key)
    if (current === undefined || run.metrics.longestWritePauseMs > current.metrics.longestWritePauseMs) worst.set(key, run)
  }
  const ordered = [...worst.values()].sort((a, b) =>
    SCENARIOS.findIndex(s => s.key === a.scenario) - SCENARIOS.findIndex(s => s.key === b.scenario) || (a.driver === 'ours' ? -1 : 1))
  return ordered.map(run => `${run.number} ${run.title} — ${run.driverLabel} (write pause ${run.metrics.longestWritePauseMs} ms)\n${renderTimeline(run.timeline)}`).join('\n\n')
}
