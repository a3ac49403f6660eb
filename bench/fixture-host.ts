// Child process that hosts the fixture cluster for a bench run, so the
// cluster's CPU work (all members share this process's event loop) never runs
// on the measured clients' threads. The runner talks to it over IPC:
//
//   start {settings}        → HostStatus     starts the cluster
//   status                  → HostStatus
//   messages                → MessageCounts  requests received, by type, over all members
//   stop-leader             → LeaderStop     stops the neo4j leader (time taken just before)
//   election                → { electionMs }  after stop-leader: when a new leader was ready for writes
//   start-member {name}     → HostStatus
//   await-healthy {timeoutMs} → HostStatus   every member running, a leader, every copy caught up
//   exit                                      closes the cluster and exits

import { startCluster, type Cluster } from '../cluster-fixture/index.js'
import { serve } from './ipc.js'
import { epochNow } from './measure.js'
import type { FixtureSettings, HostStatus, LeaderStop, MessageCounts } from './protocol.js'

const DATABASE = 'neo4j'
const POLL_MS = 20

let cluster: Cluster | null = null
/** After a stop-leader: resolves with ms from the stop until a new leader is ready for writes (null: none within the bound). */
let election: Promise<number | null> | null = null

function running (): Cluster {
  if (cluster === null) throw new Error('the cluster is not started')
  return cluster
}

function leaderOf (c: Cluster): { name: string, address: string } | null {
  const row = c.databaseStatus(DATABASE).find((r) => r.raftRole === 'leader' && r.memberState === 'running')
  if (row === undefined) return null
  const address = c.members().find((m) => m.name === row.member)?.address
  return address === undefined ? null : { name: row.member, address }
}

function status (c: Cluster): HostStatus {
  return { uri: c.uri, user: c.options.auth.user, password: c.options.auth.password, members: c.members(), leader: leaderOf(c) }
}

function isHealthy (c: Cluster): boolean {
  if (!c.members().every((m) => m.state === 'running')) return false
  const rows = c.databaseStatus(DATABASE)
  const leader = rows.find((r) => r.raftRole === 'leader' && r.memberState === 'running')
  if (leader === undefined) return false
  return rows.every((r) => r.state === 'online' && r.appliedIndex >= leader.commitIndex)
}

serve({
  start: async ({ settings }: { settings: FixtureSettings }) => {
    if (cluster !== null) throw new Error('the cluster is already started')
    cluster = await startCluster({
      primaries: settings.primaries,
      secondaries: settings.secondaries,
      routingTtlSeconds: settings.routingTtlSeconds,
      electionTimeoutMs: settings.electionTimeoutMs,
      heartbeatMs: settings.heartbeatMs,
      secondaryLagMs: settings.secondaryLagMs,
      seed: settings.seed,
      serverSideRouting: settings.serverSideRouting
    })
    return status(cluster)
  },
  status: async () => status(running()),
  messages: async (): Promise<MessageCounts> => {
    const c = running()
    const total: MessageCounts = {}
    for (const member of c.members()) {
      for (const [type, count] of Object.entries(c.server(member.name).stats().messages)) total[type] = (total[type] ?? 0) + count
    }
    return total
  },
  'stop-leader': async (): Promise<LeaderStop> => {
    const c = running()
    await c.leader(DATABASE, 20_000)
    const leader = leaderOf(c)
    if (leader === null) throw new Error('no leader to stop')
    const stoppedAt = epochNow()
    await c.stop(leader.name)
    // The floor of any driver's failover: the cluster cannot take a write before this.
    election = c.leader(DATABASE, 20_000).then(() => epochNow() - stoppedAt, () => null)
    return { ...leader, stoppedAt }
  },
  election: async () => ({ electionMs: election === null ? null : await election }),
  'start-member': async ({ name }: { name: string }) => {
    const c = running()
    await c.start(name)
    return status(c)
  },
  'await-healthy': async ({ timeoutMs }: { timeoutMs: number }) => {
    const c = running()
    const deadline = Date.now() + timeoutMs
    while (!isHealthy(c)) {
      if (Date.now() >= deadline) throw new Error(`the cluster did not become healthy within ${timeoutMs} ms: ${JSON.stringify(c.databaseStatus(DATABASE))}`)
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    }
    return status(c)
  }
}, async () => {
  await cluster?.close()
  cluster = null
})
