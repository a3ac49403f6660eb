// Chaos scenario 2d: the black-holed leader with both drivers on their default
// configuration. What `npm run chaos` runs and reports for it (no cluster here:
// the scenario's invariants are scenario 2's, run quick in spec/chaos).

import { expect } from 'chai'
import { officialAdapter, ourAdapter } from '../../bench/chaos/adapters.js'
import { goals, renderGoals, type Row } from '../../bench/chaos/report.js'
import { ALL_SCENARIOS, BLACKHOLE_DEFAULTS_GOAL_MS, SCENARIOS, scenarioByKey } from '../../bench/chaos/scenarios.js'

function row (scenario: string, driver: 'ours' | 'official', pauseMedianMs: number, runs = 5): Row {
  return {
    number: scenario === 'leader-blackhole-defaults' ? '2d' : '2', scenario, title: scenario, driver, driverLabel: driver, runs,
    acked: 100, missing: 0, duplicated: 0, divergent: 0, unknown: { total: 0, presentOnce: 0, absent: 0, inconsistent: 0 },
    falseFailures: 0, ryw: 0, monotonic: 0, errors: 0, errorsByCode: {}, slowestErrorMs: 0, pauseMedianMs, pauseMaxMs: pauseMedianMs,
    writesNeverResumed: false, p50Ms: 1, p99Ms: 2, retries: 0, hung: 0, violations: []
  }
}

describe('bench: chaos scenario 2d (black-holed leader, default configuration)', () => {
  it('npm run chaos runs it right after scenario 2, five times in a full run; the CI subset leaves it out', () => {
    const keys = ALL_SCENARIOS.map((s) => s.key)
    expect(keys.indexOf('leader-blackhole-defaults')).to.equal(keys.indexOf('leader-blackhole') + 1)
    const scenario = scenarioByKey('2d')
    expect(scenario.driverDefaults).to.equal(true)
    expect(scenario.fullRepeat).to.equal(5)
    expect(SCENARIOS.some((s) => s.key === 'leader-blackhole-defaults')).to.equal(false)
    expect(ALL_SCENARIOS).to.have.length(SCENARIOS.length + 1)
  })

  it('both drivers get no setting at all on default configuration, and the usual ones otherwise', async () => {
    const uri = 'neo4j://127.0.0.1:1'
    for (const make of [ourAdapter, officialAdapter]) {
      const defaults = make({ uri, database: 'neo4j' })
      const configured = make({ uri, database: 'neo4j', budgetMs: 30_000, connectionTimeoutMs: 2000 })
      try {
        expect(defaults.settings).to.deep.equal({})
        expect(configured.settings).to.deep.equal({ maxTransactionRetryTime: 30_000, connectionTimeout: 2000 })
      } finally {
        await defaults.close()
        await configured.close()
      }
    }
  })

  it('its goal is its own line: ≤ 1.5 s, median of 5, met or missed on our median', () => {
    const rows = [row('leader-blackhole', 'ours', 2500, 3), row('leader-blackhole', 'official', 5800, 3), row('leader-blackhole-defaults', 'ours', 510), row('leader-blackhole-defaults', 'official', 12_800)]
    const list = goals(rows, 600, 2000)
    const defaults = list.find((g) => g.goal.includes('DEFAULT configuration'))
    expect(defaults?.bound).to.equal(BLACKHOLE_DEFAULTS_GOAL_MS)
    expect(defaults?.met).to.equal(true)
    expect(defaults?.goal).to.contain('median of 5')
    expect(renderGoals(list).join('\n')).to.contain('ours 510 ms, official 12800 ms')
    const missed = goals([row('leader-blackhole-defaults', 'ours', 10_500, 1)], 600, 2000)
    expect(missed[0].met).to.equal(false)
    expect(missed[0].goal).to.contain('median of 1 (the goal is stated over 5)')
    expect(renderGoals(missed)[0]).to.match(/^MISSED .*official not run$/)
  })
})
