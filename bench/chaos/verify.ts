// Verification after the cluster heals: every id of the run is read back from
// every member hosting the database, directly (bolt://, no routing), with the
// bookmark of a barrier write committed after healing, so a lagging member
// answers only once it has applied everything committed before the barrier.
//
// The reads go through the official neo4j-driver for both drivers under test:
// the check must not depend on the driver it checks.

import official from 'neo4j-driver'
import type { ClusterHandle } from './cluster-client.js'
import { PASSWORD, USER } from './adapters.js'

export interface ReadBack {
  /** Whether the cluster reached a steady state (all members up, every copy caught up) before the reads. */
  readonly settled: boolean
  /** member name → id → how many nodes carry it there. */
  readonly counts: ReadonlyMap<string, ReadonlyMap<number, number>>
  /** Members hosting the database that could not be read, and why. */
  readonly unreadable: ReadonlyArray<{ member: string, error: string }>
}

const SETTLE_TIMEOUT_MS = 30_000
const MEMBER_READ_TIMEOUT_MS = 30_000

async function withTimeout<T> (what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([work, new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)
    })])
  } finally {
    clearTimeout(timer)
  }
}

/** A write through the routing driver after healing; its bookmark orders every earlier commit before it. */
async function barrier (cluster: ClusterHandle, database: string, run: string): Promise<string[]> {
  const d = official.driver(cluster.uri, official.auth.basic(USER, PASSWORD), { maxTransactionRetryTime: 20_000, connectionTimeout: 5_000 })
  try {
    const session = d.session({ database })
    try {
      await session.executeWrite(async tx => await tx.run('CREATE (:ChaosBarrier {run: $run})', { run }))
      return session.lastBookmarks()
    } finally {
      await session.close()
    }
  } finally {
    await d.close()
  }
}

async function readMember (address: string, database: string, run: string, bookmarks: string[]): Promise<Map<number, number>> {
  const d = official.driver(`bolt://${address}`, official.auth.basic(USER, PASSWORD), { connectionTimeout: 5_000 })
  try {
    const session = d.session({ database, defaultAccessMode: official.session.READ, bookmarks })
    try {
      const result = await session.run('MATCH (n:Chaos {run: $run}) RETURN n.id AS id', { run })
      const counts = new Map<number, number>()
      for (const record of result.records) {
        const id = (record.get('id') as { toNumber: () => number }).toNumber()
        counts.set(id, (counts.get(id) ?? 0) + 1)
      }
      return counts
    } finally {
      await session.close()
    }
  } finally {
    await d.close()
  }
}

export async function readBack (cluster: ClusterHandle, database: string, run: string): Promise<ReadBack> {
  const { settled, copies } = await cluster.settle(database, SETTLE_TIMEOUT_MS)
  const bookmarks = await withTimeout('barrier write', 60_000, barrier(cluster, database, run))
  const hosts = copies.filter(c => c.state === 'online').map(c => c.member)
  const counts = new Map<string, Map<number, number>>()
  const unreadable: Array<{ member: string, error: string }> = []
  for (const member of hosts) {
    const address = cluster.addresses.get(member) ?? ''
    try {
      counts.set(member, await withTimeout(`read-back on ${member}`, MEMBER_READ_TIMEOUT_MS, readMember(address, database, run, bookmarks)))
    } catch (error) {
      unreadable.push({ member, error: (error as Error).message })
    }
  }
  return { settled, counts, unreadable }
}
