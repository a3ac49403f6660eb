// Child-process entry: hosts one fixture cluster and applies the harness's
// controls, answering over the IPC channel (see cluster-protocol.ts). Exits
// when the parent goes away, so a crashed harness never leaves a cluster behind.

import { startCluster, type Cluster, type CopyStatus } from '../../cluster-fixture/index.js'
import type { HostCallName, HostCalls, HostReply, HostRequest } from './cluster-protocol.js'

const POLL_MS = 20

let cluster: Cluster | null = null

function current (): Cluster {
  if (cluster === null) throw new Error('no cluster: call start first')
  return cluster
}

const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

function caughtUp (copies: CopyStatus[], allRunning: boolean): boolean {
  if (!allRunning) return false
  const leader = copies.find(c => c.raftRole === 'leader' && c.memberState === 'running' && c.state === 'online')
  if (leader === undefined) return false
  const online = copies.filter(c => c.state === 'online' && c.memberState === 'running')
  return online.every(c => c.appliedIndex >= leader.commitIndex)
}

type Handler<K extends HostCallName> = (...args: HostCalls[K]['args']) => Promise<HostCalls[K]['result']> | HostCalls[K]['result']

const handlers: { [K in HostCallName]: Handler<K> } = {
  start: async (options) => {
    if (cluster !== null) throw new Error('a cluster is already running in this host')
    cluster = await startCluster(options)
    return { uri: cluster.uri, members: cluster.members() }
  },
  stopMember: async (name) => { await current().stop(name); return null },
  startMember: async (name) => { await current().start(name); return null },
  blackhole: async (name) => { await current().blackhole(name); return null },
  partition: async (name) => { await current().partition(name); return null },
  heal: async (name) => { await current().heal(name); return null },
  setLag: (name, ms) => { current().setLag(name, ms); return null },
  armCommitDrop: (name, count) => { current().armCommitDrop(name, count); return null },
  setHostile: (name, mode) => { current().setHostile(name, mode); return null },
  leader: async (database, timeoutMs) => await current().leader(database, timeoutMs),
  members: () => current().members(),
  databaseStatus: (database) => current().databaseStatus(database),
  settle: async (database, timeoutMs) => {
    const c = current()
    const until = Date.now() + timeoutMs
    for (;;) {
      const copies = c.databaseStatus(database)
      const allRunning = c.members().every(m => m.state === 'running')
      if (caughtUp(copies, allRunning)) return { settled: true, copies }
      if (Date.now() >= until) return { settled: false, copies }
      await sleep(POLL_MS)
    }
  },
  close: async () => {
    const c = cluster
    cluster = null
    await c?.close()
    return null
  }
}

async function answer (request: HostRequest): Promise<HostReply> {
  try {
    const handler = handlers[request.call] as (...args: unknown[]) => Promise<unknown> | unknown
    if (typeof handler !== 'function') throw new Error(`unknown call ${String(request.call)}`)
    return { id: request.id, ok: true, value: await handler(...request.args) }
  } catch (error) {
    return { id: request.id, ok: false, error: error instanceof Error ? error.message : String(error) }
  }
}

async function shutdown (code: number): Promise<never> {
  // Bounded: a cluster that cannot close in 10 s is abandoned with the process.
  const force = setTimeout(() => process.exit(code), 10_000)
  force.unref()
  await cluster?.close().catch(() => undefined)
  process.exit(code)
}

if (typeof process.send !== 'function') {
  process.stderr.write('cluster-host.js is started by the chaos harness (child_process.fork), not by hand\n')
  process.exit(2)
}

process.on('message', (message: HostRequest) => {
  void answer(message).then(reply => process.send?.(reply))
})
process.on('disconnect', () => { void shutdown(0) })
process.on('SIGTERM', () => { void shutdown(0) })
process.send({ id: 0, ok: true, value: 'ready' } satisfies HostReply)
