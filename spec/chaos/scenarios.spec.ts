// The CI subset of the chaos suite: every chaos scenario, quick, with our
// driver only, through the same harness as `npm run chaos` (cluster in a child
// process). Asserts the invariants — nothing acknowledged lost, nothing
// duplicated, no stale read along a causal chain, unknown commits present once
// or absent, clear errors within the retry budget, recovery without a restart —
// never timing goals (those are figures in the report).

import { expect } from 'chai'
import { ourAdapter } from '../../bench/chaos/adapters.js'
import { CONNECTION_TIMEOUT_MS, runScenario, type ScenarioRun } from '../../bench/chaos/harness.js'
import { SCENARIOS, scenarioByKey } from '../../bench/chaos/scenarios.js'

/** What an acknowledged-data invariant break looks like in a failure message. */
function summary (run: ScenarioRun): string {
  const { timeline: _timeline, ...rest } = run
  return JSON.stringify({ metrics: rest.metrics, marks: rest.marks, errors: rest.errorSamples, hung: rest.hung }, null, 1)
}

function expectInvariants (run: ScenarioRun): void {
  const m = run.metrics
  const why = summary(run)
  expect(m.settled, `the cluster did not settle after healing\n${why}`).to.equal(true)
  expect(m.unreadableMembers, `members could not be read back\n${why}`).to.equal(0)
  expect(m.writesAcknowledged, why).to.be.greaterThan(0)
  expect(m.acknowledgedMissing, `acknowledged but missing\n${why}`).to.equal(0)
  expect(m.duplicated, `duplicated\n${why}`).to.equal(0)
  expect(m.divergent, `members disagree\n${why}`).to.equal(0)
  expect(m.unknownOutcomes.inconsistent, `outcome-unknown writes neither present once nor absent\n${why}`).to.equal(0)
  expect(m.falseFailures, `CREATE writes reported failed yet committed\n${why}`).to.equal(0)
  expect(m.readYourWritesViolations, `read-your-writes\n${why}`).to.equal(0)
  expect(m.monotonicReadViolations, `monotonic reads\n${why}`).to.equal(0)
  expect(m.hung, `operations hung\n${why}`).to.equal(0)
  // Recovery without a restart: the same driver acknowledged writes after every fault.
  expect(m.writesNeverResumed, `writes never resumed after a fault\n${why}`).to.equal(false)
  for (const sample of run.errorSamples) {
    // A clear error: a code the application can branch on and a message that says what happened.
    expect(sample.code, why).to.be.a('string').and.not.equal('Error')
    expect(sample.message.length, why).to.be.greaterThan(30)
  }
}

describe('chaos (quick): invariants of our driver under every fault of the chaos suite', function () {
  this.timeout(120_000)
  const runs = new Map<string, ScenarioRun>()

  for (const [index, scenario] of SCENARIOS.entries()) {
    it(`${scenario.number}. ${scenario.title}`, async () => {
      const run = await runScenario(scenario, 'ours', { quick: true, seed: 1000 + index })
      runs.set(scenario.key, run)
      expectInvariants(run)
    })
  }

  it('6: the readers really read from the lagging secondaries', function () {
    const run = runs.get('lagging-secondaries')
    if (run === undefined) this.skip()
    const secondaries = ['server4', 'server5'].map(name => run.readsByMember[name] ?? 0)
    expect(Math.min(...secondaries), JSON.stringify(run.readsByMember)).to.be.greaterThan(0)
  })

  it('7: with the majority down past the budget, writes fail with clear errors that arrive within the budget', function () {
    const run = runs.get('majority-down')
    if (run === undefined) this.skip()
    const budget = scenarioByKey('majority-down').budgetMs?.(true) ?? 0
    const writeErrors = run.errorSamples.filter(s => s.kind !== 'read' && s.kind !== 'query-read')
    expect(writeErrors.length, summary(run)).to.be.greaterThan(0)
    // The budget is a deadline: no attempt starts after it, and the one running then is bounded by the connection timeout.
    expect(run.metrics.slowestErrorMs, summary(run)).to.be.at.most(budget + CONNECTION_TIMEOUT_MS + 1000)
    for (const sample of writeErrors) {
      expect(sample.code, summary(run)).to.be.oneOf(['ServiceUnavailable', 'SessionExpired', 'CommitOutcomeUnknown'])
    }
  })

  it('8: the stopped leader\'s primary copy really moved during the run', function () {
    const run = runs.get('reallocation')
    if (run === undefined) this.skip()
    expect(run.marks.map(m => m.label).join('\n')).to.match(/primary copy moved to server\d/)
  })

  it('9a: every dropped CREATE commit is reported as "outcome unknown", not retried, and is present exactly once', function () {
    const run = runs.get('commit-drop-create')
    if (run === undefined) this.skip()
    const unknown = run.metrics.unknownOutcomes
    expect(unknown.total, summary(run)).to.be.greaterThan(0)
    // The fixture commits before it drops the answer, so each one is there, once.
    expect(unknown.presentOnce, summary(run)).to.equal(unknown.total)
  })

  it('9b: a dropped idempotent MERGE commit is retried by the driver, never surfaced', function () {
    const run = runs.get('commit-drop-merge')
    if (run === undefined) this.skip()
    expect(run.metrics.unknownOutcomes.total, summary(run)).to.equal(0)
    expect(run.metrics.errors, summary(run)).to.equal(0)
    expect(run.metrics.retries, summary(run)).to.be.greaterThan(0)
  })

  it('sanity: readers that drop the writers\' bookmarks on lagging secondaries are caught reading stale data', async () => {
    // The read-your-writes check must be able to fail: the same scenario, readers without bookmarks.
    const run = await runScenario(scenarioByKey('lagging-secondaries'), 'ours', {
      quick: true,
      seed: 7,
      adapter: (options) => {
        const adapter = ourAdapter(options)
        return { ...adapter, read: async (run, id, _bookmarks, counter) => await adapter.read(run, id, [], counter) }
      }
    })
    expect(run.metrics.readYourWritesViolations, summary(run)).to.be.greaterThan(0)
  })
})
