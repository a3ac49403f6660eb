// The report as markdown: header (machine, fixture, method), then one table
// per kind of figure, then the performance goals. Pure.

import { CONTENDER_LABELS, type ContenderId } from './contenders/contender.js'
import { FULL } from './args.js'
import type { BenchResults } from './results.js'
import type { Summary } from './stats.js'
import type { Summaries } from './summary.js'

const DASH = '—'

export function formatNumber (value: number | null | undefined, digits = 0): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}

export function formatRatio (value: number | null): string {
  return value === null ? DASH : `${value.toFixed(2)}×`
}

export function formatPercent (value: number | null): string {
  return value === null ? DASH : `${Math.round(value)} %`
}

/** "median [min–max]", or only the median when there is one sample. */
export function formatSummary (summary: Summary | undefined, digits = 0): string {
  if (summary === undefined || summary.n === 0) return DASH
  const mid = formatNumber(summary.median, digits)
  return summary.n === 1 ? mid : `${mid} [${formatNumber(summary.min, digits)}–${formatNumber(summary.max, digits)}]`
}

export function table (header: string[], rows: string[][]): string {
  const escape = (cell: string): string => cell.replace(/\|/g, '\\|')
  const line = (cells: string[]): string => `| ${cells.map(escape).join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

function messagesText (perOp: Record<string, number> | undefined): string {
  if (perOp === undefined) return DASH
  const order = ['ROUTE', 'HELLO', 'LOGON', 'BEGIN', 'RUN', 'PULL', 'DISCARD', 'COMMIT', 'ROLLBACK', 'RESET', 'TELEMETRY', 'GOODBYE']
  const types = Object.keys(perOp).sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99))
  const parts = types.filter((t) => perOp[t] >= 0.005).map((t) => `${t} ${perOp[t].toFixed(2)}`)
  const total = types.reduce((sum, t) => sum + perOp[t], 0)
  return parts.length === 0 ? DASH : `${total.toFixed(2)}: ${parts.join(', ')}`
}

const seconds = (ms: number): string => `${Math.round(ms) / 1000} s`

export function renderMarkdown (results: BenchResults, summaries: Summaries): string {
  const { args, machine, fixture } = results
  const ours = CONTENDER_LABELS.ours
  const official = CONTENDER_LABELS.official
  const duration = (Date.parse(results.finishedAt) - Date.parse(results.startedAt)) / 1000
  const out: string[] = []
  out.push(`# Benchmarks: ${ours} vs ${official}, with the raw Bolt floors — ${databaseTitle(args.database, fixture.serverSideRouting)}`, '')
  out.push(`Run ${results.startedAt} (${Math.round(duration)} s, ${args.quick ? '`npm run bench -- --quick`: smoke run, figures not meaningful' : `\`npm run bench${reproduceFlags(args)}\``}), commit ${machine.commit}.`, '')
  out.push(`- **Machine:** ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.os}; Node ${machine.node}; 1-min load average ${machine.loadAverage} at start, ${formatNumber(results.loadAverageEnd, 2)} at end (on ${machine.cores} cores; above ~1 the figures are disturbed by other work).`)
  out.push(`- **Fixture:** ${fixture.primaries} primaries + ${fixture.secondaries} secondaries in one child process (all members share its event loop); routing TTL ${fixture.routingTtlSeconds} s; election timeout ${fixture.electionTimeoutMs[0]}–${fixture.electionTimeoutMs[1]} ms; heartbeat ${fixture.heartbeatMs} ms; secondary lag ${fixture.secondaryLagMs} ms; seed ${fixture.seed}; ${ssrLine(fixture.serverSideRouting)}.`)
  out.push(`- **Method:** ${args.rounds} round(s) per workload; contenders alternate within a round, order reversed every other round (A B C, C B A, …); each trial opens a fresh driver, warms up ${seconds(args.warmupMs)}, then measures ${seconds(args.windowMs)} of closed-loop load (longer if needed until every caller completed an operation); each contender runs in its own worker process ${args.quick ? '(one per contender for the whole quick run)' : 'per workload'}, so CPU and memory are that process's. Database: ${args.database === null ? '**none named**: the clients resolve the home database (not the headline setting: see the named-database report)' : `\`${args.database}\`, named in every query (the headline setting)`}. Default settings for both drivers; neo4j-cluster-driver's writes carry \`{ idempotent: true }\` (the MERGE is idempotent; see Failover). The rows marked opt-in run ours with \`{ idempotent: true, pipelineBegin: true }\` against the official driver's defaults (it has no such option): they show what the option buys and are left out of the goals. Figures: median [min–max] over rounds; ratios are ours/official of medians; "% of floor" is a driver's median over the managed-transaction floor's (streaming: the auto-commit floor's).`)
  out.push(`- **Raw floors:** no driver; per caller one connection, fully decoding every answer. The **managed-transaction floor** (${CONTENDER_LABELS['raw-tx']}) sends what a driver must send for a managed transaction on default settings: BEGIN + RUN + PULL (the fetch size) in one write, then COMMIT once the records are in (two round trips), for executeQuery and transaction functions alike; "% of floor" is against it, like with like. The **auto-commit floor** (${CONTENDER_LABELS.raw}) sends RUN + PULL in one write (one round trip) and is shown for reference, and is the floor of streaming (auto-commit in every client). Session churn's floor is the bare read.`, '')

  if (summaries.throughput.length > 0) {
    out.push('## Throughput (operations/s)', '')
    out.push(table(
      ['workload', ours, official, 'ours/official', 'managed-tx floor', 'ours % of floor', 'official % of floor', 'auto-commit floor'],
      summaries.throughput.map((r) => [
        r.workload.title,
        formatSummary(r.by.ours?.opsPerSecond),
        formatSummary(r.by.official?.opsPerSecond),
        formatRatio(r.throughputRatio),
        formatSummary(r.by['raw-tx']?.opsPerSecond),
        formatPercent(r.oursOfFloor),
        formatPercent(r.officialOfFloor),
        formatSummary(r.by.raw?.opsPerSecond)
      ])), '')
    out.push('## Cost', '')
    out.push('CPU is the client process\'s user + system time during the window. Peak RSS is the worker process\'s lifetime peak for that workload. ROUTE counts come from the fixture (every operation is one session). The floor here is the managed-transaction one.', '')
    const cost = (c: ContenderId, r: Summaries['throughput'][number]): string => formatSummary(r.by[c]?.cpuMsPer10k)
    out.push(table(
      ['workload', 'CPU ms / 10k ops: ours', 'official', 'ours/official', 'floor', 'peak RSS MiB: ours', 'official', 'floor', 'ROUTE / 1000 sessions: ours', 'official', 'failed ops: ours', 'official', 'floors'],
      summaries.throughput.map((r) => [
        r.workload.title,
        cost('ours', r), cost('official', r), formatRatio(r.cpuRatio), cost('raw-tx', r),
        formatNumber(r.by.ours?.peakRssMiB), formatNumber(r.by.official?.peakRssMiB), formatNumber(r.by['raw-tx']?.peakRssMiB),
        formatSummary(r.by.ours?.routePer1000, 1), formatSummary(r.by.official?.routePer1000, 1),
        formatNumber(r.by.ours?.errors), formatNumber(r.by.official?.errors), formatNumber((r.by['raw-tx']?.errors ?? 0) + (r.by.raw?.errors ?? 0))
      ])), '')
  }

  for (const row of summaries.stream) {
    out.push(`## Streaming: ${row.workload.title}`, '')
    out.push(`Records consumed one by one (\`for await\` over a session's result, an auto-commit query; the raw client decodes and drops each RECORD); each trial runs the query 3 times back to back, its rate over all three. ours/official ${formatRatio(row.throughputRatio)}; ours ${formatPercent(row.oursOfFloor)} of the auto-commit floor, official ${formatPercent(row.officialOfFloor)}.`, '')
    out.push(table(
      ['client', 'records/s', 'peak heap growth MiB', 'peak heap MiB', 'CPU ms / 10k rows', 'peak RSS MiB', 'failed queries'],
      (['ours', 'official', 'raw'] as const).flatMap((c) => {
        const f = row.by[c]
        if (f === undefined) return []
        return [[CONTENDER_LABELS[c], formatSummary(f.recordsPerSecond), formatSummary(f.heapGrowthMiB, 1), formatNumber(f.peakHeapMiB, 1), formatSummary(f.cpuMsPer10kRows), formatNumber(f.peakRssMiB), formatNumber(f.errors)]]
      })), '')
  }

  if (summaries.failover !== null) {
    const f = summaries.failover
    out.push('## Failover', '')
    const bound = results.failovers[0]?.boundMs
    out.push(`Time from the leader's stop (fixture clock, just before the stop) to the first write acknowledged by another server (the new leader), one writer doing executeWrite MERGE back to back (ours with \`{ idempotent: true }\`); drivers alternate stop by stop and keep one driver instance across their stops; the old leader restarts and catches up between stops. A stop with no recovery within ${bound === undefined ? 'the bound' : seconds(bound)} counts as that bound in "median, all stops". "New leader ready" is when the fixture itself had a leader ready for writes again (polled every 10 ms: the floor no driver can beat); "driver's part" is failover minus that, per stop (±10 ms). ours/official (medians over all stops) ${formatRatio(f.ratio)}.`, '')
    out.push(table(
      ['driver', 'stops', 'recovered', 'failover ms (recovered stops)', 'median, all stops', 'new leader ready (fixture) ms', 'driver\'s part ms', 'seed router stopped: recovered', 'writes failed after retries'],
      (['ours', 'official'] as const).flatMap((c) => {
        const x = f.by[c]
        if (x === undefined) return []
        return [[CONTENDER_LABELS[c], String(x.stops), String(x.recovered), formatSummary(x.failoverMs), formatNumber(x.medianAllMs),
          formatSummary(x.electionMs), formatSummary(x.driverOverheadMs), `${x.seedRecovered} of ${x.seedStops}`, String(x.errorsAfterStop)]]
      })), '')
  }

  if (summaries.throughput.length > 0) {
    out.push('## Wire requests per operation', '')
    out.push('Requests the fixture received per completed operation (median over rounds), all members together: the round trips and extra work each client causes.', '')
    out.push(table(
      ['workload', ours, official, 'managed-tx floor', 'auto-commit floor'],
      summaries.throughput.map((r) => [r.workload.title, messagesText(r.by.ours?.messagesPerOp), messagesText(r.by.official?.messagesPerOp), messagesText(r.by['raw-tx']?.messagesPerOp), messagesText(r.by.raw?.messagesPerOp)])), '')
  }

  out.push('## Goals', '')
  out.push(table(['goal', 'measured', 'met'], summaries.goals.map((g) => [g.goal, g.figure, g.met === null ? DASH : g.met ? 'yes' : '**no**'])), '')

  const errors = [...summaries.throughput.flatMap((r) => (['ours', 'official', 'raw-tx', 'raw'] as const).flatMap((c) => r.by[c]?.firstError == null ? [] : [`${r.workload.id} ${c}: ${r.by[c]?.firstError ?? ''}`])),
    ...summaries.stream.flatMap((r) => (['ours', 'official', 'raw'] as const).flatMap((c) => r.by[c]?.firstError == null ? [] : [`${r.workload.id} ${c}: ${r.by[c]?.firstError ?? ''}`]))]
  errors.push(...results.failovers.flatMap((f) => f.firstError === null ? [] : [`failover stop ${f.stop + 1} ${f.contender}: ${f.errorsAfterStop} write(s) failed; ${f.firstError}`]))
  if (results.problems.length > 0 || errors.length > 0) {
    out.push('## Problems during the run', '')
    for (const problem of [...results.problems, ...errors.map((e) => `failed operation, ${e}`)]) out.push(`- ${problem}`)
    out.push('')
  }
  out.push(`Reproduce: \`npm run build && npm run bench${reproduceFlags(args)}\` (about ${Math.max(1, Math.round(duration / 60))} min here; \`-- --help\` for options).`, '')
  return out.join('\n')
}

function databaseTitle (database: string | null, serverSideRouting: boolean | undefined): string {
  if (database !== null) return `named database \`${database}\``
  return `home database (no database named), server-side routing ${serverSideRouting === false ? 'off' : 'on'}`
}

function reproduceFlags (args: BenchResults['args']): string {
  const flags: string[] = []
  if (args.quick) flags.push('--quick')
  if (args.database === null) flags.push('--database none')
  else if (args.database !== 'neo4j') flags.push(`--database ${args.database}`)
  if (args.serverSideRouting !== 'on') flags.push(`--server-side-routing ${String(args.serverSideRouting)}`)
  if (args.only.length > 0) flags.push(`--only ${args.only.join(',')}`)
  if (!args.quick && args.rounds !== FULL.rounds) flags.push(`--rounds ${args.rounds}`)
  if (!args.quick && args.windowMs !== FULL.windowMs) flags.push(`--seconds ${args.windowMs / 1000}`)
  return flags.length === 0 ? '' : ` -- ${flags.join(' ')}`
}

/** What the run's fixture said about server-side routing (runs before the option recorded none: no hint). */
function ssrLine (serverSideRouting: boolean | undefined): string {
  if (serverSideRouting === true) return 'server-side routing on (the fixture\'s default, as Neo4j 5\'s): members advertise `ssr.enabled`, so the official driver caches the home database'
  if (serverSideRouting === false) return 'server-side routing off (`--server-side-routing off`): no `ssr.enabled` hint, so the official driver resolves the home database with a ROUTE per session'
  return 'no `ssr.enabled` hint (the fixture did not route server-side then)'
}
