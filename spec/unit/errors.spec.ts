import { expect } from 'chai'
import { isRetryableError as coreIsRetryable, Neo4jError, newError } from 'neo4j-driver-core'
import {
  AcquisitionTimeoutError, CommitOutcomeUnknownError, DiscoveryError, isConnectionLost, isFastRetryCause, isOutcomeUnknownCode,
  isRetryableError, markRetryable, RetriesExhaustedError, tagBudgetSpent, routingReaction, tagConnectionLost,
  isCertificateRejected, tagCertificateRejected, errorLabels, hasErrorLabel
} from '../../lib/errors.js'

const err = (code: string): Neo4jError => newError(`failure ${code}`, code as never)

describe('errors: classification', () => {
  const retryable = [
    'ServiceUnavailable', 'SessionExpired', 'Neo.TransientError.General.DatabaseUnavailable', 'Neo.TransientError.Transaction.BookmarkTimeout',
    'Neo.TransientError.Transaction.LeaderSwitch', 'Neo.TransientError.Transaction.DeadlockDetected', 'Neo.ClientError.Cluster.NotALeader',
    'Neo.ClientError.General.ForbiddenOnReadOnlyDatabase', 'Neo.ClientError.Security.AuthorizationExpired'
  ]
  const notRetryable = [
    'Neo.ClientError.Statement.SyntaxError', 'Neo.ClientError.Security.Unauthorized', 'Neo.ClientError.Schema.ConstraintValidationFailed',
    'Neo.ClientError.Database.DatabaseNotFound', 'Neo.TransientError.Transaction.Terminated', 'Neo.TransientError.Transaction.LockClientStopped',
    'Neo.ClientError.Transaction.InvalidBookmark', 'ProtocolError'
  ]
  for (const code of retryable) it(`${code} is retryable`, () => expect(isRetryableError(err(code))).to.equal(true))
  for (const code of notRetryable) it(`${code} is not retryable`, () => expect(isRetryableError(err(code))).to.equal(false))

  it('errors thrown by user code are never retryable', () => {
    expect(isRetryableError(new Error('boom'))).to.equal(false)
    expect(isRetryableError('boom')).to.equal(false)
    expect(isRetryableError(undefined)).to.equal(false)
  })

  it('a rejected TLS certificate is never retryable, though its code says ServiceUnavailable, and still counts as a failed connection', () => {
    for (const code of ['ServiceUnavailable', 'SessionExpired']) {
      const rejected = err(code)
      expect(isRetryableError(rejected)).to.equal(true)
      tagCertificateRejected(rejected)
      expect(isCertificateRejected(rejected)).to.equal(true)
      expect(isRetryableError(rejected)).to.equal(false)
      expect(coreIsRetryable(rejected)).to.equal(false)
      expect(routingReaction(rejected)).to.equal('forget-server') // the routing layer tries another member
    }
    expect(isCertificateRejected(err('ServiceUnavailable'))).to.equal(false)
  })

  it('only connection loss and writer loss retry at once', () => {
    const lost = err('SessionExpired')
    expect(isFastRetryCause(lost)).to.equal(false) // a code alone does not say the connection died
    tagConnectionLost(lost)
    expect(isConnectionLost(lost)).to.equal(true)
    expect(isFastRetryCause(lost)).to.equal(true)
    expect(isFastRetryCause(err('Neo.ClientError.Cluster.NotALeader'))).to.equal(true)
    expect(isFastRetryCause(err('Neo.TransientError.Transaction.BookmarkTimeout'))).to.equal(false)
  })

  it('maps errors to routing reactions', () => {
    const lost = err('ServiceUnavailable')
    tagConnectionLost(lost)
    expect(routingReaction(lost)).to.equal('forget-server')
    expect(routingReaction(err('Neo.TransientError.General.DatabaseUnavailable'))).to.equal('forget-server')
    expect(routingReaction(err('Neo.ClientError.Cluster.NotALeader'))).to.equal('forget-writer')
    expect(routingReaction(err('Neo.ClientError.General.ForbiddenOnReadOnlyDatabase'))).to.equal('forget-writer')
    expect(routingReaction(err('Neo.ClientError.Statement.SyntaxError'))).to.equal('none')
  })

  it('markRetryable makes core agree for NotALeader', () => {
    const e = err('Neo.ClientError.Cluster.NotALeader')
    expect(coreIsRetryable(e)).to.equal(false)
    markRetryable(e)
    expect(coreIsRetryable(e)).to.equal(true)
  })

  it('tags survive and do not show up in JSON', () => {
    const e = err('X')
    tagConnectionLost(e)
    tagConnectionLost(e) // tagging twice is harmless
    expect(isConnectionLost(e)).to.equal(true)
    expect(Object.keys(e)).to.deep.equal(Object.keys(err('X')))
  })

  it('labels are public, and registered symbols: a second installed copy of the package reads them', () => {
    const e = err('SessionExpired')
    tagConnectionLost(e)
    expect(errorLabels(e)).to.deep.equal(['ConnectionLost'])
    expect(hasErrorLabel(e, 'ConnectionLost')).to.equal(true)
    const other = err('SessionExpired')
    // What another copy's tagConnectionLost does: the same registered key.
    Object.defineProperty(other, Symbol.for('neo4j-cluster-driver.ConnectionLost'), { value: true, enumerable: false })
    expect(isConnectionLost(other)).to.equal(true)
  })

  it('recognises server-reported unknown outcomes', () => {
    expect(isOutcomeUnknownCode(err('Neo.TransientError.Cluster.ReplicationFailure'))).to.equal(true)
    expect(isOutcomeUnknownCode(err('Neo.TransientError.Transaction.LeaderSwitch'))).to.equal(false)
  })
})

describe('errors: classes', () => {
  it('CommitOutcomeUnknownError says so, is a Neo4jError and is not retryable', () => {
    const e = new CommitOutcomeUnknownError(err('SessionExpired'), 'h:1')
    expect(e).to.be.instanceOf(Neo4jError)
    expect(e.message).to.include('commit outcome unknown')
    expect(e.commitOutcome).to.equal('unknown')
    expect(isRetryableError(e)).to.equal(false)
    expect(coreIsRetryable(e)).to.equal(false)
    expect(e.cause).to.be.instanceOf(Neo4jError)
  })

  it('DiscoveryError lists every router and why, and keeps a deciding code', () => {
    const all = new DiscoveryError('neo4j', [
      { address: 'a:1', reason: 'refused', error: new Error('connect ECONNREFUSED') },
      { address: 'b:1', reason: 'timeout', error: new Error('slow') }
    ])
    expect(all.code).to.equal('ServiceUnavailable')
    expect(all.message).to.include('a:1: refused').and.to.include('b:1: timeout')
    expect(isRetryableError(all)).to.equal(true)
    const auth = new DiscoveryError(null, [{ address: 'a:1', reason: 'auth', error: err('Neo.ClientError.Security.Unauthorized') }], err('Neo.ClientError.Security.Unauthorized'))
    expect(auth.code).to.equal('Neo.ClientError.Security.Unauthorized')
    expect(auth.message).to.include('home database')
    expect(isRetryableError(auth)).to.equal(false)
  })

  it('RetriesExhaustedError keeps the last code and every attempt', () => {
    const attempts = [1, 2, 3].map(i => ({ attempt: i, startedAtMs: i * 100 - 50, atMs: i * 100, error: err('SessionExpired') }))
    const e = new RetriesExhaustedError(attempts, 2100, 2000, 'budget')
    expect(e.code).to.equal('SessionExpired')
    expect(e.attempts).to.have.length(3)
    expect(e.message).to.include('3 attempt(s)').and.to.include('2000 ms')
  })

  it('RetriesExhaustedError names each kind of cause once, with its count, however many attempts there were', () => {
    const refused = (): Neo4jError => newError('Failed to connect to server. Please ensure that your database is listening. Caused by: connect ECONNREFUSED 127.0.0.1:9011', 'SessionExpired')
    const attempts = [
      ...Array.from({ length: 70 }, (_, i) => ({ attempt: i + 1, startedAtMs: i * 400, atMs: i * 400, error: refused() })),
      { attempt: 71, startedAtMs: 28_990, atMs: 29_000, error: err('Neo.TransientError.General.DatabaseUnavailable') }
    ]
    const e = new RetriesExhaustedError(attempts, 30_000, 30_000, 'the retry budget ran out')
    expect(e.message).to.include('71 attempt(s) in 30.0 s')
    expect(e.message).to.include('70 × SessionExpired: connect ECONNREFUSED 127.0.0.1:9011; 1 × Neo.TransientError.General.DatabaseUnavailable')
    expect(e.message.length).to.be.below(500)
    expect(e.attempts).to.have.length(71)
  })

  it('RetriesExhaustedError takes its code from the last real failure, not from an attempt the deadline cut short', () => {
    const spent = err('ServiceUnavailable')
    tagBudgetSpent(spent)
    const attempts = [
      { attempt: 1, startedAtMs: 0, atMs: 0, error: err('Neo.ClientError.Cluster.NotALeader') },
      { attempt: 2, startedAtMs: 380, atMs: 390, error: spent }
    ]
    const e = new RetriesExhaustedError(attempts, 400, 400, 'budget')
    expect(e.code).to.equal('Neo.ClientError.Cluster.NotALeader')
    expect(e.attempts).to.have.length(2)
  })

  it('RetriesExhaustedError lists at most five kinds of cause and counts the rest', () => {
    const attempts = Array.from({ length: 8 }, (_, i) => ({ attempt: i + 1, startedAtMs: i, atMs: i, error: err(`Neo.TransientError.Made.Up${i}`) }))
    const e = new RetriesExhaustedError(attempts, 8, 8, 'budget')
    expect(e.message).to.include('1 × Neo.TransientError.Made.Up4').and.to.include('and 3 other kind(s) of failure')
    expect(e.message).to.not.include('Made.Up5')
  })

  it('AcquisitionTimeoutError is not retryable', () => {
    expect(isRetryableError(new AcquisitionTimeoutError('pool full', 'h:1'))).to.equal(false)
  })
})
