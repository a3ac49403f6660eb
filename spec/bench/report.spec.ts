// From raw trial records to the report: per-operation figures, ratios, the
// floor, the goals, missing figures, markdown; and the command line and
// workload selection that decide what runs.

import { expect } from 'chai'
import { parseBenchArgs, UsageError } from '../../bench/args.js'
import { formatRatio, formatSummary, renderMarkdown, table } from '../../bench/markdown.js'
import type { StreamSample, ThroughputSample } from '../../bench/protocol.js'
import type { BenchResults, TrialRecord } from '../../bench/results.js'
import { change, renderSsrComparison } from '../../bench/ssr-compare.js'
import { combineStreamSamples, missingFigures, streamFigures, summarizeRun, throughputFigures } from '../../bench/summary.js'
import { messageDelta } from '../../bench/trials.js'
import { allWorkloads, failoverSelected, mergeKey, selectWorkloads, unknownFilters } from '../../bench/workloads.js'

const MiB = 2 ** 20

function sample (ops: number, overrides: Partial<ThroughputSample> = {}): ThroughputSample {
  return { ops, opsTotal: ops, errors: 0, elapsedMs: 1000, cpuMicros: ops * 100, peakHeapBytes: 10 * MiB, maxRssBytes: 50 * MiB, firstError: null, drained: true, ...overrides }
}

function trial (workload: string, contender: 'ours' | 'official' | 'raw' | 'raw-tx', round: number, s: ThroughputSample, messages: Record<string, number> = {}): TrialRecord {
  return { workload, round, contender, throughput: s, messages }
}

function streamTrial (contender: 'ours' | 'official' | 'raw', s: Partial<StreamSample>): TrialRecord {
  const full: StreamSample = { rows: 1000, elapsedMs: 100, cpuMicros: 50_000, baselineHeapBytes: 5 * MiB, peakHeapBytes: 7 * MiB, maxRssBytes: 60 * MiB, error: null, ...s }
  return { workload: 'stream', round: 0, contender, stream: full, messages: {} }
}

function results (trials: TrialRecord[], overrides: Partial<BenchResults> = {}): BenchResults {
  const workloads = allWorkloads(1000).filter((w) => ['read-return-1-c128', 'session-churn-c16', 'stream'].includes(w.id))
  return {
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    loadAverageEnd: 0.7,
    args: parseBenchArgs(['--database', 'none']),
    machine: { cpuModel: 'Test CPU', cores: 2, node: 'v20.0.0', os: 'Linux', memoryGiB: 4, loadAverage: 0.5, commit: 'abc123' },
    fixture: { primaries: 3, secondaries: 2, routingTtlSeconds: 300, electionTimeoutMs: [300, 600], heartbeatMs: 100, secondaryLagMs: 0, seed: 1, serverSideRouting: true },
    workloads,
    failover: false,
    trials,
    failovers: [],
    problems: [],
    ...overrides
  }
}

describe('bench: figures from trials', () => {
  it('ops/s, CPU per 10 000 ops, ROUTE per 1 000 sessions and requests per operation from one trial', () => {
    const f = throughputFigures([trial('w', 'ours', 0, sample(2000, { elapsedMs: 2000, cpuMicros: 1_000_000, opsTotal: 2500 }), { ROUTE: 5, RUN: 2500 })])
    expect(f?.opsPerSecond.median).to.equal(1000)
    expect(f?.cpuMsPer10k.median).to.equal(5000) // 1 000 ms CPU / 2 000 ops × 10 000
    expect(f?.routePer1000.median).to.equal(2) // 5 ROUTE / 2 500 sessions × 1 000
    expect(f?.messagesPerOp.RUN).to.equal(1)
    expect(f?.peakRssMiB).to.equal(50)
  })

  it('sums failures and keeps the first message; peaks are maxima over rounds', () => {
    const f = throughputFigures([
      trial('w', 'ours', 0, sample(10, { errors: 2, firstError: 'boom', maxRssBytes: 70 * MiB })),
      trial('w', 'ours', 1, sample(10, { errors: 1, peakHeapBytes: 30 * MiB }))
    ])
    expect(f?.errors).to.equal(3)
    expect(f?.firstError).to.equal('boom')
    expect(f?.peakRssMiB).to.equal(70)
    expect(f?.peakHeapMiB).to.equal(30)
  })

  it('no trials, no figures', () => {
    expect(throughputFigures([])).to.equal(null)
    expect(streamFigures([])).to.equal(null)
  })

  it('a streaming trial of several queries: rows, time and CPU add up, heap growth is the largest, the first failure fails it', () => {
    const q = (s: Partial<StreamSample>): StreamSample => ({ rows: 1000, elapsedMs: 100, cpuMicros: 50_000, baselineHeapBytes: 5 * MiB, peakHeapBytes: 7 * MiB, maxRssBytes: 60 * MiB, error: null, ...s })
    const c = combineStreamSamples([q({}), q({ elapsedMs: 300, baselineHeapBytes: 4 * MiB, peakHeapBytes: 9 * MiB, maxRssBytes: 70 * MiB }), q({ cpuMicros: 10_000 })])
    expect(c).to.deep.equal({ rows: 3000, elapsedMs: 500, cpuMicros: 110_000, baselineHeapBytes: 4 * MiB, peakHeapBytes: 9 * MiB, maxRssBytes: 70 * MiB, error: null })
    expect(streamFigures([{ workload: 'stream', round: 0, contender: 'ours', stream: c, messages: {} }])?.recordsPerSecond.median).to.equal(6000)
    const failed = combineStreamSamples([q({}), q({ rows: 10, error: 'cut' })])
    expect(failed.error).to.equal('cut')
    expect(failed.rows).to.equal(1010)
    expect(() => combineStreamSamples([])).to.throw(/at least one/)
  })

  it('streaming: records/s and heap growth over complete queries only; failed ones are counted', () => {
    const f = streamFigures([streamTrial('ours', { rows: 1000, elapsedMs: 100 }), streamTrial('ours', { rows: 10, elapsedMs: 1, error: 'cut' })])
    expect(f?.recordsPerSecond.median).to.equal(10_000)
    expect(f?.recordsPerSecond.n).to.equal(1)
    expect(f?.heapGrowthMiB.median).to.equal(2)
    expect(f?.errors).to.equal(1)
    expect(f?.firstError).to.equal('cut')
  })

  it('ratios are ours/official of medians; percent of floor is against the managed-transaction floor, like with like', () => {
    const trials = [
      ...[900, 1000, 5000].map((ops, round) => trial('read-return-1-c128', 'ours', round, sample(ops))),
      ...[500, 400, 600].map((ops, round) => trial('read-return-1-c128', 'official', round, sample(ops))),
      ...[2000, 2000, 2000].map((ops, round) => trial('read-return-1-c128', 'raw-tx', round, sample(ops))),
      ...[4000, 4000, 4000].map((ops, round) => trial('read-return-1-c128', 'raw', round, sample(ops)))
    ]
    const row = summarizeRun(results(trials)).throughput.find((r) => r.workload.id === 'read-return-1-c128')
    expect(row?.throughputRatio).to.equal(2)
    expect(row?.oursOfFloor).to.equal(50)
    expect(row?.officialOfFloor).to.equal(25)
    expect(row?.oursOfAutoCommitFloor).to.equal(25)
    expect(row?.officialOfAutoCommitFloor).to.equal(12.5)
    expect(row?.cpuRatio).to.equal(1) // CPU per op is the same (100 µs) in every sample
  })

  it('checks the goals: met, missed with the culprit named, or not measured', () => {
    const trials = [
      trial('read-return-1-c128', 'ours', 0, sample(1200, { cpuMicros: 1200 * 70 })),
      trial('read-return-1-c128', 'official', 0, sample(1000)),
      trial('session-churn-c16', 'ours', 0, sample(900), { ROUTE: 0 }),
      trial('session-churn-c16', 'official', 0, sample(1000), { ROUTE: 1000 })
    ]
    const goals = summarizeRun(results(trials)).goals
    const byName = (prefix: string): { met: boolean | null, figure: string } => goals.find((g) => g.goal.startsWith(prefix)) ?? { met: null, figure: '' }
    expect(byName('throughput ≥ 1.0×').met).to.equal(false)
    expect(byName('throughput ≥ 1.0×').figure).to.contain('session-churn-c16')
    expect(byName('throughput ≥ 1.3×').met).to.equal(false) // 1.2×
    expect(byName('fewer ROUTE').met).to.equal(true)
    expect(byName('client CPU').met).to.equal(false) // churn's CPU ratio is 1.0
    expect(byName('failover').met).to.equal(null)
  })

  it('an opt-in workload (ours with pipelineBegin, official on its defaults) is reported but never judged by the goals', () => {
    const trials = [
      trial('write-merge-pipelined-c1', 'ours', 0, sample(500, { cpuMicros: 500 * 200 })),
      trial('write-merge-pipelined-c1', 'official', 0, sample(1000)),
      trial('read-return-1-c128', 'ours', 0, sample(2000, { cpuMicros: 2000 * 50 })),
      trial('read-return-1-c128', 'official', 0, sample(1000))
    ]
    const workloads = allWorkloads(1000).filter((w) => ['write-merge-pipelined-c1', 'read-return-1-c128'].includes(w.id))
    const summary = summarizeRun(results(trials, { workloads }))
    expect(summary.throughput.map((r) => r.workload.id)).to.include('write-merge-pipelined-c1')
    expect(summary.throughput.find((r) => r.workload.id === 'write-merge-pipelined-c1')?.throughputRatio).to.equal(0.5)
    const goal = summary.goals.find((g) => g.goal.startsWith('throughput ≥ 1.0×'))
    expect(goal?.met).to.equal(true) // the opt-in row's 0.5× is not a goal's figure
    expect(goal?.figure).not.to.contain('pipelined')
    expect(summary.goals.find((g) => g.goal.startsWith('client CPU'))?.met).to.equal(true)
  })

  it('names every figure that is missing, so a quick run fails when a workload produced no numbers', () => {
    const trials = [
      trial('read-return-1-c128', 'ours', 0, sample(0, { opsTotal: 128 })),
      trial('read-return-1-c128', 'official', 0, sample(10)),
      trial('read-return-1-c128', 'raw', 0, sample(10)),
      streamTrial('ours', { error: 'cut' }),
      streamTrial('official', {}),
      streamTrial('raw', {})
    ]
    const r = results(trials, { failover: true })
    const missing = missingFigures(r, summarizeRun(r), ['ours', 'official', 'raw-tx', 'raw'], ['ours', 'official'])
    expect(missing).to.include('read-return-1-c128: no throughput figure for ours')
    expect(missing).to.include('read-return-1-c128: no throughput figure for raw-tx')
    expect(missing.filter((m) => m.startsWith('session-churn-c16'))).to.have.length(4)
    // Streaming is auto-commit everywhere: the managed floor does not run it, so it is not missing there.
    expect(missing).to.not.include('stream: no complete streaming query for raw-tx')
    expect(missing).to.include('stream: no complete streaming query for ours')
    expect(missing).to.include('failover: no leader stop completed for ours')
    expect(missing.some((m) => m.includes('official') && m.startsWith('stream'))).to.equal(false)
  })

  it('a failover stop without recovery is a figure (the bound), not a missing one', () => {
    const stop = { stop: 0, stoppedMember: 's1', stoppedSeed: true, failoverMs: null, electionMs: 300, boundMs: 15_000, errorsAfterStop: 1, firstError: 'x' }
    const r = results([], { workloads: [], failover: true, failovers: [{ ...stop, contender: 'ours' }, { ...stop, contender: 'official' }] })
    expect(missingFigures(r, summarizeRun(r), ['ours', 'official', 'raw-tx', 'raw'], ['ours', 'official'])).to.deep.equal([])
  })

  it('failover: a stop without recovery counts as the bound in the all-stops median the ratio compares', () => {
    const r = results([], {
      workloads: [],
      failover: true,
      failovers: [
        { stop: 0, contender: 'ours', stoppedMember: 's1', stoppedSeed: true, failoverMs: 400, electionMs: 350, boundMs: 15_000, errorsAfterStop: 0, firstError: null },
        { stop: 1, contender: 'ours', stoppedMember: 's2', stoppedSeed: false, failoverMs: 300, electionMs: 250, boundMs: 15_000, errorsAfterStop: 0, firstError: null },
        { stop: 2, contender: 'ours', stoppedMember: 's3', stoppedSeed: false, failoverMs: 500, electionMs: 420, boundMs: 15_000, errorsAfterStop: 0, firstError: null },
        { stop: 0, contender: 'official', stoppedMember: 's1', stoppedSeed: true, failoverMs: null, electionMs: 400, boundMs: 15_000, errorsAfterStop: 1, firstError: 'ServiceUnavailable: gone' },
        { stop: 1, contender: 'official', stoppedMember: 's2', stoppedSeed: false, failoverMs: 1000, electionMs: 500, boundMs: 15_000, errorsAfterStop: 0, firstError: null },
        { stop: 2, contender: 'official', stoppedMember: 's3', stoppedSeed: false, failoverMs: 1200, electionMs: null, boundMs: 15_000, errorsAfterStop: 0, firstError: null }
      ]
    })
    const failover = summarizeRun(r).failover
    expect(failover?.by.official?.stops).to.equal(3)
    expect(failover?.by.official?.recovered).to.equal(2)
    expect(failover?.by.official?.failoverMs.median).to.equal(1100) // recovered stops only
    expect(failover?.by.official?.medianAllMs).to.equal(1200) // 1000, 1200, 15 000
    expect([failover?.by.official?.seedStops, failover?.by.official?.seedRecovered]).to.deep.equal([1, 0])
    expect(failover?.by.ours?.medianAllMs).to.equal(400)
    expect(failover?.by.ours?.driverOverheadMs.median).to.equal(50) // 50, 50, 80
    expect(failover?.by.official?.electionMs.n).to.equal(2) // unknown election left out
    expect(failover?.by.official?.driverOverheadMs.median).to.equal(500) // only the stop with both figures
    expect(failover?.ratio).to.equal(400 / 1200)
    expect(summarizeRun(r).goals.find((g) => g.goal.startsWith('failover'))?.met).to.equal(true)
  })

  it('a goal missed by less than the printed precision shows a third decimal', () => {
    const r = results([], {
      workloads: [],
      failover: true,
      failovers: [
        { stop: 0, contender: 'ours', stoppedMember: 's1', stoppedSeed: false, failoverMs: 504, electionMs: 400, boundMs: 15_000, errorsAfterStop: 0, firstError: null },
        { stop: 0, contender: 'official', stoppedMember: 's2', stoppedSeed: false, failoverMs: 1000, electionMs: 400, boundMs: 15_000, errorsAfterStop: 0, firstError: null }
      ]
    })
    const check = summarizeRun(r).goals.find((g) => g.goal.startsWith('failover'))
    expect(check?.met).to.equal(false)
    expect(check?.figure).to.equal('0.504×')
  })

  it('message deltas keep only the types that changed', () => {
    expect(messageDelta({ RUN: 10, ROUTE: 2 }, { RUN: 15, ROUTE: 2, BEGIN: 3 })).to.deep.equal({ RUN: 5, BEGIN: 3 })
  })
})

describe('bench: markdown', () => {
  it('formats a summary as median [min–max], a lone sample as itself, nothing as a dash', () => {
    expect(formatSummary({ n: 3, min: 900, median: 1000, max: 1500 })).to.equal('1,000 [900–1,500]')
    expect(formatSummary({ n: 1, min: 7, median: 7, max: 7 })).to.equal('7')
    expect(formatSummary({ n: 0, min: Number.NaN, median: Number.NaN, max: Number.NaN })).to.equal('—')
    expect(formatRatio(null)).to.equal('—')
    expect(formatRatio(1.234)).to.equal('1.23×')
  })

  it('escapes pipes inside table cells', () => {
    expect(table(['a'], [['x|y']])).to.contain('x\\|y')
  })

  it('the report names the machine, the fixture, the rounds, and shows each table', () => {
    const trials = [
      trial('read-return-1-c128', 'ours', 0, sample(1300)),
      trial('read-return-1-c128', 'official', 0, sample(1000)),
      trial('read-return-1-c128', 'raw-tx', 0, sample(2600)),
      trial('read-return-1-c128', 'raw', 0, sample(5200)),
      streamTrial('ours', {}), streamTrial('official', {}), streamTrial('raw', {})
    ]
    const r = results(trials)
    const md = renderMarkdown(r, summarizeRun(r))
    for (const text of ['Test CPU', '2 cores', 'v20.0.0', '3 primaries + 2 secondaries', '5 round(s)', '## Throughput', '## Cost', '## Streaming', '## Goals', '1.30×', '50 %',
      'managed-tx floor', 'auto-commit floor', 'home database', 'not the headline']) {
      expect(md, text).to.contain(text)
    }
    expect(md).to.not.contain('## Failover')
  })

  it('the report\'s run line and its reproduce line give the command as it was run, rounds and window included', () => {
    const trials = [trial('read-return-1-c128', 'ours', 0, sample(1300)), trial('read-return-1-c128', 'official', 0, sample(1000))]
    const focused = renderMarkdown(results(trials, { args: parseBenchArgs(['--only', 'read-return-1-c128', '--rounds', '15', '--seconds', '3']) }), summarizeRun(results(trials)))
    expect(focused).to.contain('`npm run bench -- --only read-return-1-c128 --rounds 15 --seconds 3`), commit abc123')
    expect(focused).to.contain('Reproduce: `npm run build && npm run bench -- --only read-return-1-c128 --rounds 15 --seconds 3`')
    const plain = renderMarkdown(results(trials, { args: parseBenchArgs([]) }), summarizeRun(results(trials)))
    expect(plain).to.contain('`npm run bench`), commit abc123')
  })

  it('a named-database report says so in its title, and the ROUTE goal is not applicable there', () => {
    const r = results([
      trial('session-churn-c16', 'ours', 0, sample(900), { ROUTE: 0 }),
      trial('session-churn-c16', 'official', 0, sample(1000), { ROUTE: 0 })
    ], { args: parseBenchArgs([]) })
    const summaries = summarizeRun(r)
    const route = summaries.goals.find((g) => g.goal.startsWith('fewer ROUTE'))
    expect(route?.met).to.equal(null)
    expect(route?.figure).to.contain('not applicable')
    expect(renderMarkdown(r, summaries)).to.contain('named database `neo4j`')
  })

  it('the server-side routing comparison shows both settings and how the official driver moved', () => {
    const on = results([trial('session-churn-c16', 'ours', 0, sample(900), { ROUTE: 0 }), trial('session-churn-c16', 'official', 0, sample(1200), { ROUTE: 0 })])
    const off = results([trial('session-churn-c16', 'ours', 0, sample(900), { ROUTE: 0 }), trial('session-churn-c16', 'official', 0, sample(800), { ROUTE: 800 })],
      { fixture: { ...on.fixture, serverSideRouting: false } })
    const md = renderSsrComparison({ results: on, summaries: summarizeRun(on) }, { results: off, summaries: summarizeRun(off) })
    expect(md).to.contain('changed by +50 %')
    expect(md).to.contain('from 1,000.0–1,000.0 (off) to 0.0–0.0 (on)')
    expect(md).to.contain('| +50 % |')
    expect(change(100, 150)).to.equal(50)
    expect(change(undefined, 150)).to.equal(null)
  })
})

describe('bench: command line and workload selection', () => {
  it('full defaults, quick defaults, and explicit options win whatever their position', () => {
    const full = parseBenchArgs([])
    expect([full.quick, full.rounds, full.windowMs, full.stops, full.streamRows]).to.deep.equal([false, 5, 2000, 10, 100_000])
    const quick = parseBenchArgs(['--rounds', '2', '--quick'])
    expect([quick.quick, quick.rounds, quick.stops]).to.deep.equal([true, 2, 1])
    expect(parseBenchArgs(['--seconds', '1.5', '--warmup', '0.25']).windowMs).to.equal(1500)
    expect(parseBenchArgs(['--only', 'stream, failover']).only).to.deep.equal(['stream', 'failover'])
    expect(parseBenchArgs([]).serverSideRouting).to.equal('on')
    expect(parseBenchArgs(['--server-side-routing', 'off']).serverSideRouting).to.equal('off')
    expect(parseBenchArgs(['--server-side-routing', 'both']).serverSideRouting).to.equal('both')
    expect(() => parseBenchArgs(['--server-side-routing', 'maybe'])).to.throw(UsageError, /on, off or both/)
  })

  it('names the database by default (the headline); --database none resolves the home database', () => {
    expect(parseBenchArgs([]).database).to.equal('neo4j')
    expect(parseBenchArgs(['--quick']).database).to.equal('neo4j')
    expect(parseBenchArgs(['--database', 'movies']).database).to.equal('movies')
    expect(parseBenchArgs(['--database', 'none']).database).to.equal(null)
  })

  it('profile mode: its own workloads, 10 s windows after 2 s of warm-up unless told, one fixture setting', () => {
    const p = parseBenchArgs(['--profile', 'read-return-1-c1,write-merge-c1'])
    expect(p.profile).to.deep.equal(['read-return-1-c1', 'write-merge-c1'])
    expect([p.windowMs, p.warmupMs, p.profileIntervalUs]).to.deep.equal([10_000, 2000, 200])
    expect(p.profileContenders).to.deep.equal(['ours', 'official'])
    expect(parseBenchArgs(['--profile', 'write-merge', '--seconds', '3', '--contenders', 'ours,raw-tx', '--sample-us', '100']))
      .to.include({ windowMs: 3000, profileIntervalUs: 100 })
    expect(parseBenchArgs(['--profile', 'write-merge', '--quick']).windowMs).to.equal(1000)
    expect(() => parseBenchArgs(['--profile', 'x', '--only', 'y'])).to.throw(UsageError, /--only/)
    expect(() => parseBenchArgs(['--profile', 'x', '--server-side-routing', 'both'])).to.throw(UsageError)
    expect(() => parseBenchArgs(['--contenders', 'ours,mine'])).to.throw(UsageError)
  })

  it('rejects unknown options, missing values and non-positive numbers', () => {
    for (const argv of [['--bogus', '1'], ['--rounds'], ['--rounds', '0'], ['--rounds', '1.5'], ['--seconds', '-1'], ['--stops', '--quick']]) {
      expect(() => parseBenchArgs(argv), argv.join(' ')).to.throw(UsageError)
    }
  })

  it('a filter names an id exactly (c1 is not c16), an operation at every concurrency, or a kind', () => {
    const all = allWorkloads(100)
    expect(selectWorkloads(all, ['read-match-10-c1']).map((w) => w.id)).to.deep.equal(['read-match-10-c1'])
    expect(selectWorkloads(all, ['read-match-10']).map((w) => w.id)).to.deep.equal(['read-match-10-c1', 'read-match-10-c16', 'read-match-10-c128'])
    expect(selectWorkloads(all, ['stream']).map((w) => w.id)).to.deep.equal(['stream'])
    expect(selectWorkloads(all, [])).to.have.length(all.length)
    expect(unknownFilters(all, ['stream', 'failover', 'read-match'])).to.deep.equal(['read-match'])
    expect(failoverSelected([])).to.equal(true)
    expect(failoverSelected(['stream'])).to.equal(false)
    expect(failoverSelected(['failover'])).to.equal(true)
  })

  it('covers every benchmark workload', () => {
    const ids = allWorkloads(100_000).map((w) => w.id)
    expect(ids).to.deep.equal([
      'read-return-1-c1', 'read-return-1-c16', 'read-return-1-c128', 'read-match-10-c1', 'read-match-10-c16', 'read-match-10-c128',
      'write-merge-c1', 'write-merge-c16', 'write-merge-pipelined-c1', 'write-merge-pipelined-c16', 'session-churn-c16', 'stream'
    ])
  })

  it('MERGE keys stay within each contender\'s own bounded key space', () => {
    expect(mergeKey('ours', 1003)).to.equal('ours-3')
    expect(mergeKey('raw', 999)).to.not.equal(mergeKey('ours', 999))
  })
})
