// A write loop keeps going while the leader is stopped: every acknowledged
// write is there exactly once afterwards, nothing acknowledged is lost or
// duplicated. A write whose COMMIT was cut by the stop is reported as
// "commit outcome unknown" (never retried blindly) and is present at most once.

import { expect } from 'chai'
import diagnosticsChannel from 'node:diagnostics_channel'
import neo4j, { type RouteEvent } from '../../lib/index.js'
import { needsFixture, roles, startTarget, writeLoop, type LoopWrite, type Target } from './helpers.js'

describe('integration: failover', function () {
  this.timeout(120_000)
  let target: Target

  before(async function () {
    needsFixture(this)
    // Client-side routing under failure: no member may route a stray write to the leader for the driver.
    target = await startTarget({ serverSideRouting: false })
  })
  after(async () => { await target?.close() })

  // Round 3 writes through executeWrite with pipelineBegin: BEGIN leaves with the CREATE, so a
  // BEGIN cut by the stop reaches the work as its query's error, and is retried like any other.
  const pipelined: LoopWrite = async (d, query, parameters) => {
    const session = d.session({ database: 'neo4j' })
    try {
      return (await session.executeWrite(tx => tx.run(query, parameters), { pipelineBegin: true })).summary
    } finally {
      await session.close()
    }
  }
  for (const [round, write, how] of [[1, undefined, 'executeQuery'], [2, undefined, 'executeQuery'], [3, pipelined, 'executeWrite with pipelineBegin']] as const) {
    it(`round ${round}: a write loop (${how}) keeps going across a leader stop, with no lost and no duplicated acknowledged write`, async () => {
      const cluster = target.cluster
      if (cluster === undefined) throw new Error('fixture expected')
      const d = target.driver({ maxTransactionRetryTime: 30_000 })
      await d.verifyConnectivity({ database: 'neo4j' })
      const { leader, address } = await roles(cluster)
      const prefix = `failover-${round}`
      const outcome = await writeLoop(d, 150, prefix, { afterAcks: 20, apply: async () => { await cluster.stop(leader) } }, write)
      const newLeader = await cluster.leader('neo4j')
      expect(newLeader).to.not.equal(leader)
      expect(outcome.errors.map(e => e.message)).to.deep.equal([])
      expect(outcome.unknown.length).to.be.at.most(1)
      expect(outcome.acked.length + outcome.unknown.length).to.equal(150)
      expect(outcome.addresses.has(address(leader))).to.equal(true) // it really wrote through the old leader first
      expect(outcome.addresses.has(address(newLeader))).to.equal(true)

      await cluster.start(leader)
      const { records } = await d.executeQuery('MATCH (p:Ping {run: $run}) RETURN p.id AS id, count(*) AS n', { run: prefix }, { database: 'neo4j' })
      const present = new Map(records.map(r => [r.get('id').toNumber() as number, r.get('n').toNumber() as number]))
      for (const id of outcome.acked) expect(present.get(id), `acknowledged write ${id}`).to.equal(1)
      for (const id of outcome.unknown) expect(present.get(id) ?? 0, `outcome-unknown write ${id}`).to.be.at.most(1)
      expect([...present.keys()].every(id => outcome.acked.includes(id) || outcome.unknown.includes(id))).to.equal(true)
      expect(d.poolStats().inUse).to.equal(0)
    })
  }

  it('sessions waiting out an election share the routing polls: never more than one ROUTE in flight per database', async () => {
    const cluster = target.cluster
    if (cluster === undefined) throw new Error('fixture expected')
    const d = target.driver({ maxTransactionRetryTime: 30_000 })
    await d.verifyConnectivity({ database: 'neo4j' })
    const { leader } = await roles(cluster)
    // Count ROUTE requests in flight per database at the one place every refresh sends them.
    const inFlight = new Map<string | null, number>()
    const most = new Map<string | null, number>()
    let routes = 0
    const onRoute = (message: unknown): void => {
      const { database, phase } = message as RouteEvent
      if (phase === 'sent') routes++
      const now = (inFlight.get(database) ?? 0) + (phase === 'sent' ? 1 : -1)
      inFlight.set(database, now)
      most.set(database, Math.max(now, most.get(database) ?? 0))
    }
    diagnosticsChannel.subscribe(neo4j.diagnosticsChannels.route, onRoute)
    try {
      await cluster.stop(leader)
      const writers = Array.from({ length: 24 }, async (_, i) => {
        const session = d.session({ database: 'neo4j' })
        try {
          return (await session.executeWrite(tx => tx.run('CREATE (:Waiter {id: $i})', { i }))).summary.server.address
        } finally {
          await session.close()
        }
      })
      const addresses = await Promise.all(writers)
      expect(new Set(addresses).size).to.equal(1) // all on the new leader
      expect(most.get('neo4j')).to.equal(1)
      expect(routes).to.be.at.least(2) // they really waited and polled
    } finally {
      diagnosticsChannel.unsubscribe(neo4j.diagnosticsChannels.route, onRoute)
      await cluster.start(leader)
    }
  })

  it('a black-holed leader costs a receiveTimeout plus an election, not a hang', async () => {
    const cluster = target.cluster
    if (cluster === undefined) throw new Error('fixture expected')
    // receiveTimeout alone (probing off): the probe has its own spec (unresponsive-member.spec.ts).
    const d = target.driver({ connectionTimeout: 1000, receiveTimeout: 1000, unresponsiveProbeAfter: 0 })
    await d.verifyConnectivity({ database: 'neo4j' })
    const { leader } = await roles(cluster)
    try {
      const outcome = await writeLoop(d, 60, 'blackhole', { afterAcks: 10, apply: async () => { await cluster.blackhole(leader) } })
      expect(outcome.errors.map(e => e.message)).to.deep.equal([])
      expect(outcome.acked.length + outcome.unknown.length).to.equal(60)
      expect(await cluster.leader('neo4j')).to.not.equal(leader)
    } finally {
      await cluster.heal(leader)
    }
  })
})
