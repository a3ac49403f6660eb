// The driver against one fixture Bolt server with a scripted backend
// (spec/fixture/bolt/fake-backend.ts): the wire-level behaviour that needs no
// cluster — results, transactions, bookmarks on the wire, error surfacing,
// commit outcome unknown, pool hygiene, direct mode, timeouts.

import { expect } from 'chai'
import { PASSWORD, USER } from '../fixture/bolt/fake-backend.js'
import { LiveBoltServer } from '../fixture/bolt/live-server.js'
import neo4j, { CommitOutcomeUnknownError, DiscoveryError, EagerResult, Neo4jError, resultTransformers, RetriesExhaustedError, type Driver } from '../../lib/index.js'
import { needsFixture, waitFor } from './helpers.js'

describe('integration: driver against one Bolt member (fake backend)', function () {
  const drivers: Driver[] = []
  const open = (url = live.uri, config: Parameters<typeof neo4j.driver>[2] = {}, password = PASSWORD): Driver => {
    const d = neo4j.driver(url, neo4j.auth.basic(USER, password), { maxTransactionRetryTime: 2000, ...config })
    drivers.push(d)
    return d
  }

  before(function () { needsFixture(this) })

  // Drivers close first (hooks run in the order they are registered), then the server.
  afterEach(async () => { await Promise.all(drivers.splice(0).map(async d => await d.close())) })
  const live = LiveBoltServer.perTest({ advertiseOwnAddress: true })

  it('verifyConnectivity and getServerInfo report the member', async () => {
    const info = await open().getServerInfo()
    expect(info.address).to.equal(live.backend.address)
    expect(info.agent).to.equal('Neo4j/5.26.0')
    expect(info.protocolVersion?.toString()).to.match(/^5\./)
  })

  it('executeQuery returns keys, records and a summary naming the member; the routing table is visible', async () => {
    const d = open()
    const { keys, records, summary } = await d.executeQuery('RETURN $a, $b', { a: neo4j.int(7), b: 'x' }, { database: 'neo4j', routing: 'READ' })
    expect(keys).to.deep.equal(['a', 'b'])
    expect(records[0]?.get('a').toNumber()).to.equal(7)
    expect(summary.server.address).to.equal(live.backend.address)
    expect(d.routingTable('neo4j')).to.deep.include({ database: 'neo4j', ttl: 300, writers: [live.backend.address], readers: [live.backend.address] })
    expect(live.backend.txRequests.at(-1)?.mode).to.equal('READ')
  })

  it('executeQuery\'s default result is what core\'s eager transformer gives (keys, records, summary), also when asked for by name', async () => {
    const d = open()
    const query = 'UNWIND range(1, 3) AS i RETURN i'
    const config = { database: 'neo4j', routing: 'READ' as const }
    const coreEager = resultTransformers.eager()
    const results = [
      await d.executeQuery(query, {}, config),
      await d.executeQuery(query, {}, { ...config, resultTransformer: coreEager }),
      // A transformer of the application's: core's own code collects
      await d.executeQuery(query, {}, { ...config, resultTransformer: async (result) => await coreEager(result) })
    ]
    for (const result of results) {
      expect(result).to.be.instanceOf(EagerResult)
      expect(result.keys).to.deep.equal(['i'])
      expect(result.records.map(r => r.get('i').toNumber())).to.deep.equal([1, 2, 3])
      expect(result.summary.query.text).to.equal(query)
      expect(result.summary.server.address).to.equal(live.backend.address)
    }
  })

  it('integers come back as Integer, number (disableLosslessIntegers) or bigint (useBigInt)', async () => {
    const lossless = await open().executeQuery('RETURN 42 AS n', {}, { database: 'neo4j' })
    expect(neo4j.isInt(lossless.records[0]?.get('n'))).to.equal(true)
    const plain = await open(live.uri, { disableLosslessIntegers: true }).executeQuery('RETURN 42 AS n', {}, { database: 'neo4j' })
    expect(plain.records[0]?.get('n')).to.equal(42)
    const big = await open(live.uri, { useBigInt: true }).executeQuery('RETURN 42 AS n', {}, { database: 'neo4j' })
    expect(big.records[0]?.get('n')).to.equal(42n)
  })

  it('results are awaitable, async-iterable and subscribable, with flow control over PULL batches', async () => {
    const session = open(live.uri, { fetchSize: 100 }).session({ database: 'neo4j' })
    try {
      const all = await session.run('UNWIND range(1, 2500) AS i RETURN i')
      expect(all.records).to.have.length(2500)
      expect(live.server.stats().messages.PULL).to.be.at.least(25)
      const seen: number[] = []
      for await (const record of session.run('UNWIND range(1, 5) AS i RETURN i')) seen.push(record.get('i').toNumber())
      expect(seen).to.deep.equal([1, 2, 3, 4, 5])
      // Streamed across PULL batches, in order; a break discards the rest (DISCARD) and the session goes on.
      let streamed = 0
      const pullsBefore = live.server.stats().messages.PULL ?? 0
      for await (const record of session.run('UNWIND range(1, 2500) AS i RETURN i')) {
        if (record.get('i').toNumber() !== ++streamed) break
      }
      expect(streamed).to.equal(2500)
      expect((live.server.stats().messages.PULL ?? 0) - pullsBefore).to.be.at.least(25)
      const discardsBefore = live.server.stats().messages.DISCARD ?? 0
      let taken = 0
      for await (const record of session.run('UNWIND range(1, 2500) AS i RETURN i')) {
        expect(record.get('i').toNumber()).to.equal(++taken)
        if (taken === 10) break
      }
      expect((live.server.stats().messages.DISCARD ?? 0) - discardsBefore).to.equal(1)
      expect((await session.run('RETURN 2 AS two')).records[0]?.get('two').toNumber()).to.equal(2)
      const events = await new Promise<string[]>((resolve, reject) => {
        const log: string[] = []
        session.run('RETURN 1 AS one').subscribe({
          onKeys: keys => log.push(`keys:${keys.join(',')}`),
          onNext: record => log.push(`row:${String(record.get('one'))}`),
          onCompleted: summary => { log.push(`done:${summary.server.address ?? ''}`); resolve(log) },
          onError: reject
        })
      })
      expect(events).to.deep.equal(['keys:one', 'row:1', `done:${live.backend.address}`])
    } finally {
      await session.close()
    }
  })

  it('explicit transactions commit, roll back and refuse use afterwards; bookmarks chain into BEGIN', async () => {
    const session = open().session({ database: 'neo4j', bookmarks: ['bm:0'] })
    try {
      const tx = await session.beginTransaction()
      expect(tx.isOpen()).to.equal(true)
      await tx.run('CREATE (n)')
      await tx.commit()
      expect(tx.isOpen()).to.equal(false)
      expect(live.backend.txRequests.at(-1)?.bookmarks).to.deep.equal(['bm:0'])
      const committed = session.lastBookmarks()
      expect(committed).to.have.length(1).and.not.to.deep.equal(['bm:0'])
      const error = await tx.run('RETURN 1').then(() => null, (e: Error) => e)
      expect(error?.message).to.match(/already been committed/)
      const tx2 = session.beginTransaction()
      await tx2.run('CREATE (m)')
      await tx2.rollback()
      expect(live.backend.rolledBack).to.be.at.least(1)
      expect(live.backend.txRequests.at(-1)?.bookmarks).to.deep.equal(committed)
      expect(session.lastBookmarks()).to.deep.equal(committed)
    } finally {
      await session.close()
    }
  })

  it('a session refuses a second piece of work while a transaction is open', async () => {
    const session = open().session({ database: 'neo4j' })
    const tx = session.beginTransaction()
    expect(() => session.run('RETURN 1')).to.throw(/open transaction/)
    await tx.close()
    await session.run('RETURN 1')
    await session.close()
  })

  it('syntax errors surface at once, unchanged, without a retry', async () => {
    const d = open()
    const error = await d.executeQuery('THIS IS NOT CYPHER', {}, { database: 'neo4j' }).catch(e => e)
    expect(error).to.be.instanceOf(Neo4jError)
    expect(error.code).to.equal('Neo.ClientError.Statement.SyntaxError')
    expect(live.backend.txRequests).to.have.length(1)
  })

  it('a failed query\'s error stack points at the code that ran the query', async () => {
    const d = open()
    const session = d.session({ database: 'neo4j' })
    async function runTheBadQueryHere (): Promise<unknown> {
      const result = session.run('THIS IS NOT CYPHER')
      await new Promise(resolve => setTimeout(resolve, 20)) // the error arrives later, from the socket
      return await result.catch(e => e)
    }
    try {
      const error = await runTheBadQueryHere() as Error
      expect(error).to.be.instanceOf(Neo4jError)
      expect(error.stack).to.include('runTheBadQueryHere')
    } finally {
      await session.close()
    }
  })

  it('a wrong password surfaces at once, names the cause, is not retried, and never shows the password', async () => {
    const secret = 'not-the-password-9f2c'
    const d = open(live.uri, {}, secret)
    const error = await d.executeQuery('RETURN 1', {}, { database: 'neo4j' }).catch(e => e)
    expect(error).to.be.instanceOf(DiscoveryError)
    expect(error.code).to.equal('Neo.ClientError.Security.Unauthorized')
    expect(error.message).to.include('auth')
    expect(error.message).not.to.include(secret)
    expect(JSON.stringify(error)).not.to.include(secret)
    expect(live.server.stats().messages.HELLO ?? 0).to.equal(1)
    expect(live.backend.txRequests).to.have.length(0)
  })

  it('an unknown database fails discovery at once with the server code', async () => {
    const error = await open().executeQuery('RETURN 1', {}, { database: 'missing' }).catch(e => e)
    expect(error).to.be.instanceOf(DiscoveryError)
    expect(error.code).to.equal('Neo.ClientError.Database.DatabaseNotFound')
    expect(error.message).to.include('unknown database')
  })

  it('a COMMIT whose connection dies is not re-run and says "commit outcome unknown"', async () => {
    const d = open()
    live.server.armCommitDrop(1)
    const error = await d.session({ database: 'neo4j' }).executeWrite(tx => tx.run('CREATE (n)')).catch(e => e)
    expect(error).to.be.instanceOf(CommitOutcomeUnknownError)
    expect(error.message).to.include('commit outcome unknown')
    expect(neo4j.isRetryableError(error)).to.equal(false)
    expect(live.backend.committed).to.equal(1)
    expect(d.poolStats().inUse).to.equal(0)
  })

  it('the same for executeQuery, whose COMMIT leaves as soon as the records are in: not re-run, "commit outcome unknown"', async () => {
    const d = open()
    live.server.armCommitDrop(1)
    const error = await d.executeQuery('CREATE (n)', {}, { database: 'neo4j' }).catch(e => e)
    expect(error).to.be.instanceOf(CommitOutcomeUnknownError)
    expect(neo4j.isRetryableError(error)).to.equal(false)
    expect(live.backend.committed).to.equal(1)
    expect(d.poolStats().inUse).to.equal(0)
  })

  it('…unless the work is marked idempotent: then it is retried', async () => {
    const d = open()
    live.server.armCommitDrop(1)
    await d.executeQuery('CREATE (n)', {}, { database: 'neo4j', transactionConfig: { idempotent: true } })
    expect(live.backend.committed).to.equal(2)
  })

  it('…and READ work is always retried: a READ transaction cannot have written', async () => {
    const d = open()
    live.server.armCommitDrop(1)
    const { records } = await d.executeQuery('RETURN 1 AS n', {}, { database: 'neo4j', routing: 'READ' })
    expect(records.length).to.equal(1)
    expect(live.backend.committed).to.equal(2)
    expect(d.poolStats().inUse).to.equal(0)
  })

  it('a parameter that cannot be sent fails its query; the connection it was half-written to sends nothing more and is discarded', async () => {
    const d = open()
    await d.executeQuery('RETURN 1', {}, { database: 'neo4j' })
    const logons = live.backend.authSchemes.length
    const session = d.session({ database: 'neo4j' })
    let packError: Error | undefined
    const error = await session.executeWrite(async tx => {
      // The application swallows the error and goes on in the same transaction.
      packError = await tx.run('RETURN $x', { x: () => 1 }).then(() => undefined, (e: Error) => e)
      await tx.run('RETURN 2')
    }).catch(e => e)
    await session.close()
    expect(packError?.message).to.match(/pack/i)
    // The half-written RUN never reaches the server (it would answer Neo.ClientError.Request.Invalid): the driver says why.
    expect(error.code).to.equal('IllegalState')
    expect(error.message).to.include('could not be written')
    expect(live.backend.committed).to.equal(1) // the warm-up only
    expect(d.poolStats()).to.deep.include({ inUse: 0, idle: 0 })
    expect((await d.executeQuery('RETURN 3 AS n', {}, { database: 'neo4j' })).records).to.have.length(1)
    expect(live.backend.authSchemes.length).to.equal(logons + 1) // on a fresh connection
  })

  it('an explicit transaction that failed gives its connection back at once, before the application closes it', async () => {
    const d = open()
    const session = d.session({ database: 'neo4j' })
    const tx = await session.beginTransaction()
    const error = await tx.run('FAIL SyntaxError').catch(e => e)
    expect(error.code).to.equal('Neo.ClientError.Statement.SyntaxError')
    expect(tx.isOpen()).to.equal(false)
    await waitFor('the failed transaction\'s connection to be back in the pool', () => d.poolStats().inUse === 0, 5000, 5)
    // Nothing is left to do for the transaction; the session is free for the next one.
    await tx.rollback()
    await tx.close()
    const next = await session.beginTransaction()
    await next.run('RETURN 1')
    await next.commit()
    await session.close()
    expect(d.poolStats().inUse).to.equal(0)
  })

  it('a transaction whose connection died (receive timeout) is back in the pool when the error arrives', async () => {
    const d = open(live.uri, { receiveTimeout: 200 })
    await d.executeQuery('RETURN 1', {}, { database: 'neo4j' })
    const session = d.session({ database: 'neo4j' })
    const tx = await session.beginTransaction()
    let release: () => void = () => {}
    live.backend.runGate = new Promise(resolve => { release = resolve })
    try {
      const error = await tx.run('RETURN 1').catch(e => e)
      expect(error.code).to.equal('SessionExpired')
      expect(d.poolStats().inUse).to.equal(0) // not after a rollback the application may never ask for
    } finally {
      release()
      live.backend.runGate = null
      await session.close()
    }
  })

  it('NotALeader forgets the writer, is retried, and the final error carries every attempt', async () => {
    const d = open(live.uri, { maxTransactionRetryTime: 400 })
    const error = await d.executeQuery('FAIL NotALeader', {}, { database: 'neo4j' }).catch(e => e)
    expect(error).to.be.instanceOf(RetriesExhaustedError)
    expect(error.code).to.equal('Neo.ClientError.Cluster.NotALeader')
    expect(error.attempts.length).to.be.at.least(2)
    // Every attempt met NotALeader, but for a last one the retry deadline may have cut short (on a
    // loaded machine one can start just before it, and its routing refresh then has no time left).
    const attempts = error.attempts as Array<{ error: Neo4jError }>
    expect(attempts.slice(0, -1).every(a => a.error.code === 'Neo.ClientError.Cluster.NotALeader')).to.equal(true)
    const last = attempts[attempts.length - 1].error
    expect(last.code === 'Neo.ClientError.Cluster.NotALeader' || last.message.includes('time budget'), last.message).to.equal(true)
    expect(live.backend.routeRequests.length).to.be.at.least(2) // every attempt refreshed the table (the writer was forgotten)
  })

  it('sends the routing context, impersonated user and session bookmarks with ROUTE', async () => {
    const d = open(`${live.uri}?region=eu`)
    await d.executeQuery('RETURN 1', {}, { database: 'neo4j', impersonatedUser: 'bob' })
    const route = live.backend.routeRequests.at(-1)
    expect(route?.routing).to.deep.include({ region: 'eu', address: live.uri.replace('neo4j://', '') })
    expect(route?.impersonatedUser).to.equal('bob')
    expect(live.backend.txRequests.at(-1)?.impersonatedUser).to.equal('bob')
  })

  it('resolves the home database once per session (an admin may change it), and names it in every transaction', async () => {
    const d = open()
    for (let i = 0; i < 5; i++) {
      const s = d.session()
      await s.run('RETURN 1')
      await s.executeRead(tx => tx.run('RETURN 2'))
      await s.close()
    }
    expect(live.backend.routeRequests.filter(r => r.database === null)).to.have.length(5)
    expect(live.backend.txRequests).to.have.length(10)
    expect(live.backend.txRequests.every(t => t.database === 'neo4j')).to.equal(true)
  })

  it('executeQuery chains its bookmarks through the driver manager (and not with bookmarkManager: null)', async () => {
    const d = open()
    await d.executeQuery('CREATE (a)', {}, { database: 'neo4j' })
    const [first] = [...await d.executeQueryBookmarkManager.getBookmarks()]
    await d.executeQuery('RETURN 1', {}, { database: 'neo4j', routing: 'READ' })
    expect(live.backend.txRequests.at(-1)?.bookmarks).to.deep.equal([first])
    await d.executeQuery('RETURN 1', {}, { database: 'neo4j', routing: 'READ', bookmarkManager: null })
    expect(live.backend.txRequests.at(-1)?.bookmarks).to.deep.equal([])
  })

  it('leaves zero connections in use after 10 000 sessions (run, transaction, abandoned result, failure)', async function () {
    this.timeout(120_000)
    const d = open(live.uri, { maxConnectionPoolSize: 20 })
    const kinds = ['run', 'tx', 'abandoned', 'error'] as const
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < 10_000) {
        const i = next++
        const session = d.session({ database: 'neo4j' })
        try {
          const kind = kinds[i % kinds.length]
          if (kind === 'run') await session.run('RETURN 1')
          else if (kind === 'tx') await session.executeRead(tx => tx.run('RETURN 1'))
          else if (kind === 'abandoned') session.run('UNWIND range(1, 50) AS i RETURN i') // never consumed
          else await session.run('FAIL SyntaxError').catch(() => {})
        } finally {
          await session.close()
        }
      }
    }
    await Promise.all(Array.from({ length: 16 }, worker))
    expect(d.poolStats().inUse).to.equal(0)
    expect(d.poolStats().idle).to.be.within(1, 20)
  })

  it('bolt:// talks to the member directly and sends it nothing but the work (no ROUTE, no table)', async () => {
    const d = open(live.uri.replace('neo4j://', 'bolt://'))
    for (let i = 0; i < 3; i++) await d.executeQuery('RETURN 1', {}, { database: 'neo4j' })
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(live.backend.routeRequests).to.have.length(0)
    expect(live.backend.queries.map(q => q.query)).to.deep.equal(['RETURN 1', 'RETURN 1', 'RETURN 1'])
    expect(d.routingTable('neo4j')).to.equal(undefined)
    expect(d.routingTable()).to.equal(undefined)
    const refused = await d.refreshRoutingTable('neo4j').catch((e: Error) => e)
    expect(refused).to.be.instanceOf(Neo4jError)
    expect((refused as Error).message).to.include('does not route').and.to.include('neo4j://')
  })

  it('a black-holed member costs the acquisition timeout (the bound on handshake and logon), not a hang', async function () {
    this.timeout(10_000)
    live.server.setBlackhole(true)
    // connectionTimeout bounds the TCP connect, which a black-holed member completes; what follows has the acquisition deadline.
    const d = open(live.uri, { connectionTimeout: 5000, connectionAcquisitionTimeout: 300, maxTransactionRetryTime: 0 })
    const error = await d.verifyConnectivity().catch(e => e)
    expect(error).to.be.instanceOf(DiscoveryError)
    expect(error.attempts.map((a: { reason: string }) => a.reason)).to.include('timeout')
  })

  for (const mode of ['truncate', 'absurd-size', 'silent-after-handshake'] as const) {
    it(`hostile member (${mode}): a Neo4jError within the timeouts, then recovery with nothing in use`, async function () {
      this.timeout(15_000)
      const d = open(live.uri, { connectionTimeout: 500, receiveTimeout: 500, maxTransactionRetryTime: 1000 })
      await d.executeQuery('RETURN 1', {}, { database: 'neo4j' })
      live.server.setHostile(mode)
      const error = await d.executeQuery('RETURN 1', {}, { database: 'neo4j' }).catch(e => e)
      expect(error).to.be.instanceOf(Neo4jError)
      live.server.setHostile(null)
      expect((await d.executeQuery('RETURN 1 AS x', {}, { database: 'neo4j' })).records).to.have.length(1)
      expect(d.poolStats().inUse).to.equal(0)
    })
  }

  it('a member that sends garbage gives a clear error and the driver recovers when it stops', async function () {
    this.timeout(10_000)
    const d = open(live.uri, { connectionTimeout: 500, maxTransactionRetryTime: 0 })
    await d.executeQuery('RETURN 1', {}, { database: 'neo4j' })
    live.server.setHostile('garbage')
    const error = await d.executeQuery('RETURN 1', {}, { database: 'neo4j' }).catch(e => e)
    expect(error).to.be.instanceOf(Neo4jError)
    expect(error.code).to.equal('ProtocolError')
    expect(error.message).to.include('could not be decoded')
    live.server.setHostile(null)
    const { records } = await d.executeQuery('RETURN 1 AS x', {}, { database: 'neo4j' })
    expect(records).to.have.length(1)
    expect(d.poolStats().inUse).to.equal(0)
  })
})
