// The soak harness (npm run soak): its growth rules on made-up runs, its
// command line, and one real minute with our driver — a leader stop and a
// black hole under churn — checking that the harness works and that nothing
// grows without bound within that minute. Loose bounds, no timing goals (the
// 30-minute verdict belongs to `npm run soak` on a quiet machine).

import { expect } from 'chai'
import { DEFAULT_SETTINGS, runSoak } from '../../bench/soak/harness.js'
import type { DriverSoak, SoakRun, SoakSample } from '../../bench/soak/protocol.js'
import { renderSoakReport } from '../../bench/soak/report.js'
import { parseSoakArgs, SoakUsageError } from '../../bench/soak/run.js'
import { growthAfterMinuteOne, judge, slopePerMinute, within } from '../../bench/soak/verdict.js'

const MiB = 2 ** 20

function sample (overrides: Partial<SoakSample> = {}): SoakSample {
  return {
    at: 0, afterGc: true, rss: 100 * MiB, heapUsed: 10 * MiB, heapTotal: 20 * MiB, external: MiB, arrayBuffers: MiB,
    sockets: 10, socketsOpened: 10, resources: {}, handles: 12, timers: 1, ok: 100, failed: 0, byKind: {}, errors: {}, inFlight: 0, ...overrides
  }
}

function soak (ends: Array<Partial<SoakSample>>, closed: Partial<SoakSample> = { sockets: 0, timers: 0, handles: 0 }): DriverSoak {
  return {
    driver: 'ours',
    label: 'neo4j-cluster-driver',
    baseline: { sockets: 10, handles: 12, timers: 1, heapUsed: 10 * MiB, rss: 100 * MiB },
    minutes: ends.map((end, i) => ({ minute: i + 1, samples: [sample(end)], end: sample(end) })),
    stopped: sample(),
    closed: sample(closed),
    drained: true
  }
}

function run (drivers: DriverSoak[], faults: SoakRun['faults'] = []): SoakRun {
  return {
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:03:00.000Z',
    command: 'npm run soak -- --minutes 3',
    machine: { cpus: 2, cpuModel: 'Test CPU', memoryGiB: 4, platform: 'linux', node: 'v20.0.0', loadAverageStart: 0.2 },
    settings: { ...DEFAULT_SETTINGS, minutes: drivers[0]?.minutes.length ?? 0 },
    cluster: { primaries: 3, secondaries: 2, serverSideRouting: true },
    drivers,
    faults,
    problems: []
  }
}

const verdict = (r: SoakRun, rule: string): { pass: boolean | null, figure: string } =>
  judge(r).find((v) => v.rule.startsWith(rule)) ?? { pass: null, figure: 'no such rule' }

describe('bench: soak rules', () => {
  it('memory is judged against minute 1\'s end: within 10 % passes, more fails, one minute is not judged', () => {
    const flat = run([soak([{}, { heapUsed: 10.9 * MiB }, { heapUsed: 10.5 * MiB, rss: 109 * MiB }])])
    expect(verdict(flat, 'live heap').pass).to.equal(true)
    expect(verdict(flat, 'RSS').pass).to.equal(true)
    const growing = run([soak([{}, { heapUsed: 11 * MiB }, { heapUsed: 12 * MiB }])])
    expect(verdict(growing, 'live heap').pass).to.equal(false)
    expect(verdict(growing, 'live heap').figure).to.contain('minute 3, +20.0 %')
    expect(verdict(run([soak([{}])]), 'live heap').pass).to.equal(null)
    expect(growthAfterMinuteOne(soak([{}]), (s) => s.rss)).to.equal(null)
    expect(slopePerMinute(soak([{}, { rss: 100 }, { rss: 200 }, { rss: 300 }]), (s) => s.rss)).to.equal(100)
  })

  it('counts at minute ends after minute 1 stay within minute 1\'s end plus the allowance; a slow leak fails', () => {
    expect(verdict(run([soak([{}, { sockets: 18 }, { sockets: 12 }])]), 'sockets, handles and timers at every').pass).to.equal(true)
    const leak = run([soak([{}, { sockets: 12 }, { sockets: 19 }])])
    expect(verdict(leak, 'sockets, handles and timers at every').pass).to.equal(false)
    expect(verdict(leak, 'sockets, handles and timers at every').figure).to.contain('over in minute 3')
    expect(verdict(run([soak([{}])]), 'sockets, handles and timers at every').pass).to.equal(null)
  })

  it('a fault that did not settle fails, naming it; so does a socket or timer left after close', () => {
    const effect = { before: sample(), reference: { sockets: 10, handles: 12, timers: 1 }, peak: { sockets: 20, handles: 25, timers: 5 }, writePauseMs: 400, settled: sample({ sockets: 20 }) }
    const r = run([soak([{}], { sockets: 1, timers: 0 })], [
      { minute: 1, kind: 'leader stop', member: 'server1', at: 0, healedAt: 5000, by: { ours: { ...effect, settledAfterMs: 300 } } },
      { minute: 1, kind: 'black hole', member: 'server2', at: 0, healedAt: 5000, by: { ours: { ...effect, settledAfterMs: null, writePauseMs: null } } }
    ])
    const faults = verdict(r, 'after each fault')
    expect(faults.pass).to.equal(false)
    expect(faults.figure).to.contain('1 of 2 faults')
    expect(faults.figure).to.contain('minute 1 black hole (last 20/12/1, no write after the fault)')
    expect(verdict(r, 'after driver.close()').pass).to.equal(false)
    const md = renderSoakReport(r)
    for (const text of ['## Verdict', '**FAIL**', '| 1 | black hole | server2 | none |', '**not settled**']) expect(md, text).to.contain(text)
  })

  it('within() compares every count with its own allowance', () => {
    const slack = { sockets: 3, handles: 3, timers: 2 }
    expect(within({ sockets: 13, handles: 15, timers: 3 }, { sockets: 10, handles: 12, timers: 1 }, slack)).to.equal(true)
    expect(within({ sockets: 14, handles: 15, timers: 3 }, { sockets: 10, handles: 12, timers: 1 }, slack)).to.equal(false)
    expect(within({ sockets: 10, handles: 12, timers: 4 }, { sockets: 10, handles: 12, timers: 1 }, slack)).to.equal(false)
  })

  it('command line: minutes, drivers, rate; nonsense refused', () => {
    const a = parseSoakArgs(['--minutes', '30', '--driver', 'both', '--rate', '100', '--callers', '4', '--tolerance', '5'])
    expect([a.settings.minutes, a.drivers, a.settings.ratePerSecond, a.settings.callers, a.settings.memoryTolerance]).to.deep.equal([30, ['ours', 'official'], 100, 4, 0.05])
    expect(a.settings.slack).to.deep.equal({ sockets: 4, handles: 4, timers: 2 })
    expect(parseSoakArgs([]).drivers).to.deep.equal(['ours'])
    expect(parseSoakArgs([]).settings.minutes).to.equal(30)
    for (const argv of [['--minutes', '0'], ['--driver', 'mine'], ['--bogus', '1'], ['--minutes']]) expect(() => parseSoakArgs(argv), argv.join(' ')).to.throw(SoakUsageError)
  })
})

describe('bench: a one-minute soak of our driver (leader stop and black hole under churn)', function () {
  this.timeout(150_000)

  it('samples every second, recovers from both faults, holds its counts, and leaves nothing after close', async () => {
    const result = await runSoak({ settings: { ...DEFAULT_SETTINGS, minutes: 1 }, drivers: ['ours'], seed: 7 })
    const why = JSON.stringify({ problems: result.problems, faults: result.faults.map((f) => ({ ...f, by: Object.fromEntries(Object.entries(f.by).map(([k, e]) => [k, { ...e, before: undefined, settled: { sockets: e.settled.sockets, handles: e.settled.handles, timers: e.settled.timers } }])) })) }, null, 1)
    const [ours] = result.drivers
    expect(ours.minutes, why).to.have.length(1)
    const minute = ours.minutes[0]
    // The harness works: samples throughout the minute, both faults injected and healed.
    expect(minute.samples.length, why).to.be.greaterThan(30)
    expect(result.faults.map((f) => f.kind), why).to.deep.equal(['leader stop', 'black hole'])
    for (const fault of result.faults) {
      const effect = fault.by.ours
      expect(effect, why).to.not.equal(undefined)
      // Writes came back after each fault, and the counts went back down before the next one.
      expect(effect?.writePauseMs, why).to.not.equal(null)
      expect(effect?.settledAfterMs, why).to.not.equal(null)
    }
    expect(minute.end.ok, why).to.be.greaterThan(1000)
    // Nothing grows without bound within the minute (loose: a pool and a JIT settle in; a leak per operation would not fit).
    expect(minute.end.heapUsed, why).to.be.below(2 * ours.baseline.heapUsed + 32 * MiB)
    expect(minute.end.rss, why).to.be.below(ours.baseline.rss + 128 * MiB)
    expect(minute.end.sockets, why).to.be.at.most(2 * ours.baseline.sockets + 8)
    expect(minute.end.timers, why).to.be.at.most(ours.baseline.timers + 16)
    expect(ours.drained, why).to.equal(true)
    // driver.close() leaves no socket and no timer behind.
    expect(ours.closed.sockets, why).to.equal(0)
    expect(ours.closed.timers, why).to.equal(0)
    const md = renderSoakReport(result)
    expect(md).to.contain('## Verdict')
    expect(md).to.contain('| 1 | leader stop |')
  })
})
