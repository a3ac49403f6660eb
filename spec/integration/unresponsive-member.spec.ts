// Black-holed members (accept requests, never answer) are found by probing
// with a fresh connection once a request has been silent for
// `unresponsiveProbeAfter`: requests in flight there fail retryably (a COMMIT
// in flight: commit outcome unknown), the member is forgotten, and the retry
// engine carries on. A slow query whose member answers the probe just keeps
// waiting. No receiveTimeout anywhere in this file: the probe alone does it.

import diagnosticsChannel from 'node:diagnostics_channel'
import { expect } from 'chai'
import { BoltServer } from '../../cluster-fixture/bolt/index.js'
import { FakeBackend, PASSWORD, USER } from '../fixture/bolt/fake-backend.js'
import neo4j, { CommitOutcomeUnknownError, Neo4jError, type Driver, type MemberProbeEvent } from '../../lib/index.js'
import { needsFixture, roles, sleep, startTarget, writeLoop, type LoopOutcome, type Target } from './helpers.js'

/** Records member-probe events while `body` runs. */
async function withProbeEvents<T> (body: (events: MemberProbeEvent[]) => Promise<T>): Promise<T> {
  const events: MemberProbeEvent[] = []
  const listener = (message: unknown): void => { events.push(message as MemberProbeEvent) }
  diagnosticsChannel.subscribe(neo4j.diagnosticsChannels.memberProbe, listener)
  try {
    return await body(events)
  } finally {
    diagnosticsChannel.unsubscribe(neo4j.diagnosticsChannels.memberProbe, listener)
  }
}

describe('integration: unresponsive (black-holed) members', function () {
  this.timeout(60_000)

  describe('cluster', () => {
    let target: Target
    before(async function () {
      needsFixture(this)
      // Client-side routing under failure: no member may route a stray write to the leader for the driver.
      target = await startTarget({ serverSideRouting: false })
    })
    after(async () => { await target?.close() })

    /** A driver whose routing table has a writer (the cluster may still be settling after an earlier test). */
    async function settledDriver (config: Parameters<Target['driver']>[0]): Promise<Driver> {
      await target.cluster?.leader('neo4j', 20_000)
      const d = target.driver(config)
      await d.executeQuery('RETURN 1', {}, { database: 'neo4j' })
      return d
    }

    it('a slow query (waiting for the write lock) is probed, the member answers, and the query completes untouched', async () => {
      const d = await settledDriver({ connectionTimeout: 1000 })
      const { leader, address } = await roles(target.cluster as NonNullable<Target['cluster']>)
      await withProbeEvents(async (events) => {
        const holder = d.session({ database: 'neo4j' })
        const tx = await holder.beginTransaction()
        await tx.run('CREATE (:Locked {id: 1})') // takes the database's write lock until commit
        const waiter = d.session({ database: 'neo4j' })
        let attempts = 0
        const blocked = waiter.executeWrite(async wtx => {
          attempts++
          return (await wtx.run('CREATE (:Locked {id: 2})')).summary.counters.updates().nodesCreated
        })
        await sleep(3200) // several probe periods (default 500 ms, then backing off) of silence on the waiting connection
        await tx.commit()
        await holder.close()
        expect(await blocked).to.equal(1)
        await waiter.close()
        expect(attempts).to.equal(1)
        // Probed at least once (after the default 500 ms of silence), always answered, only the leader.
        expect(events.length).to.be.at.least(1)
        expect(events.map(e => e.address)).to.deep.equal(events.map(() => address(leader)))
        expect(events.map(e => e.outcome)).to.not.include('unresponsive')
        expect(events.every(e => e.silentMs >= 500)).to.equal(true)
        expect(d.poolStats().inUse).to.equal(0)
      })
    })

    it('unresponsiveProbeAfter: 0 switches probing off (the slow query is not probed)', async () => {
      const d = await settledDriver({ connectionTimeout: 1000, unresponsiveProbeAfter: 0 })
      await withProbeEvents(async (events) => {
        const holder = d.session({ database: 'neo4j' })
        const tx = await holder.beginTransaction()
        await tx.run('CREATE (:Locked {id: 3})')
        const blocked = d.executeQuery('CREATE (:Locked {id: 4})', {}, { database: 'neo4j' })
        await sleep(1500)
        await tx.commit()
        await holder.close()
        await blocked
        expect(events).to.deep.equal([])
      })
    })

    it('a black-holed leader under a write loop: requests in flight fail over after probe + connectionTimeout, nothing lost or duplicated', async () => {
      const cluster = target.cluster
      if (cluster === undefined) throw new Error('fixture expected')
      const d = target.driver({ connectionTimeout: 1000 })
      await d.verifyConnectivity({ database: 'neo4j' })
      const { leader, address } = await roles(cluster)
      await withProbeEvents(async (events) => {
        let outcome: LoopOutcome
        try {
          outcome = await writeLoop(d, 80, 'unresponsive-leader', { afterAcks: 15, apply: async () => { await cluster.blackhole(leader) } })
        } finally {
          await cluster.heal(leader)
        }
        expect(outcome.errors.map(e => e.message)).to.deep.equal([])
        expect(outcome.unknown.length).to.be.at.most(1)
        expect(outcome.acked.length + outcome.unknown.length).to.equal(80)
        const newLeader = await cluster.leader('neo4j')
        expect(newLeader).to.not.equal(leader)
        expect(outcome.addresses.has(address(leader))).to.equal(true)
        expect(outcome.addresses.has(address(newLeader))).to.equal(true)
        // The probe, not a receive timeout, ended the wait.
        expect(events.filter(e => e.address === address(leader)).map(e => e.outcome)).to.include('unresponsive')

        const { records } = await d.executeQuery('MATCH (p:Ping {run: $run}) RETURN p.id AS id, count(*) AS n', { run: 'unresponsive-leader' }, { database: 'neo4j' })
        const present = new Map(records.map(r => [r.get('id').toNumber() as number, r.get('n').toNumber() as number]))
        for (const id of outcome.acked) expect(present.get(id), `acknowledged write ${id}`).to.equal(1)
        for (const id of outcome.unknown) expect(present.get(id) ?? 0, `outcome-unknown write ${id}`).to.be.at.most(1)
        expect(d.poolStats().inUse).to.equal(0)
      })
    })
  })

  describe('cluster, default configuration', () => {
    it('a black-holed leader with connectionTimeout at its default (30 s): the wait ends by the probe or by the others electing a leader, nothing lost or duplicated', async function () {
      needsFixture(this)
      const own = await startTarget({ serverSideRouting: false })
      const cluster = own.cluster
      if (cluster === undefined) throw new Error('fixture expected')
      const d = own.driver()
      try {
        await d.verifyConnectivity({ database: 'neo4j' })
        const { leader, address } = await roles(cluster)
        await withProbeEvents(async (events) => {
          let outcome: LoopOutcome
          try {
            outcome = await writeLoop(d, 60, 'default-blackhole', { afterAcks: 10, apply: async () => { await cluster.blackhole(leader) } })
          } finally {
            await cluster.heal(leader)
          }
          expect(outcome.errors.map(e => e.message)).to.deep.equal([])
          expect(outcome.acked.length + outcome.unknown.length).to.equal(60)
          const newLeader = await cluster.leader('neo4j')
          expect(outcome.addresses.has(address(newLeader))).to.equal(true)
          const verdicts = events.filter(e => e.address === address(leader))
          expect(verdicts.map(e => e.outcome)).to.include('unresponsive')
          const { records } = await d.executeQuery('MATCH (p:Ping {run: $run}) RETURN p.id AS id, count(*) AS n', { run: 'default-blackhole' }, { database: 'neo4j' })
          const present = new Map(records.map(r => [r.get('id').toNumber() as number, r.get('n').toNumber() as number]))
          for (const id of outcome.acked) expect(present.get(id), `acknowledged write ${id}`).to.equal(1)
          for (const id of outcome.unknown) expect(present.get(id) ?? 0, `outcome-unknown write ${id}`).to.be.at.most(1)
        })
      } finally {
        await own.close()
      }
    })
  })

  describe('one member (fake backend)', () => {
    let backend: FakeBackend
    let server: BoltServer
    let port: number
    const drivers: Driver[] = []
    before(function () { needsFixture(this) })
    beforeEach(async () => {
      backend = new FakeBackend()
      server = new BoltServer({ backend })
      port = await server.listen(0)
      backend.address = `127.0.0.1:${port}`
    })
    afterEach(async () => {
      await Promise.all(drivers.splice(0).map(async d => await d.close()))
      await server.close()
    })
    const open = (scheme: 'neo4j' | 'bolt', config: Parameters<typeof neo4j.driver>[2] = {}): Driver => {
      const d = neo4j.driver(`${scheme}://127.0.0.1:${port}`, neo4j.auth.basic(USER, PASSWORD), { connectionTimeout: 500, unresponsiveProbeAfter: 300, ...config })
      drivers.push(d)
      return d
    }

    it('a COMMIT in flight when the member goes silent ends as "commit outcome unknown", saying the member stopped answering', async () => {
      const d = open('neo4j')
      const session = d.session({ database: 'neo4j' })
      const tx = await session.beginTransaction()
      await tx.run('CREATE (:Thing)')
      server.setBlackhole(true)
      const error = await tx.commit().catch((e: Error) => e)
      server.setBlackhole(false)
      expect(error).to.be.instanceOf(CommitOutcomeUnknownError)
      expect((error as Error).message).to.include('commit outcome unknown').and.to.include(`member 127.0.0.1:${port} stopped answering (probe failed:`)
      await session.close()
      expect(d.poolStats().inUse).to.equal(0)
      expect(d.routingTable('neo4j')?.writers).to.deep.equal([])
    })

    it('bolt:// — a silent member fails the request with a retryable ServiceUnavailable, and the next request works once it answers', async () => {
      const d = open('bolt', { maxTransactionRetryTime: 0 })
      await d.executeQuery('RETURN 1', {}, { database: 'neo4j' })
      server.setBlackhole(true)
      const error = await d.executeQuery('RETURN 1', {}, { database: 'neo4j' }).catch((e: Error) => e)
      server.setBlackhole(false)
      expect(error).to.be.instanceOf(Neo4jError)
      expect((error as Neo4jError).code).to.equal('ServiceUnavailable')
      expect((error as Neo4jError).retryable).to.equal(true)
      expect((error as Error).message).to.include('stopped answering')
      const { records } = await d.executeQuery('RETURN 1 AS x', {}, { database: 'neo4j' })
      expect(records).to.have.length(1)
      expect(d.poolStats().inUse).to.equal(0)
    })

    it('a session.run (auto-commit) in flight fails with SessionExpired instead of hanging', async () => {
      const d = open('neo4j')
      const session = d.session({ database: 'neo4j' })
      await session.run('RETURN 1')
      server.setBlackhole(true)
      const error = await session.run('RETURN 1').catch((e: Error) => e)
      server.setBlackhole(false)
      expect((error as Neo4jError).code).to.equal('SessionExpired')
      await session.close()
      expect(d.poolStats().inUse).to.equal(0)
    })
  })
})

