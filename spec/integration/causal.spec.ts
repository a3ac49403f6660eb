// Read-your-writes on secondaries that lag 500 ms: bookmarks from
// lastBookmarks(), from a shared bookmarkManager, and through executeQuery's
// default manager. One primary, so every read lands on a lagging secondary.

import { expect } from 'chai'
import neo4j, { bookmarkManager } from '../../lib/index.js'
import { needsFixture, roles, startTarget, type Target } from './helpers.js'

const LAG_MS = 500

describe('integration: causal consistency on lagging secondaries', function () {
  this.timeout(60_000)
  let target: Target
  let secondaries: string[] = []

  before(async function () {
    needsFixture(this)
    target = await startTarget({ primaries: 1, secondaries: 2, secondaryLagMs: LAG_MS })
    const cluster = target.cluster
    if (cluster === undefined) throw new Error('fixture expected')
    const r = await roles(cluster)
    secondaries = r.secondaries.map(r.address)
  })
  after(async () => { await target?.close() })

  const countItems = async (read: (q: string, p: Record<string, unknown>) => Promise<{ n: number, address: string }>, id: string) =>
    await read('MATCH (i:Item {id: $id}) RETURN count(i) AS n', { id })

  it('sanity: without bookmarks a read on a secondary right after a write is stale (the lag is real)', async () => {
    const d = target.driver()
    const direct = target.driver({}, `bolt://${secondaries[0] ?? ''}`)
    await d.executeQuery('CREATE (:Item {id: $id})', { id: 'stale-check' }, { database: 'neo4j' })
    const { records } = await direct.executeQuery('MATCH (i:Item {id: $id}) RETURN count(i) AS n', { id: 'stale-check' }, { database: 'neo4j', bookmarkManager: null })
    expect(records[0]?.get('n').toNumber()).to.equal(0)
  })

  it('a session made from another session\'s lastBookmarks() reads its write', async () => {
    const d = target.driver()
    for (let i = 0; i < 5; i++) {
      const id = `session-${i}`
      const writer = d.session({ database: 'neo4j' })
      await writer.executeWrite(tx => tx.run('CREATE (:Item {id: $id})', { id }))
      const bookmarks = writer.lastBookmarks()
      await writer.close()
      expect(bookmarks).to.have.length(1)
      const reader = d.session({ database: 'neo4j', defaultAccessMode: 'READ', bookmarks })
      const { n, address } = await countItems(async (q, p) => await reader.executeRead(async tx => {
        const result = await tx.run(q, p)
        return { n: result.records[0]?.get('n').toNumber() as number, address: result.summary.server.address ?? '' }
      }), id)
      await reader.close()
      expect(secondaries).to.include(address)
      expect(n, `read of ${id} on ${target.name(address)}`).to.equal(1)
    }
  })

  it('with pipelineBegin on both sides (BEGIN sent with the first query, bookmarks in it), the read still sees the write', async () => {
    const d = target.driver()
    for (let i = 0; i < 3; i++) {
      const id = `pipelined-${i}`
      const writer = d.session({ database: 'neo4j' })
      await writer.executeWrite(tx => tx.run('CREATE (:Item {id: $id})', { id }), { pipelineBegin: true })
      const bookmarks = writer.lastBookmarks()
      await writer.close()
      const reader = d.session({ database: 'neo4j', defaultAccessMode: 'READ', bookmarks })
      const { n, address } = await countItems(async (q, p) => await reader.executeRead(async tx => {
        const result = await tx.run(q, p)
        return { n: result.records[0]?.get('n').toNumber() as number, address: result.summary.server.address ?? '' }
      }, { pipelineBegin: true }), id)
      await reader.close()
      expect(secondaries).to.include(address)
      expect(n, `read of ${id} on ${target.name(address)}`).to.equal(1)
    }
  })

  it('a shared bookmarkManager carries writes across sessions', async () => {
    const d = target.driver()
    const manager = bookmarkManager()
    for (let i = 0; i < 3; i++) {
      const id = `manager-${i}`
      const w = d.session({ database: 'neo4j', bookmarkManager: manager })
      await w.executeWrite(tx => tx.run('CREATE (:Item {id: $id})', { id }))
      await w.close()
      const r = d.session({ database: 'neo4j', bookmarkManager: manager, defaultAccessMode: neo4j.session.READ })
      const n = await r.executeRead(async tx => (await tx.run('MATCH (i:Item {id: $id}) RETURN count(i) AS n', { id })).records[0]?.get('n').toNumber())
      await r.close()
      expect(n).to.equal(1)
    }
  })

  it('executeQuery one-liners read their own writes through the driver\'s bookmark manager', async () => {
    const d = target.driver()
    for (let i = 0; i < 5; i++) {
      const id = `query-${i}`
      await d.executeQuery('CREATE (:Item {id: $id})', { id }, { database: 'neo4j' })
      const { records, summary } = await d.executeQuery('MATCH (i:Item {id: $id}) RETURN count(i) AS n', { id }, { database: 'neo4j', routing: 'READ' })
      expect(secondaries).to.include(summary.server.address)
      expect(records[0]?.get('n').toNumber()).to.equal(1)
    }
  })
})
