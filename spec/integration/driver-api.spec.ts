// The official Driver methods beyond sessions, against a fixture cluster and
// next to the official driver's answers: getNegotiatedProtocolVersion,
// supportsSessionAuth, verifyAuthentication, and hasReachableServer.

import { expect } from 'chai'
import { createServer } from 'node:net'
import official from 'neo4j-driver'
import neo4j, { Neo4jError, ProtocolVersion, type Driver } from '../../lib/index.js'
import { EXTERNAL_URI, PASSWORD, startTarget, USER, type Target } from './helpers.js'

/** A loopback port nothing listens on. */
async function closedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>(resolve => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

describe('integration: Driver API beyond sessions (negotiated protocol, auth checks, reachability)', function () {
  this.timeout(60_000)
  let target: Target
  let d: Driver

  before(async () => {
    target = await startTarget()
    d = target.driver()
  })
  after(async () => { await target?.close() })

  it('getNegotiatedProtocolVersion: a core ProtocolVersion, the one the official driver negotiates', async () => {
    const version = await d.getNegotiatedProtocolVersion()
    expect(version).to.be.instanceOf(ProtocolVersion)
    const theirs = official.driver(target.uri, official.auth.basic(USER, PASSWORD))
    try {
      expect(version.toString()).to.equal((await theirs.getNegotiatedProtocolVersion()).toString())
      expect(await d.supportsSessionAuth()).to.equal(await theirs.supportsSessionAuth())
    } finally {
      await theirs.close()
    }
    expect(version.isGreaterOrEqualTo(new ProtocolVersion(5, 1))).to.equal(await d.supportsSessionAuth())
  })

  it('supportsMultiDb / TransactionConfig / UserImpersonation: answered from a server, as the official driver answers them', async () => {
    const fresh = neo4j.driver(target.uri, neo4j.auth.basic(USER, PASSWORD))
    const theirs = official.driver(target.uri, official.auth.basic(USER, PASSWORD))
    try {
      expect(await fresh.supportsMultiDb()).to.equal(await theirs.supportsMultiDb())
      expect(await fresh.supportsTransactionConfig()).to.equal(await theirs.supportsTransactionConfig())
      expect(await fresh.supportsUserImpersonation()).to.equal(await theirs.supportsUserImpersonation())
      expect(await fresh.supportsMultiDb()).to.equal(true)
    } finally {
      await Promise.all([fresh.close(), theirs.close()])
    }
    // Unreachable server: the question fails as getServerInfo does, instead of a guess.
    const nowhere = neo4j.driver('neo4j://127.0.0.1:1', neo4j.auth.basic(USER, PASSWORD), { connectionAcquisitionTimeout: 2000 })
    try {
      const error = await nowhere.supportsMultiDb().catch((e: unknown) => e)
      expect(error).to.be.instanceOf(Neo4jError)
    } finally {
      await nowhere.close()
    }
  })

  it('verifyAuthentication: true for good credentials, false for bad ones (as the official answers), other credentials checked with a logon', async () => {
    expect(await d.verifyAuthentication()).to.equal(true)
    expect(await d.verifyAuthentication({ database: 'neo4j' })).to.equal(true)
    const wrongDriver = neo4j.driver(target.uri, neo4j.auth.basic(USER, 'not the password'))
    const theirs = official.driver(target.uri, official.auth.basic(USER, 'not the password'))
    try {
      expect(await wrongDriver.verifyAuthentication()).to.equal(false)
      expect(await theirs.verifyAuthentication()).to.equal(false)
    } finally {
      await wrongDriver.close()
      await theirs.close()
    }
    expect(await d.verifyAuthentication({ auth: neo4j.auth.basic('someone', 'else') })).to.equal(false)
    expect(await d.verifyAuthentication({ auth: neo4j.auth.basic(USER, PASSWORD) })).to.equal(true)
  })

  it('hasReachableServer: true for a running cluster (no credentials needed), like the official; rejects for a closed port', async function () {
    if (EXTERNAL_URI !== undefined) this.skip()
    expect(await neo4j.hasReachableServer(target.uri)).to.equal(true)
    expect(await official.hasReachableServer(target.uri)).to.equal(true)
    const member = target.cluster?.members()[0]?.address ?? ''
    expect(await neo4j.hasReachableServer(`bolt://${member}`)).to.equal(true)
    const port = await closedPort()
    const error = await neo4j.hasReachableServer(`bolt://127.0.0.1:${port}`).then(() => undefined, (e: Neo4jError) => e)
    expect(error).to.be.instanceOf(Neo4jError)
    expect(error?.code).to.equal('ServiceUnavailable')
  })
})
