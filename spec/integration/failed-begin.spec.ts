// A transaction whose BEGIN fails retryably. A transaction function is only
// called once BEGIN succeeded, so the failed BEGIN is retried without the
// work ever seeing it. An explicit transaction pipelines its first run with
// BEGIN: that run answers with the BEGIN failure itself (retryable), not a
// new "Cannot run a query…" error (code N/A, not retryable).

import { expect } from 'chai'
import diagnosticsChannel from 'node:diagnostics_channel'
import { BoltServer } from '../../cluster-fixture/bolt/index.js'
import type { BackendTransaction, TxRequest } from '../../cluster-fixture/bolt/backend.js'
import { FixtureError } from '../../cluster-fixture/errors.js'
import { FakeBackend, PASSWORD, USER } from '../fixture/bolt/fake-backend.js'
import neo4j, { Neo4jError, type Driver } from '../../lib/index.js'
import { needsFixture, sleep, startTarget, type Target } from './helpers.js'

/** A member whose first `failures` BEGINs fail as if a bookmark wait timed out (or with `status`). */
class BeginFailingBackend extends FakeBackend {
  failures = 1
  begins = 0
  status: 'BookmarkTimeout' | 'InvalidBookmark' = 'BookmarkTimeout'
  override async beginTransaction (request: TxRequest): Promise<BackendTransaction> {
    this.begins++
    if (this.failures > 0) {
      this.failures--
      throw new FixtureError(this.status, `BEGIN refused: ${this.status} (scripted)`)
    }
    return await super.beginTransaction(request)
  }
}

/** One member on a fresh port with that backend, a driver on it; both closed after `use`. */
async function withMember (backend: BeginFailingBackend, use: (d: Driver) => Promise<void>): Promise<void> {
  const server = new BoltServer({ backend })
  const port = await server.listen(0)
  backend.address = `127.0.0.1:${port}`
  const d = neo4j.driver(`neo4j://127.0.0.1:${port}`, neo4j.auth.basic(USER, PASSWORD), { maxTransactionRetryTime: 5000 })
  try {
    await use(d)
  } finally {
    await d.close()
    await server.close()
  }
}

describe('integration: a transaction function after a failed BEGIN', function () {
  this.timeout(60_000)
  before(function () { needsFixture(this) })

  it('one member: a failed BEGIN is retried before the work is called; the work runs once and commits', async () => {
    const backend = new BeginFailingBackend()
    const server = new BoltServer({ backend })
    const port = await server.listen(0)
    backend.address = `127.0.0.1:${port}`
    const d = neo4j.driver(`neo4j://127.0.0.1:${port}`, neo4j.auth.basic(USER, PASSWORD), { maxTransactionRetryTime: 5000 })
    try {
      let calls = 0
      const session = d.session({ database: 'neo4j' })
      const value = await session.executeWrite(async tx => {
        calls++
        return (await tx.run('CREATE (:Thing)')).summary.counters.updates().nodesCreated
      })
      await session.close()
      expect(value).to.equal(1)
      expect(calls).to.equal(1)
      expect(backend.begins).to.equal(2) // the failed BEGIN and the one that worked
      expect(backend.committed).to.equal(1)
      expect(d.poolStats().inUse).to.equal(0)
    } finally {
      await d.close()
      await server.close()
    }
  })

  it('one member: a run pipelined with a BEGIN that fails answers with the BEGIN failure (retryable)', async () => {
    const backend = new BeginFailingBackend()
    const server = new BoltServer({ backend })
    const port = await server.listen(0)
    backend.address = `127.0.0.1:${port}`
    const d = neo4j.driver(`neo4j://127.0.0.1:${port}`, neo4j.auth.basic(USER, PASSWORD))
    try {
      const session = d.session({ database: 'neo4j' })
      const tx = session.beginTransaction()
      const runError = await tx.run('CREATE (:Thing)').then(() => undefined, (error: Neo4jError) => error)
      expect(runError?.code).to.equal('Neo.TransientError.Transaction.BookmarkTimeout')
      expect(neo4j.isRetryableError(runError)).to.equal(true)
      await tx.close()
      await session.close()
      expect(d.poolStats().inUse).to.equal(0)
    } finally {
      await d.close()
      await server.close()
    }
  })

  describe('with pipelineBegin: the work is called before BEGIN is answered', () => {
    it('a failed BEGIN reaches the work as its first query\'s error; the retry calls the work again and commits once', async () => {
      const backend = new BeginFailingBackend()
      await withMember(backend, async d => {
        const seen: Array<string | undefined> = []
        const session = d.session({ database: 'neo4j' })
        const value = await session.executeWrite(async tx => {
          try {
            return (await tx.run('CREATE (:Thing)')).summary.counters.updates().nodesCreated
          } catch (error) {
            seen.push((error as Neo4jError).code)
            throw error
          }
        }, { pipelineBegin: true })
        await session.close()
        expect(value).to.equal(1)
        expect(seen).to.deep.equal(['Neo.TransientError.Transaction.BookmarkTimeout'])
        expect(backend.begins).to.equal(2)
        expect(backend.committed).to.equal(1)
        expect(d.poolStats().inUse).to.equal(0)
      })
    })

    it('a BEGIN failure that is not retryable is reported as it is, after one call of the work', async () => {
      const backend = new BeginFailingBackend()
      backend.status = 'InvalidBookmark'
      await withMember(backend, async d => {
        let calls = 0
        const session = d.session({ database: 'neo4j' })
        const error = await session.executeRead(async tx => {
          calls++
          return await tx.run('RETURN 1 AS n')
        }, { pipelineBegin: true }).catch((e: Neo4jError) => e)
        await session.close()
        expect((error as Neo4jError).code).to.equal('Neo.ClientError.Transaction.InvalidBookmark')
        expect(calls).to.equal(1)
        expect(backend.begins).to.equal(1)
        expect(d.poolStats().inUse).to.equal(0)
      })
    })

    it('work that swallows the BEGIN failure cannot commit: the failure is what executeWrite reports and retries', async () => {
      const backend = new BeginFailingBackend()
      await withMember(backend, async d => {
        let calls = 0
        const session = d.session({ database: 'neo4j' })
        const value = await session.executeWrite(async tx => {
          calls++
          await tx.run('CREATE (:Thing)').catch(() => {})
          return calls
        }, { pipelineBegin: true })
        await session.close()
        expect(value).to.equal(2) // the first call's COMMIT failed with BEGIN's error; the second committed
        expect(backend.committed).to.equal(1)
      })
    })
  })

  describe('cluster: a bookmark wait that times out on lagging secondaries', () => {
    let target: Target
    before(async function () {
      needsFixture(this)
      // One primary: every read lands on a secondary that applies writes 1.5 s late,
      // while a bookmark wait gives up after 300 ms (BookmarkTimeout, retryable).
      target = await startTarget({ primaries: 1, secondaries: 2, secondaryLagMs: 1500, bookmarkWaitTimeoutMs: 300 })
    })
    after(async () => { await target?.close() })

    it('executeRead retries until the secondary caught up, and reads the write', async () => {
      const d = target.driver({ maxTransactionRetryTime: 20_000 })
      const writer = d.session({ database: 'neo4j' })
      await writer.executeWrite(tx => tx.run('CREATE (:Late {id: $id})', { id: 'late-1' }))
      const bookmarks = writer.lastBookmarks()
      await writer.close()

      const reader = d.session({ database: 'neo4j', defaultAccessMode: 'READ', bookmarks })
      const retried: string[] = []
      const onRetry = (message: unknown): void => { retried.push(String((message as { code?: string }).code)) }
      diagnosticsChannel.subscribe(neo4j.diagnosticsChannels.retry, onRetry)
      let calls = 0
      try {
        const count = await reader.executeRead(async tx => {
          calls++
          const { records } = await tx.run('MATCH (l:Late {id: $id}) RETURN count(l) AS n', { id: 'late-1' })
          return records[0]?.get('n').toNumber() as number
        })
        expect(count).to.equal(1)
      } finally {
        diagnosticsChannel.unsubscribe(neo4j.diagnosticsChannels.retry, onRetry)
        await reader.close()
      }
      expect(calls).to.equal(1) // only once BEGIN succeeded
      expect(retried.length).to.be.at.least(1)
      expect(new Set(retried)).to.deep.equal(new Set(['Neo.TransientError.Transaction.BookmarkTimeout']))
      expect(d.poolStats().inUse).to.equal(0)
    })
  })
})
