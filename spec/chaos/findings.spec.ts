// Driver defects the chaos suite found, each as a minimal, deterministic
// reproduction. All are fixed; they stay here as regression tests, next to the
// fuzzer (spec/chaos/hostile.spec.ts) and the scenario that found them.

import { expect } from 'chai'
import { startCluster, type Cluster } from '../../cluster-fixture/index.js'
import neo4j, { Neo4jError, type Driver } from '../../lib/index.js'
import { MutatingProxy } from './support/mutating-proxy.js'

const AUTH = neo4j.auth.basic('neo4j', 'password123')
const latin1 = (text: string): number[] => [...Buffer.from(text, 'latin1')]
/** `type: 'r'` in the SUCCESS that answers a RUN of a read query (PackStream: tiny string "type", tiny string "r"). */
const QUERY_TYPE_R = [0x84, ...latin1('type'), 0x81, ...latin1('r')]

const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

describe('chaos findings (regression tests of driver defects the chaos suite found)', function () {
  this.timeout(30_000)
  let cluster: Cluster
  let address: string

  before(async () => {
    cluster = await startCluster({ primaries: 1, secondaries: 0 })
    address = cluster.members()[0]?.address ?? ''
  })
  after(async () => { await cluster?.close() })

  // Seen in scenario 5 (rolling restart): a reader's executeRead failed with CommitOutcomeUnknownError
  // when the member it read from stopped between COMMIT and its answer. A READ transaction cannot have
  // written anything (the server refuses writes in READ mode), so its commit is always safe to retry;
  // the error's advice ("check the data, or mark idempotent work") makes no sense for a read.
  // Fixed: lib/session/session.ts retryManaged counts READ work as idempotent, as the official driver does.
  it('executeRead whose COMMIT answer is lost is retried, not reported as "commit outcome unknown"', async () => {
    const d = neo4j.driver(`bolt://${address}`, AUTH)
    try {
      await d.executeQuery('RETURN 1', {}, { routing: 'READ' })
      cluster.armCommitDrop('server1', 1)
      const session = d.session({ defaultAccessMode: 'READ' })
      let attempts = 0
      try {
        const n = await session.executeRead(async tx => { attempts++; return (await tx.run('RETURN 1 AS n')).records[0]?.get('n').toNumber() })
        expect(n).to.equal(1)
        expect(attempts).to.equal(2)
      } finally {
        await session.close()
      }
    } finally {
      cluster.armCommitDrop('server1', 0)
      await d.close()
    }
  })

  // Seen in the fuzzer (spec/chaos/hostile.spec.ts), about 1 case in 200: a length marker that runs past
  // the end of its message makes PackStream read out of bounds, and the application gets Node's raw
  // RangeError [ERR_OUT_OF_RANGE] (other corruptions give a raw TypeError) instead of a Neo4jError.
  // Fixed: lib/connection/wire.ts createErrorHandler turns every error that is not a Neo4jError into a ProtocolError.
  it('a string length running past the end of an answer gives a ProtocolError (a Neo4jError), not a RangeError', async () => {
    const proxy = await MutatingProxy.start(Number(address.split(':')[1]), {
      kind: 'replace', find: QUERY_TYPE_R, bytes: [0x84, ...latin1('type'), 0x8F, ...latin1('r')]
    })
    const d = neo4j.driver(`bolt://127.0.0.1:${proxy.port}`, AUTH, { maxTransactionRetryTime: 0 })
    try {
      const error = await runOnce(d)
      expect(proxy.mutationApplied).to.equal(true)
      expect(error, String(error)).to.be.instanceOf(Neo4jError)
      expect((error as Neo4jError).code).to.equal('ProtocolError')
    } finally {
      await d.close()
      await proxy.close()
    }
  })

  // Seen in the fuzzer: a well-framed answer that fails validation (query type 'x') raises ProtocolError,
  // but the connection goes back to the pool as idle and stays open: the next query may reuse a
  // connection whose server just broke the protocol. A broken connection is discarded, never reused.
  // Fixed: lib/connection/pooled-connection.ts PooledConnection fails and closes a connection on which a ProtocolError arrived.
  it('after a ProtocolError the connection is discarded, not pooled', async () => {
    const proxy = await MutatingProxy.start(Number(address.split(':')[1]), {
      kind: 'replace', find: QUERY_TYPE_R, bytes: [0x84, ...latin1('type'), 0x81, ...latin1('x')]
    })
    const d = neo4j.driver(`bolt://127.0.0.1:${proxy.port}`, AUTH, { maxTransactionRetryTime: 0 })
    try {
      const error = await runOnce(d)
      expect(proxy.mutationApplied).to.equal(true)
      expect((error as Neo4jError).code).to.equal('ProtocolError')
      for (let waited = 0; proxy.corruptedSocketOpen() && waited < 3000; waited += 20) await sleep(20)
      expect(proxy.corruptedSocketOpen(), 'the connection that broke the protocol is still open').to.equal(false)
    } finally {
      await d.close()
      await proxy.close()
    }
  })

  // Seen with the fixture's 'wrong-version' hostile mode: the message is clear ("Unknown Bolt protocol
  // version: 9.9") but the error's code is 'N/A', so an application cannot branch on it; the other
  // protocol failures carry code 'ProtocolError'. Fixed in lib/connection/wire.ts normalizeConnectError.
  it('a handshake answered with a version nobody offered fails with code ProtocolError', async () => {
    const d = neo4j.driver(`bolt://${address}`, AUTH, { maxTransactionRetryTime: 0 })
    cluster.setHostile('server1', 'wrong-version')
    try {
      const error = await runOnce(d)
      expect(error).to.be.instanceOf(Neo4jError)
      expect((error as Neo4jError).message).to.match(/9\.9/)
      expect((error as Neo4jError).code).to.equal('ProtocolError')
    } finally {
      cluster.setHostile('server1', null)
      await d.close()
    }
  })

  // Seen in the strict fuzzer (seed 4243, a flipped bit turning COMMIT's metadata map into a string): bolt-connection
  // moves on to the next request before it finds it cannot read the answer, then fails only the requests still
  // waiting, so the COMMIT was told nothing and executeQuery hung for ever on a broken connection (no receive
  // timeout runs once nothing is outstanding). Fixed: lib/connection/wire.ts failOrphanedRequests.
  it('an answer whose content cannot be handled (COMMIT metadata that is not a map) fails its request, never hangs it', async () => {
    const bookmarkKey = [0x88, ...latin1('bookmark')]
    const proxy = await MutatingProxy.start(Number(address.split(':')[1]), {
      kind: 'replace', find: [0xB1, 0x70, 0xA1, ...bookmarkKey], bytes: [0xB1, 0x70, 0x81, ...bookmarkKey]
    })
    const d = neo4j.driver(`bolt://127.0.0.1:${proxy.port}`, AUTH, { maxTransactionRetryTime: 0 })
    try {
      let timer: NodeJS.Timeout | undefined
      const hang = new Promise<string>(resolve => { timer = setTimeout(() => resolve('no outcome within 5 s'), 5000) })
      const outcome = await Promise.race([d.executeQuery('RETURN 1 AS n', {}, { routing: 'READ' }).then(() => 'succeeded', (e: unknown) => e), hang])
      clearTimeout(timer)
      expect(proxy.mutationApplied).to.equal(true)
      expect(outcome, String(outcome)).to.be.instanceOf(Neo4jError)
      expect((outcome as Neo4jError).code).to.equal('ProtocolError')
      expect((outcome as Neo4jError).message).to.include('127.0.0.1:')
      expect(d.poolStats().inUse).to.equal(0)
    } finally {
      await d.close()
      await proxy.close()
    }
  })
})

/** One auto-commit read; the error it failed with (the test fails if it succeeded). */
async function runOnce (d: Driver): Promise<unknown> {
  const session = d.session()
  try {
    await session.run('RETURN 1 AS n')
  } catch (error) {
    return error
  } finally {
    await session.close()
  }
  throw new Error('expected the query to fail')
}
