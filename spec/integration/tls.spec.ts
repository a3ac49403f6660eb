// TLS against a fixture Bolt member serving a certificate generated at test
// time (openssl): +ssc connects, +s with an untrusted certificate fails closed
// at once with a message that says why, a private CA works when trusted, and a
// plain-text URL against a TLS member gets a hint instead of a bare failure.

import { expect } from 'chai'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { BoltServer } from '../../cluster-fixture/bolt/index.js'
import { FakeBackend, PASSWORD, USER } from '../fixture/bolt/fake-backend.js'
import neo4j, { DiscoveryError, type Driver } from '../../lib/index.js'
import { needsFixture } from './helpers.js'

describe('integration: TLS', function () {
  this.timeout(30_000)
  let dir: string
  let server: BoltServer
  let port: number
  const drivers: Driver[] = []
  const open = (url: string, config: Parameters<typeof neo4j.driver>[2] = {}): Driver => {
    const d = neo4j.driver(url, neo4j.auth.basic(USER, PASSWORD), { connectionTimeout: 3000, maxTransactionRetryTime: 3000, ...config })
    drivers.push(d)
    return d
  }

  before(async function () {
    needsFixture(this)
    dir = mkdtempSync(path.join(os.tmpdir(), 'neo4j-cluster-tls-'))
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost',
        '-days', '1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore', timeout: 20_000 })
    } catch {
      this.skip() // no openssl on this machine
    }
    const backend = new FakeBackend()
    server = new BoltServer({ backend, tls: { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) } })
    port = await server.listen(0)
    backend.address = `localhost:${port}`
  })

  after(async () => {
    await Promise.all(drivers.map(async d => await d.close()))
    await server?.close()
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  })

  it('neo4j+ssc:// and bolt+ssc:// connect to a self-signed member', async () => {
    for (const scheme of ['neo4j+ssc', 'bolt+ssc']) {
      const d = open(`${scheme}://localhost:${port}`)
      const { records } = await d.executeQuery('RETURN 1 AS x', {}, { database: 'neo4j' })
      expect(records).to.have.length(1)
      expect(d.isEncrypted()).to.equal(true)
    }
  })

  it('neo4j+s:// with an untrusted certificate fails closed, at once, saying why', async () => {
    const error = await open(`neo4j+s://localhost:${port}`).executeQuery('RETURN 1', {}, { database: 'neo4j' }).catch(e => e)
    expect(error).to.be.instanceOf(DiscoveryError)
    expect(error.attempts.map((a: { reason: string }) => a.reason)).to.deep.equal(['tls'])
    expect(error.message).to.include('not trusted').and.to.include('neo4j+ssc://')
    expect(neo4j.isRetryableError(error)).to.equal(false)
  })

  it('a private CA is accepted when listed in trustedCertificates', async () => {
    const d = open(`neo4j://localhost:${port}`, { encrypted: true, trust: 'TRUST_CUSTOM_CA_SIGNED_CERTIFICATES', trustedCertificates: [path.join(dir, 'cert.pem')] })
    expect((await d.executeQuery('RETURN 1 AS x', {}, { database: 'neo4j' })).records).to.have.length(1)
  })

  it('plain neo4j:// against a TLS member explains the likely mismatch', async () => {
    const error = await open(`neo4j://localhost:${port}`, { maxTransactionRetryTime: 0 }).executeQuery('RETURN 1', {}, { database: 'neo4j' }).catch(e => e)
    expect(error).to.be.instanceOf(DiscoveryError)
    expect(error.message).to.include('neo4j+s://')
  })
})
