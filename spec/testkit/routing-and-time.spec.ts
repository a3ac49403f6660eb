// The backend's routing-table requests (Backend:RTFetch, Backend:RTForceUpdate)
// and fake time (Backend:MockTime) over TCP against a fixture cluster, as
// testkit sends them: GetRoutingTable with and without a database,
// ForcedRoutingTableUpdate (ROUTE now, bookmarks on the wire, failures as
// DriverError), and FakeTimeInstall/Tick/Uninstall moving the time of a
// driver the connection created before the install.

import { expect } from 'chai'
import { cypher } from './client.js'
import { backendAgainstCluster } from './cluster-rig.js'

const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

describe('testkit backend: routing-table requests and fake time against a fixture cluster', function () {
  this.timeout(120_000)
  const rig = backendAgainstCluster({ primaries: 3 })
  const { address, newDriver } = rig

  /** One auto-commit query in a fresh session; returns the session's bookmarks. */
  async function run (driverId: unknown, database: string | null, query = 'RETURN 1 AS one'): Promise<string[]> {
    const { id: sessionId } = await rig.client.expect('Session', 'NewSession', {
      driverId, accessMode: 'w', bookmarks: null, database, fetchSize: null, impersonatedUser: null
    })
    const { id: resultId } = await rig.client.expect('Result', 'SessionRun', { sessionId, cypher: query, params: null })
    await rig.client.expect('Summary', 'ResultConsume', { resultId })
    const { bookmarks } = await rig.client.expect('Bookmarks', 'SessionLastBookmarks', { sessionId })
    await rig.client.expect('Session', 'SessionClose', { sessionId })
    return bookmarks
  }

  it('GetRoutingTable without a database: empty before the home database is resolved, then the home database\'s table', async () => {
    const leader = await rig.cluster.leader('neo4j')
    const driverId = await newDriver()
    const before = await rig.client.expect('RoutingTable', 'GetRoutingTable', { driverId, database: null })
    expect(before).to.deep.equal({ database: null, ttl: 0, routers: [], readers: [], writers: [] })

    await run(driverId, null) // a session that names no database resolves the home database
    const home = await rig.client.expect('RoutingTable', 'GetRoutingTable', { driverId, database: null })
    expect(home.database).to.equal('neo4j')
    expect(home.ttl).to.equal(rig.cluster.options.routingTtlSeconds)
    expect(home.writers).to.deep.equal([address(leader)])
    expect([...home.routers].sort()).to.deep.equal(rig.cluster.members().map(m => m.address).sort())
    expect(await rig.client.expect('RoutingTable', 'GetRoutingTable', { driverId, database: 'neo4j' })).to.deep.equal(home)
    await rig.client.expect('Driver', 'DriverClose', { driverId })
  })

  it('ForcedRoutingTableUpdate sends ROUTE at once, even for a fresh table, for a named database and for the home database', async () => {
    const driverId = await newDriver()
    const routes = rig.cluster.routeRequestCount()
    const answer = await rig.client.expect('Driver', 'ForcedRoutingTableUpdate', { driverId, database: 'neo4j', bookmarks: null })
    expect(answer.id).to.equal(driverId)
    expect(rig.cluster.routeRequestCount()).to.equal(routes + 1)
    const table = await rig.client.expect('RoutingTable', 'GetRoutingTable', { driverId, database: 'neo4j' })
    expect(table.database).to.equal('neo4j')
    expect(table.routers).to.have.length(rig.cluster.members().length)

    await rig.client.expect('Driver', 'ForcedRoutingTableUpdate', { driverId, database: 'neo4j', bookmarks: [] })
    expect(rig.cluster.routeRequestCount(), 'the table was fresh: forced anyway').to.equal(routes + 2)

    // update_routing_table() in testkit: no database, no bookmarks → ROUTE for the home database, then get_routing_table().
    expect((await rig.client.expect('RoutingTable', 'GetRoutingTable', { driverId, database: null })).routers).to.deep.equal([])
    await rig.client.expect('Driver', 'ForcedRoutingTableUpdate', { driverId })
    expect(rig.cluster.routeRequestCount()).to.equal(routes + 3)
    const home = await rig.client.expect('RoutingTable', 'GetRoutingTable', { driverId, database: null })
    expect(home.database).to.equal('neo4j')
    expect(home.routers).to.have.length(rig.cluster.members().length)
  })

  it('ForcedRoutingTableUpdate sends its bookmarks with ROUTE: a real one is waited for, one the server cannot parse fails discovery', async () => {
    const driverId = await newDriver()
    const bookmarks = await run(driverId, 'neo4j', 'CREATE (:TkForced {k: 1})')
    expect(bookmarks).to.have.length(1)
    await rig.client.expect('Driver', 'ForcedRoutingTableUpdate', { driverId, database: 'neo4j', bookmarks })
    const invalid = await rig.client.expect('DriverError', 'ForcedRoutingTableUpdate', { driverId, database: 'neo4j', bookmarks: ['not-a-bookmark'] })
    expect(invalid.code).to.equal('Neo.ClientError.Transaction.InvalidBookmark')
    expect(invalid.retryable).to.equal(false)
  })

  it('reports failed forced updates as DriverError: an unknown database, and a bolt:// driver, which has no routing table', async () => {
    const driverId = await newDriver()
    const missing = await rig.client.expect('DriverError', 'ForcedRoutingTableUpdate', { driverId, database: 'no-such-db', bookmarks: null })
    expect(missing.code).to.equal('Neo.ClientError.Database.DatabaseNotFound')
    expect((await rig.client.expect('RoutingTable', 'GetRoutingTable', { driverId, database: 'no-such-db' })).routers).to.deep.equal([])

    const direct = await newDriver({ uri: `bolt://${rig.cluster.members()[0]?.address ?? ''}` })
    const refused = await rig.client.expect('DriverError', 'ForcedRoutingTableUpdate', { driverId: direct, database: null, bookmarks: null })
    expect(refused.code).to.equal('IllegalState')
    expect(refused.msg).to.match(/does not route/)
    expect(await rig.client.expect('RoutingTable', 'GetRoutingTable', { driverId: direct, database: null }))
      .to.deep.equal({ database: null, ttl: 0, routers: [], readers: [], writers: [] })
  })

  it('fake time: a driver created before FakeTimeInstall idles, ages its table and liveness-checks by ticks only', async () => {
    const leader = await rig.cluster.leader('neo4j')
    const driverId = await newDriver({ livenessCheckTimeoutMs: 2_000 })
    await rig.client.expect('FakeTimeAck', 'FakeTimeInstall')
    const write = async (): Promise<void> => {
      const result = await rig.client.expect('EagerResult', 'ExecuteQuery', {
        driverId, cypher: 'RETURN $x AS x', params: { x: cypher.int(1) }, config: { routing: 'w', database: 'neo4j' }
      })
      expect(result.records).to.deep.equal([{ values: [cypher.int(1)] }])
    }
    const resets = (): number => rig.cluster.server(leader).stats().messages.RESET ?? 0
    await write() // warm-up: the routing table and an idle connection to the leader
    const routes = rig.cluster.routeRequestCount()
    const base = resets()
    await write()
    expect(resets(), 'a connection idle for no time is not checked').to.equal(base)

    await rig.client.expect('FakeTimeAck', 'FakeTimeTick', { incrementMs: 1_999 })
    await sleep(50) // real time the frozen clock must not count: 1 999 + 50 ms would cross the 2 000 ms timeout
    await write()
    expect(resets(), '1 ms short of the liveness timeout').to.equal(base)
    // As testkit's tick_to_after_timeout: idle since the last query by the timeout + 1 ms.
    await rig.client.expect('FakeTimeAck', 'FakeTimeTick', { incrementMs: 2_001 })
    await write()
    expect(resets(), 'idle past the timeout by the fake clock: one RESET ping').to.equal(base + 1)

    // The table came with ttl 300 s at the warm-up; 4 000 ms have been ticked since.
    const ttlMs = rig.cluster.options.routingTtlSeconds * 1000
    await rig.client.expect('FakeTimeAck', 'FakeTimeTick', { incrementMs: ttlMs - 4_000 - 1 })
    await write()
    expect(rig.cluster.routeRequestCount(), '1 ms before the table expires').to.equal(routes)
    await rig.client.expect('FakeTimeAck', 'FakeTimeTick', { incrementMs: 2 })
    await write()
    expect(rig.cluster.routeRequestCount(), 'expired by the fake clock: one ROUTE').to.equal(routes + 1)

    await rig.client.expect('FakeTimeAck', 'FakeTimeUninstall')
    await write()
    await rig.client.expect('Driver', 'DriverClose', { driverId })
  })
})
