// The backend driving the real driver against a fixture cluster, request by
// request as testkit would: a routing session, bookmarks between sessions
// (and through a bookmark manager whose consumer is a testkit callback),
// ExecuteQuery, the resolver callback, errors round-tripped through a
// transaction function, and a transaction function retried across a leader stop.

import { expect } from 'chai'
import { cypher } from './client.js'
import { backendAgainstCluster } from './cluster-rig.js'

describe('testkit backend: against a fixture cluster', function () {
  this.timeout(120_000)
  const rig = backendAgainstCluster({ primaries: 3, secondaries: 1 }, { maxTxRetryTimeMs: 30_000 })
  const { address, newDriver } = rig

  async function newSession (driverId: unknown, accessMode: 'r' | 'w', extra: Record<string, unknown> = {}): Promise<unknown> {
    const { id } = await rig.client.expect('Session', 'NewSession', {
      driverId, accessMode, bookmarks: null, database: 'neo4j', fetchSize: null, impersonatedUser: null, ...extra
    })
    return id
  }

  async function count (sessionId: unknown, label: string, k: string): Promise<bigint | number> {
    const { id } = await rig.client.expect('Result', 'SessionRun', { sessionId, cypher: `MATCH (n:${label} {k: $k}) RETURN count(n) AS c`, params: { k: cypher.str(k) } })
    const record = await rig.client.expect('Record', 'ResultNext', { resultId: id })
    await rig.client.expect('NullRecord', 'ResultNext', { resultId: id })
    return record.values[0].data.value
  }

  it('runs a routing session: writes on the leader, reads elsewhere, full summary, routing table', async () => {
    const leader = await rig.cluster.leader('neo4j')
    const driverId = await newDriver()
    const writer = await newSession(driverId, 'w')
    const { id: resultId } = await rig.client.expect('Result', 'SessionRun', {
      sessionId: writer, cypher: 'CREATE (n:TkItem {k: $k, n: $n}) RETURN n.k AS k, n.n AS n', params: { k: cypher.str('routing'), n: cypher.int(9007199254740993n) }, txMeta: null
    })
    const record = await rig.client.expect('Record', 'ResultNext', { resultId })
    expect(record.values).to.deep.equal([cypher.str('routing'), cypher.int(9007199254740993n)])
    await rig.client.expect('NullRecord', 'ResultNext', { resultId })
    const summary = await rig.client.expect('Summary', 'ResultConsume', { resultId })
    expect(Object.keys(summary).sort()).to.deep.equal(['counters', 'database', 'gqlStatusObjects', 'notifications', 'plan', 'profile', 'query',
      'queryType', 'resultAvailableAfter', 'resultConsumedAfter', 'serverInfo'])
    expect(summary.serverInfo.address).to.equal(address(leader))
    expect(summary.serverInfo.agent).to.match(/^Neo4j\//)
    expect(summary.serverInfo.protocolVersion).to.match(/^\d+\.\d+$/)
    expect(summary.counters).to.include({ nodesCreated: 1, propertiesSet: 2, labelsAdded: 1, containsUpdates: true })
    expect(summary.database).to.equal('neo4j')
    expect(summary.query.text).to.match(/^CREATE \(n:TkItem/)
    expect(summary.query.parameters.n).to.deep.equal(cypher.int(9007199254740993n))
    const { bookmarks } = await rig.client.expect('Bookmarks', 'SessionLastBookmarks', { sessionId: writer })
    await rig.client.expect('Session', 'SessionClose', { sessionId: writer })

    const reader = await newSession(driverId, 'r', { bookmarks })
    const { id: readId } = await rig.client.expect('Result', 'SessionRun', { sessionId: reader, cypher: 'MATCH (n:TkItem {k: $k}) RETURN n.k AS k', params: { k: cypher.str('routing') } })
    const list = await rig.client.expect('RecordList', 'ResultList', { resultId: readId })
    expect(list.records).to.deep.equal([{ values: [cypher.str('routing')] }])
    const readSummary = await rig.client.expect('Summary', 'ResultConsume', { resultId: readId })
    expect(readSummary.serverInfo.address).to.not.equal(address(leader))

    const table = await rig.client.expect('RoutingTable', 'GetRoutingTable', { driverId, database: 'neo4j' })
    expect(table.database).to.equal('neo4j')
    expect(table.writers).to.deep.equal([address(leader)])
    expect(table.readers).to.include(readSummary.serverInfo.address)
    expect(table.routers.length).to.be.greaterThan(0)
    const info = await rig.client.expect('ServerInfo', 'GetServerInfo', { driverId })
    expect(info.agent).to.match(/^Neo4j\//)
    await rig.client.expect('Driver', 'VerifyConnectivity', { driverId })
    await rig.client.expect('Driver', 'DriverClose', { driverId })
  })

  it('chains bookmarks between sessions onto a lagging secondary, and through a manager whose consumer is a testkit callback', async () => {
    const secondary = rig.cluster.members().find(m => m.mode === 'SECONDARY')?.name as string
    rig.cluster.setLag(secondary, 500)
    try {
      const driverId = await newDriver()
      const writer = await newSession(driverId, 'w')
      const { id: txId } = await rig.client.expect('Transaction', 'SessionBeginTransaction', { sessionId: writer, txMeta: { app: cypher.str('spec') }, timeout: 10_000 })
      const { id: resultId } = await rig.client.expect('Result', 'TransactionRun', { txId, cypher: 'CREATE (:TkBm {k: $k})', params: { k: cypher.str('sessions') } })
      await rig.client.expect('Summary', 'ResultConsume', { resultId })
      await rig.client.expect('Transaction', 'TransactionCommit', { txId })
      const { bookmarks } = await rig.client.expect('Bookmarks', 'SessionLastBookmarks', { sessionId: writer })
      expect(bookmarks).to.have.length(1)
      // Every read of a fresh session with those bookmarks sees the write, whichever reader it lands on.
      for (let i = 0; i < 4; i++) {
        const reader = await newSession(driverId, 'r', { bookmarks })
        expect(Number(await count(reader, 'TkBm', 'sessions'))).to.equal(1)
        await rig.client.expect('Session', 'SessionClose', { sessionId: reader })
      }

      const { id: managerId } = await rig.client.expect('BookmarkManager', 'NewBookmarkManager', { initialBookmarks: [], bookmarksSupplierRegistered: false, bookmarksConsumerRegistered: true })
      rig.client.send('ExecuteQuery', { driverId, cypher: 'CREATE (:TkBm {k: $k})', params: { k: cypher.str('manager') }, config: { routing: 'w', database: 'neo4j', bookmarkManagerId: managerId } })
      const consumed = await rig.client.receive()
      expect(consumed.name).to.equal('BookmarksConsumerRequest')
      expect(consumed.data.bookmarkManagerId).to.equal(managerId)
      expect(consumed.data.bookmarks).to.have.length(1)
      rig.client.send('BookmarksConsumerCompleted', { requestId: consumed.data.id })
      const written = await rig.client.receive()
      expect(written.name).to.equal('EagerResult')
      expect(written.data.summary.counters.nodesCreated).to.equal(1)
      // The read commits too, so the manager tells its consumer again: answered by the client from here on.
      rig.client.answerConsumerCallbacks = true
      const reader = await newSession(driverId, 'r', { bookmarkManagerId: managerId })
      expect(Number(await count(reader, 'TkBm', 'manager'))).to.equal(1)
      expect(rig.client.consumerCallbacks.length).to.be.at.least(1)
      await rig.client.expect('BookmarkManager', 'BookmarkManagerClose', { id: managerId })
    } finally {
      rig.cluster.setLag(secondary, 0)
    }
  })

  it('answers ExecuteQuery with an EagerResult (default bookmark manager: the read sees the write)', async () => {
    const driverId = await newDriver()
    const write = await rig.client.expect('EagerResult', 'ExecuteQuery', { driverId, cypher: 'CREATE (n:TkEq {k: $k}) RETURN n.k AS k', params: { k: cypher.str('eager') }, config: { database: 'neo4j' } })
    expect(write.keys).to.deep.equal(['k'])
    expect(write.records).to.deep.equal([{ values: [cypher.str('eager')] }])
    expect(write.summary.queryType).to.be.a('string')
    const read = await rig.client.expect('EagerResult', 'ExecuteQuery', { driverId, cypher: 'MATCH (n:TkEq {k: $k}) RETURN count(n) AS c', params: { k: cypher.str('eager') }, config: { routing: 'r', database: 'neo4j', txMeta: { q: cypher.str('read') }, timeout: 5000 } })
    expect(read.records).to.deep.equal([{ values: [cypher.int(1)] }])
    const noManager = await rig.client.expect('EagerResult', 'ExecuteQuery', { driverId, cypher: 'RETURN 1 AS one', params: null, config: { routing: 'r', database: 'neo4j', bookmarkManagerId: -1 } })
    expect(noManager.records).to.deep.equal([{ values: [cypher.int(1)] }])
  })

  it('reads results by peek, next and list of the rest (explicit transaction, fetch size 2), then rolls back', async () => {
    const driverId = await newDriver({ fetchSize: 2 })
    const session = await newSession(driverId, 'w')
    const { id: txId } = await rig.client.expect('Transaction', 'SessionBeginTransaction', { sessionId: session, txMeta: null })
    const { id: resultId } = await rig.client.expect('Result', 'TransactionRun', { txId, cypher: 'UNWIND [1, 2, 3, 4, 5] AS i RETURN i', params: null })
    const peeked = await rig.client.expect('Record', 'ResultPeek', { resultId })
    expect(peeked.values).to.deep.equal([cypher.int(1)])
    expect((await rig.client.expect('Record', 'ResultNext', { resultId })).values).to.deep.equal([cypher.int(1)])
    const rest = await rig.client.expect('RecordList', 'ResultList', { resultId })
    expect(rest.records).to.deep.equal([2, 3, 4, 5].map(i => ({ values: [cypher.int(i)] })))
    await rig.client.expect('NullRecord', 'ResultPeek', { resultId })
    await rig.client.expect('Transaction', 'TransactionRollback', { txId })
    await rig.client.expect('Session', 'SessionClose', { sessionId: session })
    const metrics = await rig.client.expect('ConnectionPoolMetrics', 'GetConnectionPoolMetrics', { driverId, address: address(await rig.cluster.leader('neo4j')) })
    expect(metrics.inUse).to.equal(0)
    expect(metrics.idle).to.be.at.least(1)
  })

  it('asks testkit to resolve the seed address (ResolverResolutionRequired → Completed)', async () => {
    const driverId = await newDriver({ uri: 'neo4j://seed.testkit.invalid:7687', resolverRegistered: true })
    rig.client.send('VerifyConnectivity', { driverId })
    const ask = await rig.client.receive()
    expect(ask.name).to.equal('ResolverResolutionRequired')
    expect(ask.data.address).to.equal('seed.testkit.invalid:7687')
    rig.client.send('ResolverResolutionCompleted', { requestId: ask.data.id, addresses: [address('server1')] })
    expect((await rig.client.receive()).name).to.equal('Driver')
  })

  it('round-trips errors: DriverError with code and retryability, rethrown by id without retry, FrontendError for client failures', async () => {
    const driverId = await newDriver()
    const session = await newSession(driverId, 'r')
    const { id: resultId } = await rig.client.expect('Result', 'SessionRun', { sessionId: session, cypher: 'RETURN 1 +', params: null })
    const syntax = await rig.client.expect('DriverError', 'ResultNext', { resultId })
    expect(syntax.code).to.equal('Neo.ClientError.Statement.SyntaxError')
    expect(syntax.retryable).to.equal(false)
    expect(syntax).to.include.all.keys('id', 'errorType', 'msg', 'gqlStatus', 'statusDescription', 'diagnosticRecord', 'cause', 'classification', 'rawClassification')

    const { id: txId } = await rig.client.expect('RetryableTry', 'SessionReadTransaction', { sessionId: session, txMeta: null })
    const { id: badResult } = await rig.client.expect('Result', 'TransactionRun', { txId, cypher: 'RETURN 1 +', params: null })
    const inTx = await rig.client.expect('DriverError', 'ResultNext', { resultId: badResult })
    rig.client.send('RetryableNegative', { sessionId: session, errorId: inTx.id })
    const final = await rig.client.receive()
    expect(final.name, 'not retried: the next response is the final error').to.equal('DriverError')
    expect(final.data.code).to.equal('Neo.ClientError.Statement.SyntaxError')

    await rig.client.expect('RetryableTry', 'SessionWriteTransaction', { sessionId: session })
    rig.client.send('RetryableNegative', { sessionId: session, errorId: '' })
    const frontend = await rig.client.receive()
    expect(frontend.name).to.equal('FrontendError')
    expect(frontend.data.msg).to.be.a('string')
  })

  it('retries a transaction function across a leader stop: RetryableTry, DriverError, RetryableNegative, RetryableTry again, RetryableDone', async () => {
    const leader = await rig.cluster.leader('neo4j')
    const driverId = await newDriver()
    // The driver learns every router first, so losing the seed member (often the leader) leaves it others to ask.
    await rig.client.expect('Driver', 'VerifyConnectivity', { driverId })
    const session = await newSession(driverId, 'w')
    try {
      const first = await rig.client.expect('RetryableTry', 'SessionWriteTransaction', { sessionId: session, txMeta: null })
      // The transaction is open on the leader (BEGIN and a first query succeeded) when the leader stops.
      const { id: before } = await rig.client.expect('Result', 'TransactionRun', { txId: first.id, cypher: 'RETURN 1 AS one', params: null })
      expect((await rig.client.expect('Summary', 'ResultConsume', { resultId: before })).serverInfo.address).to.equal(address(leader))
      await rig.cluster.stop(leader)
      const { id: lost } = await rig.client.expect('Result', 'TransactionRun', { txId: first.id, cypher: 'CREATE (:TkRetry {k: $k})', params: { k: cypher.str('failover') } })
      const failure = await rig.client.expect('DriverError', 'ResultConsume', { resultId: lost })
      expect(failure.retryable, `${String(failure.code)}: ${String(failure.msg)}`).to.equal(true)

      // Testkit plays the work function again for every RetryableTry: rethrow each retryable failure
      // (during the election the table has no writer yet) until an attempt gets through.
      let failed = failure
      let summary: Record<string, any> | undefined
      const tries = new Set([first.id])
      for (let attempt = 0; attempt < 50 && summary === undefined; attempt++) {
        rig.client.send('RetryableNegative', { sessionId: session, errorId: failed.id })
        const next = await rig.client.receive()
        expect(next.name, JSON.stringify(next.data)).to.equal('RetryableTry')
        expect(tries.has(next.data.id), 'a fresh transaction id per attempt').to.equal(false)
        tries.add(next.data.id)
        const { id: written } = await rig.client.expect('Result', 'TransactionRun', { txId: next.data.id, cypher: 'CREATE (:TkRetry {k: $k})', params: { k: cypher.str('failover') } })
        const outcome = await rig.client.request('ResultConsume', { resultId: written })
        if (outcome.name === 'Summary') summary = outcome.data
        else {
          expect(outcome.name).to.equal('DriverError')
          expect(outcome.data.retryable, String(outcome.data.msg)).to.equal(true)
          failed = outcome.data
        }
      }
      if (summary === undefined) throw new Error('no attempt got through within 50 tries')
      const newLeader = await rig.cluster.leader('neo4j')
      expect(summary.serverInfo.address).to.equal(address(newLeader))
      expect(newLeader).to.not.equal(leader)
      rig.client.send('RetryablePositive', { sessionId: session })
      expect((await rig.client.receive()).name).to.equal('RetryableDone')

      const { bookmarks } = await rig.client.expect('Bookmarks', 'SessionLastBookmarks', { sessionId: session })
      const reader = await newSession(driverId, 'r', { bookmarks })
      expect(Number(await count(reader, 'TkRetry', 'failover')), 'the failed attempt left nothing behind').to.equal(1)
    } finally {
      await rig.cluster.start(leader)
    }
  })
})
