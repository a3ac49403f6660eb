// Writes go to the leader, reads spread over every reader and never the
// leader (unless the table lists it), and the routing table is observable.
// Needs no fixture controls: runs against NEO4J_URI too.

import { expect } from 'chai'
import diagnosticsChannel from 'node:diagnostics_channel'
import { diagnosticsChannels, Neo4jError, type RoutingTableEvent } from '../../lib/index.js'
import { needsFixture, roles, startTarget, waitFor, type Target } from './helpers.js'

describe('integration: routing against a cluster', function () {
  this.timeout(60_000)
  let target: Target

  before(async () => { target = await startTarget() })
  after(async () => { await target.close() })

  it('verifyConnectivity fetches the table; routingTable(db) shows routers, readers and writers', async () => {
    const d = target.driver()
    const info = await d.verifyConnectivity({ database: 'neo4j' })
    expect(info.address).to.be.a('string')
    const table = d.routingTable('neo4j')
    expect(table).to.not.equal(undefined)
    expect(table?.database).to.equal('neo4j')
    expect(table?.writers).to.have.length(1)
    expect(table?.readers.length).to.be.at.least(1)
    expect(table?.expiresAt).to.be.above(Date.now())
    if (target.cluster !== undefined) {
      const r = await roles(target.cluster)
      expect(table?.writers).to.deep.equal([r.address(r.leader)])
      expect([...(table?.readers ?? [])].sort()).to.deep.equal([...r.followers, ...r.secondaries].map(r.address).sort())
      expect(table?.routers).to.have.length(5)
    }
  })

  it('writes land on the leader (summary.server.address), through executeWrite and executeQuery', async () => {
    const d = target.driver()
    const session = d.session({ database: 'neo4j' })
    try {
      const viaSession = await session.executeWrite(async tx => (await tx.run('MERGE (:City {name: $name})', { name: 'Singapore' })).summary.server.address)
      const viaQuery = (await d.executeQuery('MERGE (:City {name: $name})', { name: 'Mumbai' }, { database: 'neo4j' })).summary.server.address
      const writers = d.routingTable('neo4j')?.writers ?? []
      expect(writers).to.include(viaSession)
      expect(viaQuery).to.equal(viaSession)
      if (target.cluster !== undefined) {
        expect(target.name(viaSession)).to.equal(await target.cluster.leader('neo4j'))
        // The cluster routes server-side (Neo4j's default), but the driver never needed it: it found the leader itself.
        expect(target.cluster.forwardedTransactionCount()).to.equal(0)
      }
    } finally {
      await session.close()
    }
  })

  it('300 reads spread over all readers and never touch the leader', async () => {
    const d = target.driver()
    const counts = new Map<string, number>()
    for (let i = 0; i < 300; i++) {
      const { summary } = await d.executeQuery('MATCH (c:City) RETURN c.name AS name', {}, { database: 'neo4j', routing: 'READ' })
      const address = summary.server.address ?? ''
      counts.set(address, (counts.get(address) ?? 0) + 1)
    }
    const table = d.routingTable('neo4j')
    const readers = table?.readers ?? []
    expect([...counts.keys()].sort()).to.deep.equal([...readers].sort())
    for (const writer of table?.writers ?? []) if (!readers.includes(writer)) expect(counts.has(writer)).to.equal(false)
    const fair = 300 / readers.length
    for (const [address, n] of counts) expect(n, `${target.name(address)} got ${n} of 300`).to.be.within(fair * 0.5, fair * 1.5)
  })

  it('concurrent reads are balanced by connections in use', async () => {
    const d = target.driver()
    const counts = new Map<string, number>()
    await Promise.all(Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 25; i++) {
        const session = d.session({ database: 'neo4j', defaultAccessMode: 'READ' })
        try {
          const address = await session.executeRead(async tx => (await tx.run('MATCH (c:City) RETURN count(c) AS n')).summary.server.address ?? '')
          counts.set(address, (counts.get(address) ?? 0) + 1)
        } finally {
          await session.close()
        }
      }
    }))
    expect(counts.size).to.equal(d.routingTable('neo4j')?.readers.length)
  })

  it('publishes routing-table updates on a diagnostics channel', async () => {
    const seen: RoutingTableEvent[] = []
    const listener = (message: unknown): void => { seen.push(message as RoutingTableEvent) }
    diagnosticsChannel.subscribe(diagnosticsChannels.routingTable, listener)
    try {
      const d = target.driver()
      await d.executeQuery('RETURN 1', {}, { database: 'neo4j' })
      expect(seen).to.have.length.at.least(1)
      expect(seen[0]?.table.database).to.equal('neo4j')
      expect(seen[0]?.table.writers).to.have.length(1)
    } finally {
      diagnosticsChannel.unsubscribe(diagnosticsChannels.routingTable, listener)
    }
  })

  it('a session without a database, server-side routing on (Neo4j\'s default): the cached home database routes, one ROUTE for many sessions', async function () {
    needsFixture(this) // a real cluster's routing settings are its own
    const d = target.driver()
    const before = target.cluster?.routeRequestCount()
    for (let i = 0; i < 5; i++) {
      const s = d.session()
      const { records } = await s.run('RETURN 1 AS one')
      expect(records[0]?.get('one').toNumber()).to.equal(1)
      await s.close()
    }
    if (target.cluster !== undefined && before !== undefined) expect(target.cluster.routeRequestCount() - before).to.equal(1)
    expect(d.routingTable('neo4j')).to.not.equal(undefined)
  })

  it('a session without a database, server-side routing off: each session resolves the home database itself (an admin may change it)', async function () {
    needsFixture(this)
    const own = await startTarget({ serverSideRouting: false })
    try {
      const d = own.driver()
      const before = own.cluster?.routeRequestCount() ?? 0
      for (let i = 0; i < 5; i++) {
        const s = d.session()
        const { records } = await s.run('RETURN 1 AS one')
        expect(records[0]?.get('one').toNumber()).to.equal(1)
        await s.run('RETURN 2') // the session keeps the name it resolved: no second ROUTE
        await s.close()
      }
      expect((own.cluster?.routeRequestCount() ?? 0) - before).to.equal(5)
    } finally {
      await own.close()
    }
  })

  it('routingTable() gives the home database\'s table once a session resolved it; refreshRoutingTable() sends ROUTE now', async () => {
    const d = target.driver()
    expect(d.routingTable()).to.equal(undefined)
    const s = d.session()
    await s.run('RETURN 1')
    await s.close()
    const home = d.routingTable()
    expect(home?.database).to.equal('neo4j')
    expect(home).to.deep.equal(d.routingTable('neo4j'))
    const before = target.cluster?.routeRequestCount()
    const forced = await d.refreshRoutingTable()
    expect(forced.database).to.equal('neo4j')
    expect(forced.writers).to.have.length(1)
    expect(forced.expiresAt).to.be.at.least(home?.expiresAt ?? 0)
    const named = await d.refreshRoutingTable('neo4j', { bookmarks: [] })
    expect(named.database).to.equal('neo4j')
    if (target.cluster !== undefined && before !== undefined) expect(target.cluster.routeRequestCount() - before).to.equal(2)
    expect(d.routingTable('neo4j')).to.deep.equal(named)
  })

  it('refreshRoutingTable() on a fresh driver resolves the home database without any query', async () => {
    const d = target.driver()
    const table = await d.refreshRoutingTable()
    expect(table.database).to.equal('neo4j')
    expect(d.routingTable()).to.deep.equal(table)
    await d.refreshRoutingTable('', {}).then(() => { throw new Error('expected a ConfigurationError') }, (error: Neo4jError) => {
      expect(error.code).to.equal('ConfigurationError')
    })
  })

  it('after a leader stop, refreshRoutingTable shows the new leader without running a query', async function () {
    needsFixture(this)
    const cluster = target.cluster
    if (cluster === undefined) throw new Error('fixture expected')
    const d = target.driver()
    const { leader, address } = await roles(cluster)
    expect((await d.refreshRoutingTable('neo4j')).writers).to.deep.equal([address(leader)])
    await cluster.stop(leader)
    try {
      const newLeader = await cluster.leader('neo4j', 20_000)
      // The old table still names the stopped leader; a forced update fetches the new one.
      expect(d.routingTable('neo4j')?.writers).to.deep.equal([address(leader)])
      await waitFor('a table naming the new leader', async () =>
        (await d.refreshRoutingTable('neo4j').catch(() => undefined))?.writers[0] === address(newLeader), 10_000, 100)
      expect(d.routingTable('neo4j')?.writers).to.deep.equal([address(newLeader)])
    } finally {
      await cluster.start(leader)
    }
  })
})
