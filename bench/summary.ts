// From a run's raw records to the figures of the report: per workload and
// contender, summaries over rounds; ratios ours/official of medians; percent
// of the raw floor; and the performance goals checked against them. Pure.

import { contendersFor, type ContenderId } from './contenders/contender.js'
import type { StreamSample } from './protocol.js'
import type { BenchResults, FailoverRecord, TrialRecord } from './results.js'
import { median, perOps, perSecond, ratio, summarize, type Summary } from './stats.js'
import { isOptIn, type StreamWorkload, type ThroughputWorkload } from './workloads.js'

const MiB = 2 ** 20

export interface ThroughputFigures {
  trials: number
  opsPerSecond: Summary
  /** Client CPU ms per 10 000 operations. */
  cpuMsPer10k: Summary
  peakRssMiB: number
  peakHeapMiB: number
  /** ROUTE requests the fixture received per 1 000 operations (each operation is one session). */
  routePer1000: Summary
  /** Requests per operation by type, median over rounds. */
  messagesPerOp: Record<string, number>
  errors: number
  firstError: string | null
}

export interface ThroughputRow {
  workload: ThroughputWorkload
  by: Partial<Record<ContenderId, ThroughputFigures>>
  /** ours / official, medians of ops/s. */
  throughputRatio: number | null
  /** ours / official, medians of CPU per operation. */
  cpuRatio: number | null
  /** Percent of the managed-transaction floor's median ops/s (like with like: every throughput workload is a managed transaction). */
  oursOfFloor: number | null
  officialOfFloor: number | null
  /** Percent of the auto-commit floor's median ops/s (one round trip fewer than any managed transaction: for reference). */
  oursOfAutoCommitFloor: number | null
  officialOfAutoCommitFloor: number | null
}

export interface StreamFigures {
  trials: number
  recordsPerSecond: Summary
  /** Peak heapUsed minus heapUsed after a GC before the query. */
  heapGrowthMiB: Summary
  peakHeapMiB: number
  cpuMsPer10kRows: Summary
  peakRssMiB: number
  errors: number
  firstError: string | null
}

export interface StreamRow {
  workload: StreamWorkload
  by: Partial<Record<ContenderId, StreamFigures>>
  throughputRatio: number | null
  oursOfFloor: number | null
  officialOfFloor: number | null
}

export interface FailoverFigures {
  stops: number
  recovered: number
  /** Over the stops that recovered. */
  failoverMs: Summary
  /** Median over every stop, a stop without recovery counted as its bound (so this is a lower bound when some did not recover). */
  medianAllMs: number
  /** The cluster's own part: stop → a new leader ready for writes (fixture clock), over this driver's stops. */
  electionMs: Summary
  /** The driver's part: failover − election, per recovered stop. */
  driverOverheadMs: Summary
  /** Stops of the seed router (the member the URI names), and how many of those recovered. */
  seedStops: number
  seedRecovered: number
  errorsAfterStop: number
}

export interface FailoverRow {
  by: Partial<Record<ContenderId, FailoverFigures>>
  /** ours / official, medians over every stop (medianAllMs; lower is better). */
  ratio: number | null
}

export interface GoalCheck {
  goal: string
  /** What was measured, in words. */
  figure: string
  /** null: not measured in this run. */
  met: boolean | null
}

export interface Summaries {
  throughput: ThroughputRow[]
  stream: StreamRow[]
  failover: FailoverRow | null
  goals: GoalCheck[]
}

export function summarizeRun (results: BenchResults): Summaries {
  const trialsOf = (workload: string, contender: ContenderId): TrialRecord[] =>
    results.trials.filter((t) => t.workload === workload && t.contender === contender)
  const contenders = [...new Set(results.trials.map((t) => t.contender))]

  const throughput: ThroughputRow[] = []
  const stream: StreamRow[] = []
  for (const workload of results.workloads) {
    if (workload.kind === 'throughput') {
      const by: ThroughputRow['by'] = {}
      for (const c of contenders) {
        const figures = throughputFigures(trialsOf(workload.id, c))
        if (figures !== null) by[c] = figures
      }
      const med = (c: ContenderId): number => by[c]?.opsPerSecond.median ?? Number.NaN
      throughput.push({
        workload,
        by,
        throughputRatio: ratio(med('ours'), med('official')),
        cpuRatio: ratio(by.ours?.cpuMsPer10k.median ?? Number.NaN, by.official?.cpuMsPer10k.median ?? Number.NaN),
        oursOfFloor: percent(med('ours'), med('raw-tx')),
        officialOfFloor: percent(med('official'), med('raw-tx')),
        oursOfAutoCommitFloor: percent(med('ours'), med('raw')),
        officialOfAutoCommitFloor: percent(med('official'), med('raw'))
      })
    } else {
      const by: StreamRow['by'] = {}
      for (const c of contenders) {
        const figures = streamFigures(trialsOf(workload.id, c))
        if (figures !== null) by[c] = figures
      }
      const med = (c: ContenderId): number => by[c]?.recordsPerSecond.median ?? Number.NaN
      stream.push({
        workload,
        by,
        throughputRatio: ratio(med('ours'), med('official')),
        oursOfFloor: percent(med('ours'), med('raw')),
        officialOfFloor: percent(med('official'), med('raw'))
      })
    }
  }
  const failover = results.failover ? failoverRow(results.failovers) : null
  return { throughput, stream, failover, goals: checkGoals(throughput, stream, failover, results.args.database) }
}

export function throughputFigures (trials: readonly TrialRecord[]): ThroughputFigures | null {
  const samples = trials.flatMap((t) => t.throughput === undefined ? [] : [{ sample: t.throughput, messages: t.messages }])
  if (samples.length === 0) return null
  const types = [...new Set(samples.flatMap(({ messages }) => Object.keys(messages)))].sort()
  const messagesPerOp: Record<string, number> = {}
  for (const type of types) {
    messagesPerOp[type] = median(samples.map(({ sample, messages }) => perOps(messages[type] ?? 0, sample.opsTotal, 1)))
  }
  return {
    trials: samples.length,
    opsPerSecond: summarize(samples.map(({ sample }) => perSecond(sample.ops, sample.elapsedMs))),
    cpuMsPer10k: summarize(samples.map(({ sample }) => perOps(sample.cpuMicros / 1000, sample.ops, 10_000))),
    peakRssMiB: Math.max(...samples.map(({ sample }) => sample.maxRssBytes)) / MiB,
    peakHeapMiB: Math.max(...samples.map(({ sample }) => sample.peakHeapBytes)) / MiB,
    routePer1000: summarize(samples.map(({ sample, messages }) => perOps(messages.ROUTE ?? 0, sample.opsTotal, 1000))),
    messagesPerOp,
    errors: samples.reduce((sum, { sample }) => sum + sample.errors, 0),
    firstError: samples.find(({ sample }) => sample.firstError !== null)?.sample.firstError ?? null
  }
}

/**
 * One streaming trial from several back-to-back queries: rows, time and CPU
 * add up (the rate is over all of them, so one query's GC pause or scheduler
 * hiccup weighs a third, not all); heap growth is the largest any query had;
 * the first failure fails the trial.
 */
export function combineStreamSamples (samples: readonly StreamSample[]): StreamSample {
  if (samples.length === 0) throw new Error('combineStreamSamples needs at least one sample')
  const growth = (s: StreamSample): number => s.peakHeapBytes - s.baselineHeapBytes
  const largest = samples.reduce((a, b) => growth(b) > growth(a) ? b : a)
  return {
    rows: samples.reduce((n, s) => n + s.rows, 0),
    elapsedMs: samples.reduce((n, s) => n + s.elapsedMs, 0),
    cpuMicros: samples.reduce((n, s) => n + s.cpuMicros, 0),
    baselineHeapBytes: largest.baselineHeapBytes,
    peakHeapBytes: largest.peakHeapBytes,
    maxRssBytes: Math.max(...samples.map((s) => s.maxRssBytes)),
    error: samples.find((s) => s.error !== null)?.error ?? null
  }
}

export function streamFigures (trials: readonly TrialRecord[]): StreamFigures | null {
  const all = trials.flatMap((t) => t.stream === undefined ? [] : [t.stream])
  if (all.length === 0) return null
  // A failed query's partial figures would flatter it: summaries use complete queries only.
  const samples = all.filter((s) => s.error === null)
  return {
    trials: all.length,
    recordsPerSecond: summarize(samples.map((s) => perSecond(s.rows, s.elapsedMs))),
    heapGrowthMiB: summarize(samples.map((s) => Math.max(0, s.peakHeapBytes - s.baselineHeapBytes) / MiB)),
    peakHeapMiB: Math.max(...all.map((s) => s.peakHeapBytes)) / MiB,
    cpuMsPer10kRows: summarize(samples.map((s) => perOps(s.cpuMicros / 1000, s.rows, 10_000))),
    peakRssMiB: Math.max(...all.map((s) => s.maxRssBytes)) / MiB,
    errors: all.length - samples.length,
    firstError: all.find((s) => s.error !== null)?.error ?? null
  }
}

export function failoverRow (records: readonly FailoverRecord[]): FailoverRow {
  const by: FailoverRow['by'] = {}
  for (const contender of [...new Set(records.map((r) => r.contender))]) {
    const mine = records.filter((r) => r.contender === contender)
    const times = mine.flatMap((r) => r.failoverMs === null ? [] : [r.failoverMs])
    const seed = mine.filter((r) => r.stoppedSeed)
    by[contender] = {
      stops: mine.length,
      recovered: times.length,
      failoverMs: summarize(times),
      medianAllMs: median(mine.map((r) => r.failoverMs ?? r.boundMs)),
      electionMs: summarize(mine.flatMap((r) => r.electionMs === null ? [] : [r.electionMs])),
      driverOverheadMs: summarize(mine.flatMap((r) => r.failoverMs === null || r.electionMs === null ? [] : [r.failoverMs - r.electionMs])),
      seedStops: seed.length,
      seedRecovered: seed.filter((r) => r.failoverMs !== null).length,
      errorsAfterStop: mine.reduce((sum, r) => sum + r.errorsAfterStop, 0)
    }
  }
  return { by, ratio: ratio(by.ours?.medianAllMs ?? Number.NaN, by.official?.medianAllMs ?? Number.NaN) }
}

/** 100 × value / floor, or null. */
export function percent (value: number, floor: number): number | null {
  const r = ratio(value, floor)
  return r === null ? null : r * 100
}

interface Check { what: string, value: number | null }

/** One goal over several checks: met when every measured check passes; the figure names the worst. */
function goal (name: string, checks: Check[], passes: (value: number) => boolean, unit: string, worstFirst: (a: number, b: number) => number): GoalCheck {
  const measured = checks.flatMap((c) => c.value === null ? [] : [{ what: c.what, value: c.value }])
  if (measured.length === 0) return { goal: name, figure: 'not measured', met: null }
  const failing = measured.filter((c) => !passes(c.value))
  const worst = [...measured].sort((a, b) => worstFirst(a.value, b.value))[0]
  // Two decimals, or three when two would print a missed goal as its own threshold (0.504 as "0.50").
  const digits = passes(Number(worst.value.toFixed(2))) === passes(worst.value) ? 2 : 3
  const figure = measured.length === 1
    ? `${worst.value.toFixed(digits)}${unit}`
    : `${measured.length - failing.length} of ${measured.length} met; worst ${worst.value.toFixed(digits)}${unit} (${worst.what})` +
      (failing.length > 0 ? `; missed: ${failing.map((c) => c.what).join(', ')}` : '')
  return { goal: name, figure, met: failing.length === 0 }
}

/**
 * `database` null: the home-database run, the only one where ROUTE requests per
 * session differ (with a database named, both drivers cache its routing table,
 * so that goal is not applicable there and says so).
 */
export function checkGoals (throughput: readonly ThroughputRow[], stream: readonly StreamRow[], failover: FailoverRow | null, database: string | null = null): GoalCheck[] {
  const ascending = (a: number, b: number): number => a - b
  const descending = (a: number, b: number): number => b - a
  // An opt-in setting of ours against the official's defaults is shown, not judged.
  const judged = throughput.filter((r) => !isOptIn(r.workload.op))
  const allThroughput: Check[] = [
    ...judged.map((r) => ({ what: r.workload.id, value: r.throughputRatio })),
    ...stream.map((r) => ({ what: r.workload.id, value: r.throughputRatio }))
  ]
  const readHeavy128 = judged
    .filter((r) => r.workload.concurrency === 128 && r.workload.op.startsWith('read'))
    .map((r) => ({ what: r.workload.id, value: r.throughputRatio }))
  const routes = judged
    .filter((r) => r.workload.op === 'session-churn')
    .map((r) => ({ what: r.workload.id, value: r.by.ours !== undefined && r.by.official !== undefined ? r.by.ours.routePer1000.median - r.by.official.routePer1000.median : null }))
  const cpu = judged.map((r) => ({ what: r.workload.id, value: r.cpuRatio }))
  return [
    goal('throughput ≥ 1.0× official on every workload', allThroughput, (v) => v >= 1.0, '×', ascending),
    goal('throughput ≥ 1.3× official on read-heavy concurrency 128', readHeavy128, (v) => v >= 1.3, '×', ascending),
    database === null
      ? goal('fewer ROUTE requests per 1 000 sessions (ours − official < 0)', routes, (v) => v < 0, '', descending)
      : { goal: 'fewer ROUTE requests per 1 000 sessions (ours − official < 0)', figure: `not applicable: the database is named (${database}), so both drivers cache its routing table; see the home-database report`, met: null },
    goal('client CPU per operation ≤ 0.8× official', cpu, (v) => v <= 0.8, '×', descending),
    goal('failover time ≤ 0.5× official', failover === null ? [] : [{ what: 'failover', value: failover.ratio }], (v) => v <= 0.5, '×', descending)
  ]
}

/** What is missing from a run: a contender with no figure for a workload it should have run. */
export function missingFigures (results: BenchResults, summaries: Summaries, contenders: readonly ContenderId[], drivers: readonly ContenderId[]): string[] {
  const missing: string[] = []
  for (const row of summaries.throughput) {
    for (const c of contenders.filter((c) => contendersFor(row.workload.kind).includes(c))) {
      const f = row.by[c]
      if (f === undefined || !Number.isFinite(f.opsPerSecond.median) || f.opsPerSecond.median <= 0) missing.push(`${row.workload.id}: no throughput figure for ${c}`)
      else if (!Number.isFinite(f.cpuMsPer10k.median)) missing.push(`${row.workload.id}: no CPU figure for ${c}`)
    }
  }
  for (const row of summaries.stream) {
    for (const c of contenders.filter((c) => contendersFor(row.workload.kind).includes(c))) {
      const f = row.by[c]
      if (f === undefined || !Number.isFinite(f.recordsPerSecond.median)) missing.push(`${row.workload.id}: no complete streaming query for ${c}`)
    }
  }
  if (results.failover) {
    for (const c of drivers) {
      const f = summaries.failover?.by[c]
      // A stop that ran but saw no recovery within the bound is a figure (the bound), not a missing one:
      // whether a driver recovers is the figure's business, not the harness's.
      if (f === undefined || f.stops === 0) missing.push(`failover: no leader stop completed for ${c}`)
    }
  }
  return missing
}
