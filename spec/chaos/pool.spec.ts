// Pool under load: 1 000 concurrent executeRead calls on a driver with
// maxConnectionPoolSize 10. They complete, or fail with an acquisition-timeout
// error that names the pool's state; the members never see more than 10
// connections each; afterwards nothing is in use or waiting, and every socket
// the members still hold is an idle pooled one.

import { expect } from 'chai'
import { startCluster, type Cluster } from '../../cluster-fixture/index.js'
import neo4j, { AcquisitionTimeoutError, type Driver } from '../../lib/index.js'

const CALLS = 1000
const POOL = 10
const AUTH = neo4j.auth.basic('neo4j', 'password123')

const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

/** The most connections any member had open while `work` ran (sampled every 5 ms). */
async function peakConnections (cluster: Cluster, work: Promise<unknown>): Promise<number> {
  let peak = 0
  let running = true
  const sampler = (async () => {
    while (running) {
      for (const m of cluster.members()) peak = Math.max(peak, cluster.server(m.name).stats().connectionsOpen)
      await sleep(5)
    }
  })()
  try {
    await work
  } finally {
    running = false
    await sampler
  }
  return peak
}

/** Sockets the members hold open to this (only) client, against the driver's idle connections. */
async function expectNoLeak (cluster: Cluster, d: Driver): Promise<void> {
  const stats = d.poolStats()
  expect(stats.inUse).to.equal(0)
  expect(stats.waiting).to.equal(0)
  expect(stats.opening).to.equal(0)
  // A released connection's socket may take a moment to be counted as closed on the server side.
  let open = Infinity
  for (let waited = 0; waited < 2000; waited += 20) {
    open = cluster.members().reduce((sum, m) => sum + cluster.server(m.name).stats().connectionsOpen, 0)
    if (open === d.poolStats().idle) break
    await sleep(20)
  }
  expect(open, 'server-side connections that are not idle in the pool').to.equal(d.poolStats().idle)
}

describe('chaos: pool under load', function () {
  this.timeout(120_000)
  let cluster: Cluster

  beforeEach(async () => { cluster = await startCluster({ primaries: 3, secondaries: 2 }) })
  afterEach(async () => { await cluster?.close() })

  it(`${CALLS} concurrent executeRead calls with maxConnectionPoolSize ${POOL} all complete; at most ${POOL} connections per member; no leak`, async () => {
    const d = neo4j.driver(cluster.uri, AUTH, { maxConnectionPoolSize: POOL })
    try {
      await d.verifyConnectivity({ database: 'neo4j' })
      const results: Array<number | Error> = []
      const peak = await peakConnections(cluster, Promise.all(Array.from({ length: CALLS }, async (_, i) => {
        const session = d.session({ database: 'neo4j', defaultAccessMode: 'READ' })
        try {
          results.push(await session.executeRead(async tx => (await tx.run('RETURN $i AS i', { i: neo4j.int(i) })).records[0]?.get('i').toNumber() as number))
        } catch (error) {
          results.push(error as Error)
        } finally {
          await session.close()
        }
      })))
      const failures = results.filter((r): r is Error => r instanceof Error)
      expect(failures.map(f => f.message).slice(0, 3)).to.deep.equal([])
      expect(new Set(results).size, 'every call got its own answer').to.equal(CALLS)
      expect(peak).to.be.at.most(POOL)
      await expectNoLeak(cluster, d)
    } finally {
      await d.close()
    }
  })

  it('with a short acquisition timeout, the calls that cannot get a connection fail with AcquisitionTimeoutError naming the pool\'s state; no leak; the driver still works', async () => {
    const d = neo4j.driver(cluster.uri, AUTH, { maxConnectionPoolSize: POOL, connectionAcquisitionTimeout: 200 })
    try {
      await d.verifyConnectivity({ database: 'neo4j' })
      let ok = 0
      const failures: unknown[] = []
      const peak = await peakConnections(cluster, Promise.all(Array.from({ length: CALLS }, async () => {
        const session = d.session({ database: 'neo4j', defaultAccessMode: 'READ' })
        try {
          // Hold the connection a while, so 1 000 callers queue behind 10 connections per member.
          await session.executeRead(async tx => { await tx.run('RETURN 1'); await sleep(50) })
          ok++
        } catch (error) {
          failures.push(error)
        } finally {
          await session.close()
        }
      })))
      expect(ok + failures.length).to.equal(CALLS)
      expect(failures.length, 'the load did not exhaust the pool: the test proves nothing').to.be.greaterThan(0)
      expect(ok).to.be.greaterThan(0)
      for (const failure of failures) {
        expect(failure).to.be.instanceOf(AcquisitionTimeoutError)
        const e = failure as AcquisitionTimeoutError
        expect(e.code).to.equal('ConnectionAcquisitionTimeout')
        expect(e.retryable).to.equal(false)
        expect(e.message).to.match(/pool for 127\.0\.0\.1:\d+: \d+ in use, \d+ idle, \d+ opening, \d+ waiting, max 10/)
      }
      expect(peak).to.be.at.most(POOL)
      await expectNoLeak(cluster, d)
      const { records } = await d.executeQuery('RETURN 7 AS n', {}, { database: 'neo4j', routing: 'READ' })
      expect(records[0]?.get('n').toNumber()).to.equal(7)
    } finally {
      await d.close()
    }
  })
})
