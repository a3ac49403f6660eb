// Our driver against the strict fixture with its Neo4j defaults (manifest
// handshake, server-side routing on): a broad workload — every way to run a
// query, small fetch sizes, timeouts and metadata, results left unconsumed
// before COMMIT, ROLLBACK and close, a query that fails part way — breaks no
// strict rule on any member (each breach would be a conformance defect of the
// driver), and no write needed a member to route it: the driver found the
// leader itself.

import { expect } from 'chai'
import type { Cluster } from '../../cluster-fixture/index.js'
import neo4j, { Neo4jError } from '../../lib/index.js'
import { needsFixture, startTarget, type Target } from './helpers.js'

function breaches (cluster: Cluster): Record<string, number> {
  const total: Record<string, number> = {}
  for (const member of cluster.members()) {
    for (const [rule, n] of Object.entries(cluster.server(member.name).stats().breaches)) total[rule] = (total[rule] ?? 0) + (n ?? 0)
  }
  return total
}

describe('integration: our driver against the strict fixture', function () {
  this.timeout(60_000)
  let target: Target

  before(async function () {
    needsFixture(this)
    target = await startTarget()
  })
  after(async () => { await target?.close() })

  it('a broad workload breaks no strict rule, negotiates through the manifest, and never needs server-side routing', async () => {
    const cluster = target.cluster as Cluster
    const d = target.driver({ fetchSize: 2 })
    await d.verifyConnectivity()
    await d.executeQuery('CREATE (:Strict {n: $n})', { n: 1 }, { database: 'neo4j' })
    await d.executeQuery('UNWIND range(1, 5) AS i CREATE (:Strict {n: i})')
    const read = await d.executeQuery('MATCH (s:Strict) RETURN s.n AS n ORDER BY n', {}, { routing: neo4j.routing.READ })
    expect(read.records.length).to.be.at.least(5)

    const session = d.session({ database: 'neo4j', defaultAccessMode: neo4j.session.WRITE })
    try {
      await session.run('CREATE (:Strict {auto: true})', {}, { timeout: 5000, metadata: { app: 'strict' } })
      await session.executeWrite(async tx => {
        const unconsumed = tx.run('UNWIND range(1, 9) AS i RETURN i') // never read: COMMIT must wait for it
        await tx.run('CREATE (:Strict {managed: true})')
        void unconsumed
      }, { timeout: 4000 })
      const tx = await session.beginTransaction({ timeout: 3000, metadata: { step: 'explicit' } })
      await tx.run('CREATE (:Strict {explicit: true})')
      const open = tx.run('UNWIND range(1, 9) AS i RETURN i')
      void open
      await tx.commit()
      const rolled = await session.beginTransaction()
      rolled.run('UNWIND range(1, 9) AS i RETURN i').catch(() => {})
      await rolled.rollback()
      const lazy = await session.run('UNWIND [1, 2, 0] AS x RETURN 10 / x AS y').catch((error: Error) => error)
      expect(lazy).to.be.instanceOf(Neo4jError)
      expect((lazy as Neo4jError).code).to.equal('Neo.ClientError.Statement.ArithmeticError')
      const left = session.run('UNWIND range(1, 9) AS i RETURN i') // abandoned: closing the session cleans up
      void left
    } finally {
      await session.close()
    }
    const reader = d.session({ defaultAccessMode: neo4j.session.READ })
    try {
      await reader.executeRead(async tx => await tx.run('MATCH (s:Strict) RETURN count(s) AS n'))
    } finally {
      await reader.close()
    }

    expect(breaches(cluster)).to.deep.equal({})
    expect(cluster.forwardedTransactionCount()).to.equal(0)
    const handshakes = cluster.members().map(m => cluster.server(m.name).stats().handshakes)
    expect(handshakes.reduce((n, h) => n + h.legacy, 0)).to.equal(0)
    expect(handshakes.reduce((n, h) => n + h.manifest, 0)).to.be.at.least(2)
    expect(d.poolStats().inUse).to.equal(0)
  })

  it('a query run for each record of another in the same session (nested auto-commit): the outer result buffers its rest, nothing hangs', async () => {
    const d = target.driver({ fetchSize: 1 })
    const session = d.session({ database: 'neo4j', defaultAccessMode: neo4j.session.READ })
    const pairs: string[] = []
    try {
      const outer = session.run('UNWIND range(1, 3) AS i RETURN i')
      for await (const record of outer) {
        const i = record.get('i').toNumber() as number
        const inner = await session.run('UNWIND range(1, 2) AS j RETURN $i * 10 + j AS v', { i })
        pairs.push(...inner.records.map(r => String(r.get('v'))))
      }
    } finally {
      await session.close()
    }
    expect(pairs).to.deep.equal(['11', '12', '21', '22', '31', '32'])
    expect(breaches(target.cluster as Cluster)).to.deep.equal({})
    expect(d.poolStats().inUse).to.equal(0)
  })
})
