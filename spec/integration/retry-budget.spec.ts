// The retry budget is a hard deadline; errors that retrying cannot fix
// surface at once; credentials never show up in errors or debug output.

import { expect } from 'chai'
import createDebug from 'debug'
import diagnosticsChannel from 'node:diagnostics_channel'
import { diagnosticsChannels, DiscoveryError, Neo4jError, RetriesExhaustedError } from '../../lib/index.js'
import neo4j from '../../lib/index.js'
import { needsFixture, roles, startTarget, type Target, USER } from './helpers.js'

describe('integration: retry budget and errors that must not be retried', function () {
  this.timeout(60_000)
  let target: Target
  const retries: unknown[] = []
  const onRetry = (message: unknown): void => { retries.push(message) }

  before(async () => {
    target = await startTarget()
    diagnosticsChannel.subscribe(diagnosticsChannels.retry, onRetry)
  })
  after(async () => {
    diagnosticsChannel.unsubscribe(diagnosticsChannels.retry, onRetry)
    await target?.close()
  })
  beforeEach(() => { retries.length = 0 })

  it('a syntax error surfaces at once, unchanged, with no retry', async () => {
    const d = target.driver()
    const started = Date.now()
    const error = await d.session({ database: 'neo4j' }).executeWrite(tx => tx.run('MERGE MERGE MERGE')).catch(e => e)
    expect(error).to.be.instanceOf(Neo4jError)
    expect(error).not.to.be.instanceOf(RetriesExhaustedError)
    expect(error.code).to.equal('Neo.ClientError.Statement.SyntaxError')
    expect(retries).to.have.length(0)
    expect(Date.now() - started).to.be.below(5_000) // bound, not a timing goal: a retry loop would run 30 s
  })

  it('a wrong password surfaces at once, names the cause, is never retried and never shows the password', async () => {
    const secret = 'wrong-password-7c1e'
    const d = neo4j.driver(target.uri, neo4j.auth.basic(USER, secret))
    try {
      const error = await d.executeQuery('RETURN 1', {}, { database: 'neo4j' }).catch(e => e)
      expect(error).to.be.instanceOf(DiscoveryError)
      expect(error.code).to.equal('Neo.ClientError.Security.Unauthorized')
      expect(error.message).not.to.include(secret)
      expect(retries).to.have.length(0)
    } finally {
      await d.close()
    }
  })

  it('debug output of a whole run (good and bad credentials) contains no credential', async () => {
    const secret = 'debug-secret-4411'
    const lines: string[] = []
    const previousLog = createDebug.log
    const previous = createDebug.disable()
    createDebug.enable('neo4j-cluster:*')
    createDebug.log = (...args: unknown[]) => { lines.push(args.map(String).join(' ')) }
    try {
      const bad = neo4j.driver(target.uri, neo4j.auth.basic(USER, secret), { maxTransactionRetryTime: 300 })
      await bad.executeQuery('RETURN 1', {}, { database: 'neo4j' }).catch(() => {})
      await bad.close()
      const good = target.driver()
      await good.executeQuery('RETURN 1', {}, { database: 'neo4j' })
      expect(lines.length).to.be.above(0)
      expect(lines.join('\n')).not.to.include(secret)
      expect(lines.join('\n')).not.to.include(process.env.NEO4J_PASSWORD ?? 'password123')
    } finally {
      createDebug.log = previousLog
      createDebug.disable()
      if (previous !== '') createDebug.enable(previous)
    }
  })

  it('all primaries down, budget 2 s: fails after about 2 s (not before) with every attempt\'s error', async function () {
    needsFixture(this)
    const cluster = target.cluster
    if (cluster === undefined) throw new Error('fixture expected')
    const d = target.driver({ maxTransactionRetryTime: 2000 })
    await d.verifyConnectivity({ database: 'neo4j' })
    const { leader, followers } = await roles(cluster)
    await Promise.all([leader, ...followers].map(async name => await cluster.stop(name)))
    try {
      const started = Date.now()
      const error = await d.executeQuery('CREATE (:Doomed)', {}, { database: 'neo4j' }).catch(e => e)
      const elapsed = Date.now() - started
      expect(error).to.be.instanceOf(RetriesExhaustedError)
      expect(error.attempts.length).to.be.at.least(3)
      expect(error.message).to.include('maxTransactionRetryTime 2000 ms')
      // No attempt starts after the budget; the last one may fail a little past it (a loaded machine's timers run late).
      expect(error.attempts.every((a: { startedAtMs: number }) => a.startedAtMs < 2000)).to.equal(true)
      // Generous bounds: a correctness check (the budget is honoured), not a timing goal.
      expect(elapsed).to.be.within(1950, 3500)
      // Every failure before the deadline scheduled a retry: either the last wait ran into the deadline,
      // or the last attempt's failure came after it and ended the loop without one.
      const last = error.attempts[error.attempts.length - 1]
      expect(retries.length).to.equal(last.atMs < 2000 ? error.attempts.length : error.attempts.length - 1)
    } finally {
      await Promise.all([leader, ...followers].map(async name => await cluster.start(name)))
    }
    await cluster.leader('neo4j', 20_000)
    const { records } = await d.executeQuery('RETURN 1 AS one', {}, { database: 'neo4j' })
    expect(records).to.have.length(1) // and the driver recovers without a restart
  })
})
