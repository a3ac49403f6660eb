// Authentication against the fixture: per-session auth with two users (a
// pooled connection switches user with LOGOFF + LOGON and back), token
// managers (a bearer token that expires is replaced, before use when its
// expiry is known, on TokenExpired otherwise), AuthorizationExpired (every
// pooled connection to the member logs on again; the transaction is retried),
// verifyAuthentication and supportsSessionAuth.

import { expect } from 'chai'
import { startCluster, type Cluster } from '../../cluster-fixture/index.js'
import neo4j, { type Driver } from '../../lib/index.js'
import { needsFixture, PASSWORD, sleep, USER } from './helpers.js'

const ALICE = { user: 'alice', password: 'alice-pw' }

describe('integration: authentication', function () {
  this.timeout(30_000)
  let cluster: Cluster
  const drivers: Driver[] = []
  const open = (auth: Parameters<typeof neo4j.driver>[1], config: Parameters<typeof neo4j.driver>[2] = {}): Driver => {
    const d = neo4j.driver(cluster.uri, auth, { maxTransactionRetryTime: 5_000, ...config })
    drivers.push(d)
    return d
  }
  /** LOGOFF / LOGON requests every member received. */
  const count = (message: string): number => cluster.members().reduce((sum, m) => sum + (cluster.server(m.name).stats().messages[message] ?? 0), 0)

  before(async function () {
    needsFixture(this)
    cluster = await startCluster({ primaries: 1, secondaries: 0, users: [ALICE] })
  })

  afterEach(async () => {
    await Promise.allSettled(drivers.splice(0).map(async d => await d.close()))
  })

  after(async () => {
    await cluster?.close()
  })

  it('runs each session as its own user on one pooled connection, switching with LOGOFF + LOGON and back', async () => {
    const d = open(neo4j.auth.basic(USER, PASSWORD), { maxConnectionPoolSize: 1 })
    const asAlice = { auth: neo4j.auth.basic(ALICE.user, ALICE.password), database: 'neo4j' }
    const logoffs = count('LOGOFF')
    await d.executeQuery('RETURN 1', {}, { database: 'neo4j' })
    for (const config of [asAlice, asAlice, { database: 'neo4j' }]) {
      const session = d.session(config)
      try {
        expect((await session.run('RETURN 2 AS n')).records[0]?.get('n').toNumber()).to.equal(2)
      } finally {
        await session.close()
      }
    }
    // To alice once (the second alice session reuses her logon), then back to the driver's user.
    expect(count('LOGOFF') - logoffs).to.equal(2)
    expect(d.poolStats().members.map(m => m.idle + m.inUse).reduce((a, b) => a + b, 0)).to.equal(1)
    expect(await d.supportsSessionAuth()).to.equal(true)
  })

  it('per-query auth: executeQuery runs as the given user; wrong credentials fail without spoiling the pool', async () => {
    const d = open(neo4j.auth.basic(USER, PASSWORD))
    const { records } = await d.executeQuery('RETURN 3 AS n', {}, { database: 'neo4j', auth: neo4j.auth.basic(ALICE.user, ALICE.password) })
    expect(records[0]?.get('n').toNumber()).to.equal(3)
    const error = await d.executeQuery('RETURN 1', {}, { database: 'neo4j', auth: neo4j.auth.basic(ALICE.user, 'wrong') }).catch(e => e)
    expect(error.code).to.equal('Neo.ClientError.Security.Unauthorized')
    expect(neo4j.isRetryableError(error)).to.equal(false)
    expect((await d.executeQuery('RETURN 4 AS n', {}, { database: 'neo4j' })).records[0]?.get('n').toNumber()).to.equal(4)
  })

  it('verifyAuthentication answers true or false, and rxSession takes auth too', async () => {
    const d = open(neo4j.auth.basic(USER, PASSWORD))
    expect(await d.verifyAuthentication()).to.equal(true)
    expect(await d.verifyAuthentication({ auth: neo4j.auth.basic(ALICE.user, ALICE.password) })).to.equal(true)
    expect(await d.verifyAuthentication({ auth: neo4j.auth.basic(ALICE.user, 'nope') })).to.equal(false)
    const rx = d.rxSession({ auth: neo4j.auth.basic(ALICE.user, ALICE.password), database: 'neo4j' })
    const keys = await new Promise<string[]>((resolve, reject) => rx.run('RETURN 1 AS one').keys().subscribe({ next: resolve, error: reject }))
    expect(keys).to.deep.equal(['one'])
    await new Promise<void>((resolve, reject) => rx.close().subscribe({ complete: resolve, error: reject }))
    expect(await open(neo4j.auth.basic(USER, 'wrong')).verifyAuthentication()).to.equal(false)
  })

  it('a basic token manager: each new connection asks it; a rotated password is used from then on', async () => {
    let password = PASSWORD
    let asked = 0
    const d = open(neo4j.authTokenManagers.basic({ tokenProvider: async () => { asked++; return neo4j.auth.basic(USER, password) } }))
    await d.executeQuery('RETURN 1', {}, { database: 'neo4j' })
    expect(asked).to.equal(1)
    password = 'rotated'
    // The manager caches its token until the server refuses it; nothing changed server-side, so nothing is asked.
    await d.executeQuery('RETURN 1', {}, { database: 'neo4j' })
    expect(asked).to.equal(1)
  })

  it('a bearer manager: a token known to expire is replaced before use; one the server says expired is replaced and the work retried', async () => {
    let issued = 0
    const ttl = 300
    const withExpiry = open(neo4j.authTokenManagers.bearer({
      tokenProvider: async () => {
        issued++
        return { token: neo4j.auth.bearer(cluster.issueBearerToken(USER, ttl)), expiration: new Date(Date.now() + ttl) }
      }
    }))
    await withExpiry.executeQuery('RETURN 1', {}, { database: 'neo4j' })
    await sleep(ttl + 100)
    const logons = count('LOGON')
    await withExpiry.executeQuery('RETURN 1', {}, { database: 'neo4j' })
    expect(issued).to.equal(2)
    expect(count('LOGON') - logons).to.equal(1) // the pooled connection logged on again, no failure on the way

    let unknownExpiry = 0
    const serverSays = open(neo4j.authTokenManagers.bearer({
      tokenProvider: async () => { unknownExpiry++; return { token: neo4j.auth.bearer(cluster.issueBearerToken(USER, ttl)) } }
    }))
    await serverSays.executeQuery('RETURN 1', {}, { database: 'neo4j' })
    await sleep(ttl + 100)
    // The pooled connection's token expired: TokenExpired, the manager fetches another, the retry succeeds.
    const { records } = await serverSays.executeQuery('RETURN 5 AS n', {}, { database: 'neo4j' })
    expect(records[0]?.get('n').toNumber()).to.equal(5)
    expect(unknownExpiry).to.equal(2)
  })

  it('a static token that the server says expired is reported, not retried', async () => {
    const token = cluster.issueBearerToken(USER, 200)
    const d = open(neo4j.auth.bearer(token))
    await d.executeQuery('RETURN 1', {}, { database: 'neo4j' })
    await sleep(300)
    const error = await d.executeQuery('RETURN 1', {}, { database: 'neo4j' }).catch(e => e)
    expect(error.code).to.equal('Neo.ClientError.Security.TokenExpired')
    expect(neo4j.isRetryableError(error)).to.equal(false)
  })

  it('AuthorizationExpired: the transaction is retried and every pooled connection to that member logs on again', async () => {
    const d = open(neo4j.auth.basic(USER, PASSWORD))
    // Two pooled connections: two transactions open at once.
    const [a, b] = [d.session({ database: 'neo4j' }), d.session({ database: 'neo4j' })]
    const [ta, tb] = [await a.beginTransaction(), await b.beginTransaction()]
    await Promise.all([ta.commit(), tb.commit()])
    await Promise.all([a.close(), b.close()])
    const logoffs = count('LOGOFF')
    cluster.expireAuthorization()
    const session = d.session({ database: 'neo4j' })
    try {
      const n = await session.executeWrite(async tx => (await tx.run('RETURN 6 AS n')).records[0]?.get('n').toNumber())
      expect(n).to.equal(6)
      // The other pooled connection was marked: its next use logs on again instead of failing.
      const second = d.session({ database: 'neo4j' })
      const [x, y] = await Promise.all([session.run('RETURN 1 AS n'), second.run('RETURN 1 AS n')])
      expect(x.records).to.have.length(1)
      expect(y.records).to.have.length(1)
      await second.close()
    } finally {
      await session.close()
    }
    expect(count('LOGOFF') - logoffs).to.be.at.least(1)
  })
})
