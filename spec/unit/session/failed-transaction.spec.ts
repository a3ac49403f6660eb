// A transaction that has failed (BEGIN refused, a RUN failed, the connection
// died) answers later runs with that failure itself, so its code and its
// retryability reach the retry engine even when a transaction function runs a
// query after BEGIN failed and rethrows what it got.

import { expect } from 'chai'
import { internal, Neo4jError, ProtocolVersion } from 'neo4j-driver-core'
import type { PooledConnection } from '../../../lib/connection/pooled-connection.js'
import { isRetryableError, neo4jError } from '../../../lib/errors.js'
import { silentLog } from '../../../lib/log.js'
import type { ConnectionProvider } from '../../../lib/routing/provider.js'
import { Session } from '../../../lib/session/session.js'
import { resolveSessionConfig } from '../../../lib/session/session-config.js'

const tick = async (): Promise<void> => await new Promise(resolve => setImmediate(resolve))

/** A single-response observer that answers (or fails) when told to. */
function observer (outcome: { error?: Error, metadata?: Record<string, unknown> }): unknown {
  return {
    subscribe: ({ onCompleted, onError }: { onCompleted: (m: unknown) => void, onError: (e: Error) => void }) => {
      queueMicrotask(() => { if (outcome.error !== undefined) onError(outcome.error); else onCompleted(outcome.metadata ?? {}) })
    }
  }
}

interface Script { beginErrors: Error[], begins: number, commits: number, releases: number, reported: Error[] }

/** A provider whose connections fail BEGIN with each scripted error in turn, then succeed. */
function fakeProvider (script: Script): ConnectionProvider<PooledConnection> {
  const connection = {
    address: 'm1:7687',
    beginTransaction: () => { script.begins++; return observer({ error: script.beginErrors.shift() }) },
    commitTransaction: () => { script.commits++; return observer({ metadata: { bookmark: `bm-${script.commits}` } }) },
    rollbackTransaction: () => observer({}),
    // A query on a live transaction: no records, completes at once.
    run: () => new internal.observer.CompletedObserver(),
    getProtocolVersion: () => new ProtocolVersion(5, 7),
    release: async () => { script.releases++ }
  } as unknown as PooledConnection
  return {
    acquire: async () => ({ connection, database: 'neo4j' }),
    onError: (error) => { script.reported.push(error as Error) },
    routingTable: () => undefined,
    refreshRoutingTable: async () => { throw new Error('not in this spec') },
    serverInfo: async () => { throw new Error('not used') },
    verifyAuthentication: async () => { throw new Error('not used') },
    close: async () => {}
  }
}

function session (script: Script, budgetMs = 5_000): Session {
  return new Session({
    provider: fakeProvider(script),
    fetchSize: 1000,
    acquisitionTimeout: 5_000,
    retryPolicy: { budgetMs, initialDelayMs: 1, multiplier: 1, maxDelayMs: 1, jitter: 0 },
    log: silentLog
  }, resolveSessionConfig({ database: 'neo4j' }))
}

const bookmarkTimeout = (): Neo4jError => neo4jError('Waiting for a bookmark of neo4j failed', 'Neo.TransientError.Transaction.BookmarkTimeout')

describe('session: a failed transaction', () => {
  it('answers a run after a failed BEGIN with the BEGIN failure itself (code and retryability kept)', async () => {
    const script: Script = { beginErrors: [bookmarkTimeout()], begins: 0, commits: 0, releases: 0, reported: [] }
    const s = session(script)
    const tx = s.beginTransaction()
    const begun = await tx.then(() => undefined, (error: Error) => error)
    expect(begun).to.be.instanceOf(Neo4jError)
    const runError = await tx.run('RETURN 1').then(() => undefined, (error: Error) => error)
    expect(runError).to.equal(begun)
    expect((runError as Neo4jError).code).to.equal('Neo.TransientError.Transaction.BookmarkTimeout')
    expect(isRetryableError(runError)).to.equal(true)
    await tx.close()
    await s.close()
    expect(script.releases).to.equal(1)
  })

  it('executeWrite retries a BEGIN that failed retryably without calling the work, which runs once BEGIN succeeded', async () => {
    const script: Script = { beginErrors: [bookmarkTimeout()], begins: 0, commits: 0, releases: 0, reported: [] }
    const s = session(script)
    let calls = 0
    const value = await s.executeWrite(async tx => {
      calls++
      await tx.run('CREATE (:Thing)')
      return 'written'
    })
    expect(value).to.equal('written')
    expect(calls).to.equal(1)
    expect(script.begins).to.equal(2)
    expect(script.commits).to.equal(1)
    expect(script.releases).to.equal(2)
    await s.close()
  })

  it('stops at once on a non-retryable BEGIN failure, surfacing that failure unchanged', async () => {
    const denied = neo4jError('Access denied', 'Neo.ClientError.Security.Forbidden')
    const script: Script = { beginErrors: [denied], begins: 0, commits: 0, releases: 0, reported: [] }
    const s = session(script)
    let calls = 0
    const outcome = await s.executeRead(async tx => {
      calls++
      await tx.run('RETURN 1')
    }).then(() => undefined, (error: Error) => error)
    expect(outcome).to.equal(denied)
    expect(script.begins).to.equal(1)
    expect(calls).to.equal(0) // the work never runs for a transaction that did not begin
    await s.close()
  })

  it('commit after a failed BEGIN rejects with the same failure', async () => {
    const failure = bookmarkTimeout()
    const script: Script = { beginErrors: [failure], begins: 0, commits: 0, releases: 0, reported: [] }
    const s = session(script)
    const tx = s.beginTransaction()
    await tx.then(() => undefined, () => undefined)
    const runError = await tx.run('RETURN 1').then(() => undefined, (error: Error) => error)
    const commitError = await tx.commit().then(() => undefined, (error: Error) => error)
    expect(runError).to.equal(failure)
    expect(commitError).to.equal(failure)
    expect(script.commits).to.equal(0)
    await s.close()
  })
})
