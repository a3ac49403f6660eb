// Auth side by side with the official neo4j-driver 6.3.0 on the same fixture
// cluster: the same code (token managers, per-session and per-query auth,
// verifyAuthentication, supportsSessionAuth, AuthorizationExpired, mutual
// TLS) gives the same answers and the same errors, and costs the cluster the
// same logons.

import { expect } from 'chai'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import official from 'neo4j-driver'
import { startCluster, type Cluster } from '../../cluster-fixture/index.js'
import ours from '../../lib/index.js'

const USER = 'neo4j'
const PASSWORD = 'password123'
const ALICE = { user: 'alice', password: 'alice-pw' }

type Api = typeof ours | typeof official
interface EagerLike { records: Array<{ get: (key: string) => unknown }> }
interface SessionLike { run: (query: string) => Promise<EagerLike>, executeWrite: <T>(work: (tx: { run: (q: string) => Promise<EagerLike> }) => Promise<T>) => Promise<T>, close: () => Promise<void> }
interface DriverLike {
  session: (config?: Record<string, unknown>) => SessionLike
  executeQuery: (query: string, params?: Record<string, unknown>, config?: Record<string, unknown>) => Promise<EagerLike>
  verifyAuthentication: (config?: Record<string, unknown>) => Promise<boolean>
  supportsSessionAuth: () => Promise<boolean>
  close: () => Promise<void>
}

const APIS: Record<'ours' | 'official', Api> = { ours, official }
const num = (value: unknown): number => typeof value === 'number' ? value : (value as { toNumber: () => number }).toNumber()

describe('interop: auth side by side with the official driver on one fixture cluster', function () {
  this.timeout(60_000)
  let cluster: Cluster
  const drivers: DriverLike[] = []
  const open = (api: Api, auth: unknown, config: Record<string, unknown> = {}, uri = cluster.uri): DriverLike => {
    const d = (api.driver as (u: string, a: unknown, c: unknown) => unknown)(uri, auth, { maxTransactionRetryTime: 5_000, ...config }) as DriverLike
    drivers.push(d)
    return d
  }
  const count = (message: string): number => cluster.members().reduce((sum, m) => sum + (cluster.server(m.name).stats().messages[message] ?? 0), 0)
  /** Runs `scenario` with each driver and returns both outcomes, and the LOGON/LOGOFF each cost the cluster. */
  async function both<T> (scenario: (api: Api) => Promise<T>): Promise<Record<'ours' | 'official', { value: T, logons: number, logoffs: number }>> {
    const out: Partial<Record<'ours' | 'official', { value: T, logons: number, logoffs: number }>> = {}
    for (const [label, api] of Object.entries(APIS) as Array<['ours' | 'official', Api]>) {
      const [logons, logoffs] = [count('LOGON'), count('LOGOFF')]
      const value = await scenario(api)
      out[label] = { value, logons: count('LOGON') - logons, logoffs: count('LOGOFF') - logoffs }
    }
    return out as Record<'ours' | 'official', { value: T, logons: number, logoffs: number }>
  }

  before(async () => {
    cluster = await startCluster({ primaries: 1, secondaries: 0, users: [ALICE] })
  })
  afterEach(async () => {
    await Promise.allSettled(drivers.splice(0).map(async d => await d.close()))
  })
  after(async () => {
    await cluster?.close()
  })

  it('per-session and per-query auth: same results, and a pooled connection switches user with the same LOGOFF/LOGON', async () => {
    const outcome = await both(async api => {
      const d = open(api, api.auth.basic(USER, PASSWORD), { maxConnectionPoolSize: 1 })
      const values: number[] = []
      for (const auth of [undefined, api.auth.basic(ALICE.user, ALICE.password), api.auth.basic(ALICE.user, ALICE.password), undefined]) {
        const session = d.session({ database: 'neo4j', ...(auth !== undefined ? { auth } : {}) })
        try {
          values.push(num((await session.run('RETURN 7 AS n')).records[0]?.get('n')))
        } finally {
          await session.close()
        }
      }
      const q = await d.executeQuery('RETURN 8 AS n', {}, { database: 'neo4j', auth: api.auth.basic(ALICE.user, ALICE.password) })
      values.push(num(q.records[0]?.get('n')))
      return { values, sessionAuth: await d.supportsSessionAuth() }
    })
    expect(outcome.ours.value).to.deep.equal(outcome.official.value)
    expect(outcome.ours.value.sessionAuth).to.equal(true)
    expect(outcome.ours.logoffs).to.equal(outcome.official.logoffs)
  })

  it('verifyAuthentication: the same true / false answers from a fresh driver', async () => {
    // Fresh drivers: on a warm pool the official 6.3.0 answers true for wrong
    // credentials when the pooled connection's last message was a LOGON (it
    // skips the check); ours logs on again whenever the token differs.
    const outcome = await both(async api => {
      const answers: boolean[] = []
      for (const auth of [api.auth.basic(ALICE.user, ALICE.password), api.auth.basic(ALICE.user, 'wrong'), api.auth.basic(USER, PASSWORD)]) {
        answers.push(await open(api, api.auth.basic(USER, PASSWORD)).verifyAuthentication({ auth }))
      }
      answers.push(await open(api, api.auth.basic(USER, 'wrong')).verifyAuthentication({ auth: api.auth.basic(ALICE.user, ALICE.password) }))
      return answers
    })
    expect(outcome.ours.value).to.deep.equal([true, false, true, true])
    expect(outcome.official.value).to.deep.equal(outcome.ours.value)
  })

  it('token managers: basic and bearer managers from either package drive either driver alike', async () => {
    const outcome = await both(async api => {
      let asked = 0
      const basic = open(api, api.authTokenManagers.basic({ tokenProvider: async () => { asked++; return api.auth.basic(USER, PASSWORD) } }))
      await basic.executeQuery('RETURN 1', {}, { database: 'neo4j' })
      await basic.executeQuery('RETURN 1', {}, { database: 'neo4j' })
      let issued = 0
      const bearer = open(api, api.authTokenManagers.bearer({
        tokenProvider: async () => { issued++; return { token: api.auth.bearer(cluster.issueBearerToken(USER, 60_000)) } }
      }))
      const { records } = await bearer.executeQuery('RETURN 9 AS n', {}, { database: 'neo4j' })
      const wrong = open(api, api.authTokenManagers.basic({ tokenProvider: async () => api.auth.basic(USER, 'wrong') }))
      const error = await wrong.executeQuery('RETURN 1', {}, { database: 'neo4j' }).catch((e: { code?: string }) => e)
      return { asked, issued, n: num(records[0]?.get('n')), code: (error as { code?: string }).code }
    })
    expect(outcome.ours.value).to.deep.equal(outcome.official.value)
    expect(outcome.ours.value.code).to.equal('Neo.ClientError.Security.Unauthorized')
  })

  it('AuthorizationExpired: both retry the transaction function and log the pooled connections on again', async () => {
    const outcome = await both(async api => {
      const d = open(api, api.auth.basic(USER, PASSWORD))
      await d.executeQuery('RETURN 1', {}, { database: 'neo4j' })
      cluster.expireAuthorization()
      const session = d.session({ database: 'neo4j' })
      try {
        return num(await session.executeWrite(async tx => (await tx.run('RETURN 10 AS n')).records[0]?.get('n')))
      } finally {
        await session.close()
      }
    })
    expect(outcome.ours.value).to.equal(10)
    expect(outcome.official.value).to.equal(10)
  })

  describe('mutual TLS', () => {
    let dir: string | undefined
    let tlsCluster: Cluster | undefined
    const file = (name: string): string => path.join(dir as string, name)

    before(async function () {
      dir = mkdtempSync(path.join(os.tmpdir(), 'neo4j-interop-mtls-'))
      const run = (args: string[]): void => { execFileSync('openssl', args, { stdio: 'ignore', timeout: 20_000 }) }
      try {
        run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=test-ca', '-days', '1', '-keyout', file('ca.key'), '-out', file('ca.pem')])
        execFileSync('sh', ['-c', `printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > '${file('san.ext')}'`])
        for (const [name, subject, ext] of [['server', '/CN=localhost', ['-extfile', file('san.ext')]], ['client', '/CN=app', []]] as const) {
          run(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`)])
          run(['x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '1', '-out', file(`${name}.pem`), ...ext])
        }
      } catch {
        this.skip() // no openssl on this machine
      }
      tlsCluster = await startCluster({
        primaries: 1,
        secondaries: 0,
        tls: { key: readFileSync(file('server.key')), cert: readFileSync(file('server.pem')), clientCa: readFileSync(file('ca.pem')) }
      })
    })
    after(async () => {
      await tlsCluster?.close()
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
    })

    it('the same clientCertificate config connects with both drivers; without it both are refused', async () => {
      const results: Record<string, unknown> = {}
      for (const [label, api] of Object.entries(APIS)) {
        // neo4j+ssc://: the official 6.3.0 reads clientCertificate only when the URL scheme turns encryption on.
        const uri = tlsCluster?.uri.replace(/^neo4j:/, 'neo4j+ssc:')
        const config = { connectionTimeout: 3_000, maxTransactionRetryTime: 0 }
        const withCert = open(api, api.auth.basic(USER, PASSWORD), { ...config, clientCertificate: { certfile: file('client.pem'), keyfile: file('client.key') } }, uri)
        const rotating = open(api, api.auth.basic(USER, PASSWORD), {
          ...config, clientCertificate: api.clientCertificateProviders.rotating({ initialCertificate: { certfile: file('client.pem'), keyfile: file('client.key') } })
        }, uri)
        const without = open(api, api.auth.basic(USER, PASSWORD), config, uri)
        results[label] = {
          withCert: num((await withCert.executeQuery('RETURN 11 AS n', {}, { database: 'neo4j' })).records[0]?.get('n')),
          rotating: num((await rotating.executeQuery('RETURN 12 AS n', {}, { database: 'neo4j' })).records[0]?.get('n')),
          without: await without.executeQuery('RETURN 1', {}, { database: 'neo4j' }).then(() => 'connected', () => 'refused')
        }
      }
      expect(results.ours).to.deep.equal({ withCert: 11, rotating: 12, without: 'refused' })
      expect(results.official).to.deep.equal(results.ours)
    })
  })
})
