// Mutual TLS against fixture members that require a client certificate
// (tls.clientCa): certificates generated per run with openssl (a CA, the
// member's certificate, a client certificate it signed, one from another CA,
// and an encrypted client key). The driver presents clientCertificate (static
// or from a provider); a member refuses a client without one it trusts.

import { expect } from 'chai'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { startCluster, type Cluster } from '../../cluster-fixture/index.js'
import neo4j, { type Config, type Driver } from '../../lib/index.js'
import { needsFixture, PASSWORD, USER } from './helpers.js'

function openssl (args: string[]): void {
  execFileSync('openssl', args, { stdio: 'ignore', timeout: 20_000 })
}

/** A CA, and certificates it signs (test-only keys, made per run). */
function makeCertificates (dir: string): void {
  const file = (name: string): string => path.join(dir, name)
  for (const ca of ['ca', 'other-ca']) {
    openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${ca}`, '-days', '1', '-keyout', file(`${ca}.key`), '-out', file(`${ca}.pem`)])
  }
  const sign = (name: string, subject: string, ca: string, extra: string[] = [], keyArgs: string[] = ['-nodes']): void => {
    openssl(['req', '-newkey', 'rsa:2048', ...keyArgs, '-subj', subject, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`)])
    openssl(['x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${ca}.pem`), '-CAkey', file(`${ca}.key`), '-CAcreateserial', '-days', '1',
      '-out', file(`${name}.pem`), ...extra])
  }
  const san = file('san.ext')
  execFileSync('sh', ['-c', `printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > '${san}'`])
  sign('server', '/CN=localhost', 'ca', ['-extfile', san])
  sign('client', '/CN=app', 'ca')
  sign('stranger', '/CN=stranger', 'other-ca')
  sign('locked', '/CN=locked', 'ca', [], ['-passout', 'pass:key-secret'])
}

describe('integration: mutual TLS', function () {
  this.timeout(60_000)
  let dir: string
  let cluster: Cluster
  const drivers: Driver[] = []
  const file = (name: string): string => path.join(dir, name)
  before(async function () {
    needsFixture(this)
    dir = mkdtempSync(path.join(os.tmpdir(), 'neo4j-cluster-mtls-'))
    try {
      makeCertificates(dir)
    } catch {
      this.skip() // no openssl on this machine
    }
    cluster = await startCluster({
      primaries: 1,
      secondaries: 0,
      tls: { key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem')), clientCa: readFileSync(file('ca.pem')) }
    })
  })

  afterEach(async () => {
    await Promise.allSettled(drivers.splice(0).map(async d => await d.close()))
  })

  after(async () => {
    await cluster?.close()
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  })

  /** An encrypted neo4j:// driver that trusts our CA. */
  const trusted = (config: Config = {}): Driver => {
    const d = neo4j.driver(cluster.uri, neo4j.auth.basic(USER, PASSWORD), {
      encrypted: true,
      trust: 'TRUST_CUSTOM_CA_SIGNED_CERTIFICATES',
      trustedCertificates: [file('ca.pem')],
      connectionTimeout: 3_000,
      maxTransactionRetryTime: 2_000,
      ...config
    })
    drivers.push(d)
    return d
  }

  it('connects with a client certificate the member trusts (static, and with a key password)', async () => {
    const d = trusted({ clientCertificate: { certfile: file('client.pem'), keyfile: file('client.key') } })
    expect((await d.executeQuery('RETURN 1 AS n', {}, { database: 'neo4j' })).records).to.have.length(1)
    const locked = trusted({ clientCertificate: { certfile: file('locked.pem'), keyfile: file('locked.key'), password: 'key-secret' } })
    expect((await locked.executeQuery('RETURN 1 AS n', {}, { database: 'neo4j' })).records).to.have.length(1)
  })

  it('is refused without a client certificate, or with one from another CA', async () => {
    for (const config of [{}, { clientCertificate: { certfile: file('stranger.pem'), keyfile: file('stranger.key') } }]) {
      const error = await trusted(config).executeQuery('RETURN 1', {}, { database: 'neo4j' }).catch(e => e)
      expect(error).to.be.instanceOf(Error)
      expect(error.code).to.be.oneOf(['ServiceUnavailable', 'SessionExpired'])
    }
  })

  it('a rotating provider: new connections present the certificate it was last given', async () => {
    const provider = neo4j.clientCertificateProviders.rotating({
      initialCertificate: { certfile: file('stranger.pem'), keyfile: file('stranger.key') }
    })
    const d = trusted({ clientCertificate: provider })
    expect(await d.executeQuery('RETURN 1', {}, { database: 'neo4j' }).catch(e => e)).to.be.instanceOf(Error)
    provider.updateCertificate({ certfile: file('client.pem'), keyfile: file('client.key') })
    expect((await d.executeQuery('RETURN 1 AS n', {}, { database: 'neo4j' })).records).to.have.length(1)
  })

  it('a certificate file that cannot be read is a configuration error, not a retryable one', async () => {
    const d = trusted({ clientCertificate: { certfile: file('missing.pem'), keyfile: file('client.key') } })
    const error = await d.executeQuery('RETURN 1', {}, { database: 'neo4j' }).catch(e => e)
    expect(error.message).to.include('client certificate could not be read')
    expect(neo4j.isRetryableError(error)).to.equal(false)
  })
})
