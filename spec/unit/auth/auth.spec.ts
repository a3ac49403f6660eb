// Token-manager logic: which values are managers, how the driver's manager is
// built, token comparison, home-database keys per user (never raw
// credentials), the prepare hook of the member pool that logs a pooled
// connection on again, and the client certificate source.

import { expect } from 'chai'
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { auth, authTokenManagers, clientCertificateProviders } from 'neo4j-driver-core'
import { homeDatabaseKey, isAuthTokenManager, sameToken, staticPrincipal, toAuthTokenManager, USER_SWITCH_UNSUPPORTED, userSwitchUnsupported } from '../../../lib/auth/auth.js'
import { ClientCertificateSource, clientCertificateSource } from '../../../lib/connection/client-certificate.js'
import { MemberPool, type PoolableConnection } from '../../../lib/connection/member-pool.js'
import { ConfigurationError } from '../../../lib/errors.js'

describe('auth: token managers and tokens', () => {
  it('tells managers from tokens', () => {
    expect(isAuthTokenManager(authTokenManagers.basic({ tokenProvider: async () => auth.basic('a', 'b') }))).to.equal(true)
    expect(isAuthTokenManager({ getToken: async () => auth.none(), handleSecurityException: () => false })).to.equal(true)
    expect(isAuthTokenManager(auth.basic('a', 'b'))).to.equal(false)
    expect(isAuthTokenManager({ getToken: () => {} })).to.equal(false)
    expect(isAuthTokenManager(null)).to.equal(false)
  })

  it('wraps a static token (or none) in a manager that hands it out and handles nothing', async () => {
    const token = auth.basic('neo4j', 'pw')
    const manager = toAuthTokenManager(token)
    expect(await manager.getToken()).to.deep.equal(token)
    expect(manager.handleSecurityException(token, 'Neo.ClientError.Security.Unauthorized')).to.equal(false)
    expect(await toAuthTokenManager(undefined).getToken()).to.include({ scheme: 'none' })
    const custom = { getToken: async () => token, handleSecurityException: () => true }
    expect(toAuthTokenManager(custom)).to.equal(custom)
  })

  it("core's bearer manager: handles TokenExpired for its current token and fetches another", async () => {
    let n = 0
    const manager = authTokenManagers.bearer({ tokenProvider: async () => ({ token: auth.bearer(`t${++n}`) }) })
    const first = await manager.getToken()
    expect(first.credentials).to.equal('t1')
    expect(manager.handleSecurityException(first, 'Neo.ClientError.Security.TokenExpired')).to.equal(true)
    expect((await manager.getToken()).credentials).to.equal('t2')
    // A token that is not the current one is handled, but fetches nothing new.
    expect(manager.handleSecurityException(auth.bearer('other'), 'Neo.ClientError.Security.TokenExpired')).to.equal(true)
    expect((await manager.getToken()).credentials).to.equal('t2')
    expect(manager.handleSecurityException(first, 'Neo.ClientError.Security.Forbidden')).to.equal(false)
  })

  it('compares tokens by value', () => {
    expect(sameToken(auth.basic('a', 'b'), auth.basic('a', 'b'))).to.equal(true)
    expect(sameToken(auth.basic('a', 'b'), auth.basic('a', 'c'))).to.equal(false)
    expect(sameToken(auth.basic('a', 'b', 'r'), auth.basic('a', 'b'))).to.equal(false)
    expect(sameToken(null, auth.basic('a', 'b'))).to.equal(false)
    expect(sameToken(undefined, undefined)).to.equal(false)
  })

  it('keys home databases per user: impersonation first, then the session token, then the driver principal', () => {
    expect(homeDatabaseKey('bob', auth.basic('alice', 'x'), 'neo4j')).to.equal('impersonated:bob')
    expect(homeDatabaseKey(null, auth.basic('alice', 'x'), 'neo4j')).to.equal('basic:alice')
    expect(homeDatabaseKey(null, undefined, 'neo4j')).to.equal('basic:neo4j')
    expect(homeDatabaseKey(undefined, undefined, undefined)).to.equal('default')
    const bearer = homeDatabaseKey(null, auth.bearer('secret-token'), undefined)
    expect(bearer).to.match(/^bearer:/).and.not.to.include('secret-token')
    expect(homeDatabaseKey(null, auth.bearer('secret-token'), undefined)).to.equal(bearer)
    expect(homeDatabaseKey(null, auth.bearer('another'), undefined)).not.to.equal(bearer)
    expect(homeDatabaseKey(null, auth.custom('p', 'hidden', 'r', 'sso', { a: 1 }), undefined)).to.match(/^custom:/).and.not.to.include('hidden')
  })

  it('the principal of a static token only', () => {
    expect(staticPrincipal(auth.basic('neo4j', 'pw'))).to.equal('neo4j')
    expect(staticPrincipal(auth.bearer('t'))).to.equal(undefined)
    expect(staticPrincipal(authTokenManagers.basic({ tokenProvider: async () => auth.basic('a', 'b') }))).to.equal(undefined)
  })

  it('user switch on an old server fails with the official wording', () => {
    const error = userSwitchUnsupported() as Error & { code: string }
    expect(error.message).to.equal(USER_SWITCH_UNSUPPORTED)
    expect(error.code).to.equal('N/A')
  })
})

class FakeConnection implements PoolableConnection {
  open = true
  token: string
  constructor (token: string, readonly createdAt = 0) { this.token = token }
  isOpen (): boolean { return this.open }
  async ping (): Promise<void> {}
  async close (): Promise<void> { this.open = false }
  onIdle (): void {}
  onActive (): void {}
  acquired (): void {}
}

describe('auth: the member pool prepares pooled connections for their next user', () => {
  function makePool (prepare: (c: FakeConnection, context: unknown) => Promise<boolean>, maxSize = 2) {
    const opened: FakeConnection[] = []
    const pool = new MemberPool<FakeConnection>({
      address: 'm:1',
      open: async (_deadline, context) => { const c = new FakeConnection(String(context ?? 'driver')); opened.push(c); return c },
      prepare,
      maxSize,
      maxLifetime: Infinity,
      livenessCheckTimeout: undefined,
      idleTimeout: 0,
      pingTimeout: 1000,
      log: () => {}
    })
    return { pool, opened }
  }

  it('opens a connection for the context it is asked with, and relogs an idle one on for the next', async () => {
    const { pool, opened } = makePool(async (c, context) => { c.token = String(context ?? 'driver'); return true })
    const a = await pool.acquire(Infinity, 'alice')
    expect(a.token).to.equal('alice')
    pool.release(a)
    const b = await pool.acquire(Infinity)
    expect(b).to.equal(a)
    expect(b.token).to.equal('driver')
    expect(opened).to.have.length(1)
  })

  it('a connection that cannot be prepared is closed and another one is used', async () => {
    const { pool, opened } = makePool(async () => false)
    const a = await pool.acquire(Infinity)
    pool.release(a)
    const b = await pool.acquire(Infinity, 'alice')
    expect(b).not.to.equal(a)
    expect(a.open).to.equal(false)
    expect(opened).to.have.length(2)
    expect(pool.stats()).to.include({ inUse: 1, idle: 0 })
  })

  it('a release hands the connection to a waiter once it is prepared for that waiter', async () => {
    const prepared: unknown[] = []
    const { pool } = makePool(async (c, context) => { prepared.push(context); c.token = String(context); return true }, 1)
    const a = await pool.acquire(Infinity, 'driver')
    const waiting = pool.acquire(Infinity, 'bob')
    await new Promise(resolve => setImmediate(resolve)) // it queues
    expect(pool.stats().waiting).to.equal(1)
    pool.release(a)
    const b = await waiting
    expect(b).to.equal(a)
    expect(b.token).to.equal('bob')
    expect(prepared).to.deep.equal(['bob'])
  })

  it('a prepare that throws fails the acquisition and closes the connection', async () => {
    const { pool } = makePool(async () => { throw new Error('nope') })
    const a = await pool.acquire(Infinity)
    pool.release(a)
    const error = await pool.acquire(Infinity).catch(e => e)
    expect(error.message).to.equal('nope')
    expect(a.open).to.equal(false)
    expect(pool.stats()).to.include({ inUse: 0, idle: 0 })
  })
})

describe('auth: client certificate source', () => {
  let dir: string
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cert-source-'))
    for (const name of ['a.pem', 'a.key', 'b.pem', 'b.key']) writeFileSync(path.join(dir, name), `contents of ${name}`)
  })
  after(() => { rmSync(dir, { recursive: true, force: true }) })

  it('loads the files once, and again only when the provider has an update', async () => {
    const provider = clientCertificateProviders.rotating({ initialCertificate: { certfile: path.join(dir, 'a.pem'), keyfile: path.join(dir, 'a.key'), password: 'pw' } })
    const source = new ClientCertificateSource(provider)
    const first = await source.get()
    expect(String(first.cert)).to.include('a.pem')
    expect(first.passphrase).to.equal('pw')
    expect(await source.get()).to.equal(first)
    provider.updateCertificate({ certfile: path.join(dir, 'b.pem'), keyfile: path.join(dir, 'b.key') })
    expect(String((await source.get()).cert)).to.include('b.pem')
  })

  it('an unreadable file is a ConfigurationError naming clientCertificate, and is tried again next time', async () => {
    const source = clientCertificateSource({ certfile: path.join(dir, 'missing.pem'), keyfile: path.join(dir, 'a.key') }) as ClientCertificateSource
    const error = await source.get().catch(e => e)
    expect(error).to.be.instanceOf(ConfigurationError)
    expect(error.key).to.equal('clientCertificate')
    writeFileSync(path.join(dir, 'missing.pem'), 'now here')
    expect(String((await source.get()).cert)).to.include('now here')
  })

  it('no option, no source', () => {
    expect(clientCertificateSource(undefined)).to.equal(undefined)
  })
})
