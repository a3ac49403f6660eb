// A transaction function whose BEGIN fails retryably, and which runs a query
// after that failure and rethrows what it got, is retried: the run answers
// with the BEGIN failure itself (retryable), not a new "Cannot run a query…"
// error (code N/A, not retryable) that used to end executeRead/executeWrite.

import { expect } from 'chai'
import { BoltServer } from '../../cluster-fixture/bolt/index.js'
import type { BackendTransaction, TxRequest } from '../../cluster-fixture/bolt/backend.js'
import { FixtureError } from '../../cluster-fixture/errors.js'
import { FakeBackend, PASSWORD, USER } from '../fixture/bolt/fake-backend.js'
import neo4j, { Neo4jError } from '../../lib/index.js'
import { needsFixture, sleep, startTarget, type Target } from './helpers.js'

/** A member whose first `failures` BEGINs fail as if a bookmark wait timed out. */
class BeginFailingBackend extends FakeBackend {
  failures = 1
  override async beginTransaction (request: TxRequest): Promise<BackendTransaction> {
    if (this.failures > 0) {
      this.failures--
      throw new FixtureError('BookmarkTimeout', 'Waiting for a bookmark of \'neo4j\' failed (scripted)')
    }
    return await super.beginTransaction(request)
  }
}

describe('integration: a transaction function after a failed BEGIN', function () {
  this.timeout(60_000)
  before(function () { needsFixture(this) })

  it('one member: a run after a failed BEGIN rethrown by the work is retried, and the retry commits', async () => {
    const backend = new BeginFailingBackend()
    const server = new BoltServer({ backend })
    const port = await server.listen(0)
    backend.address = `127.0.0.1:${port}`
    const d = neo4j.driver(`neo4j://127.0.0.1:${port}`, neo4j.auth.basic(USER, PASSWORD), { maxTransactionRetryTime: 5000 })
    try {
      const seen: string[] = []
      const session = d.session({ database: 'neo4j' })
      const value = await session.executeWrite(async tx => {
        await sleep(100) // work before the first query: BEGIN has failed by then
        try {
          return (await tx.run('CREATE (:Thing)')).summary.counters.updates().nodesCreated
        } catch (error) {
          seen.push((error as Neo4jError).code)
          throw error
        }
      })
      await session.close()
      expect(value).to.equal(1)
      expect(seen).to.deep.equal(['Neo.TransientError.Transaction.BookmarkTimeout'])
      expect(backend.committed).to.equal(1)
      expect(d.poolStats().inUse).to.equal(0)
    } finally {
      await d.close()
      await server.close()
    }
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
      const codes: string[] = []
      const count = await reader.executeRead(async tx => {
        await sleep(400) // longer than the bookmark wait: BEGIN has failed before the query is sent
        try {
          const { records } = await tx.run('MATCH (l:Late {id: $id}) RETURN count(l) AS n', { id: 'late-1' })
          return records[0]?.get('n').toNumber() as number
        } catch (error) {
          codes.push((error as Neo4jError).code)
          throw error
        }
      })
      await reader.close()
      expect(count).to.equal(1)
      expect(codes.length).to.be.at.least(1)
      expect(new Set(codes)).to.deep.equal(new Set(['Neo.TransientError.Transaction.BookmarkTimeout']))
      expect(d.poolStats().inUse).to.equal(0)
    })
  })
})
