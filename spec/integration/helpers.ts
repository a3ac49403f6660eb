// Shared by the integration tests: which server to use and small bounded helpers.
//
// With NEO4J_URI set (plus NEO4J_USER / NEO4J_PASSWORD), tests run against that
// server and every test that needs fixture controls (stop, blackhole, lag, a
// fake backend) skips itself through `needsFixture(this)`.

import type { Context } from 'mocha'

export const EXTERNAL_URI: string | undefined = process.env.NEO4J_URI !== undefined && process.env.NEO4J_URI !== '' ? process.env.NEO4J_URI : undefined
export const USER = process.env.NEO4J_USER ?? 'neo4j'
export const PASSWORD = process.env.NEO4J_PASSWORD ?? 'password123'

/** Call first in a test (or a before hook) that cannot run against an external server. */
export function needsFixture (context: Context): void {
  if (EXTERNAL_URI !== undefined) context.skip()
}

export const sleep = async (ms: number): Promise<void> => await new Promise(resolve => setTimeout(resolve, ms))

/** Poll `check` until it returns true, at most `timeoutMs`; throws with `what` if it never does. */
export async function waitFor (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000, everyMs = 20): Promise<void> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if (await check()) return
    await sleep(everyMs)
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
}

/** Run `task` for each item with at most `concurrency` at a time. */
export async function inParallel<T> (items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++
      await task(items[index] as T, index)
    }
  })
  await Promise.all(workers)
}

// ---------------------------------------------------------------------------
// The server under test: a fixture cluster, or NEO4J_URI.

import { startCluster, type Cluster, type ClusterOptions } from '../../cluster-fixture/index.js'
import neo4j, { CommitOutcomeUnknownError, type Config, type Driver } from '../../lib/index.js'

export interface Target {
  readonly uri: string
  /** The fixture cluster; undefined against NEO4J_URI. */
  readonly cluster: Cluster | undefined
  /** A driver with the target's credentials; closed by `close()`. */
  driver: (config?: Config, uri?: string) => Driver
  /** 'host:port' → member name (fixture) or the address itself (external). */
  name: (address: string | undefined) => string
  close: () => Promise<void>
}

export async function startTarget (options: ClusterOptions = {}): Promise<Target> {
  const cluster = EXTERNAL_URI === undefined ? await startCluster({ primaries: 3, secondaries: 2, ...options }) : undefined
  const uri = cluster?.uri ?? (EXTERNAL_URI as string)
  const drivers: Driver[] = []
  const names = new Map(cluster?.members().map(m => [m.address, m.name]) ?? [])
  return {
    uri,
    cluster,
    driver: (config = {}, url = uri) => {
      const d = neo4j.driver(url, neo4j.auth.basic(USER, PASSWORD), config)
      drivers.push(d)
      return d
    },
    name: (address) => names.get(address ?? '') ?? String(address),
    close: async () => {
      await Promise.allSettled(drivers.map(async d => await d.close()))
      await cluster?.close()
    }
  }
}

/** The member names of a fixture cluster by role for `database` (leader, followers, secondaries). */
export async function roles (cluster: Cluster, database = 'neo4j'): Promise<{ leader: string, followers: string[], secondaries: string[], address: (name: string) => string }> {
  const leader = await cluster.leader(database)
  const members = cluster.members()
  return {
    leader,
    followers: members.filter(m => m.mode === 'PRIMARY' && m.name !== leader).map(m => m.name),
    secondaries: members.filter(m => m.mode === 'SECONDARY').map(m => m.name),
    address: (name) => members.find(m => m.name === name)?.address ?? ''
  }
}

export interface LoopOutcome { acked: number[], unknown: number[], errors: Error[], ackTimes: number[], addresses: Set<string> }

/** Applied (not awaited) by the write loop once `afterAcks` writes were acknowledged, while it keeps writing. */
export interface Fault { readonly afterAcks: number, readonly apply: () => Promise<void> }

/** One CREATE of the write loop: resolves with the server that acknowledged it. */
export type LoopWrite = (d: Driver, query: string, parameters: Record<string, unknown>) => Promise<{ server: { address?: string } }>

const byExecuteQuery: LoopWrite = async (d, query, parameters) => (await d.executeQuery(query, parameters, { database: 'neo4j' })).summary

/**
 * `count` CREATE writes (through executeQuery unless `write` says otherwise),
 * one after another, each with a unique id under `run`: which were
 * acknowledged (and when, and by whom), which ended in "commit outcome
 * unknown", which failed otherwise.
 */
export async function writeLoop (d: Driver, count: number, run: string, fault?: Fault, write: LoopWrite = byExecuteQuery): Promise<LoopOutcome> {
  const outcome: LoopOutcome = { acked: [], unknown: [], errors: [], ackTimes: [], addresses: new Set() }
  let faulted: Promise<void> | undefined
  for (let i = 0; i < count; i++) {
    try {
      const summary = await write(d, 'CREATE (:Ping {run: $run, id: $id})', { run, id: neo4j.int(i) })
      outcome.acked.push(i)
      // Fault from inside the loop, once it is under way: a fixed sleep would race a fast fixture (the whole loop can end first).
      if (fault !== undefined && faulted === undefined && outcome.acked.length >= fault.afterAcks) {
        faulted = fault.apply()
        faulted.catch(() => {}) // awaited (and rethrown) once the loop ends
      }
      outcome.ackTimes.push(performance.now())
      outcome.addresses.add(summary.server.address ?? '')
    } catch (error) {
      if (error instanceof CommitOutcomeUnknownError) outcome.unknown.push(i)
      else outcome.errors.push(error as Error)
    }
  }
  await faulted
  return outcome
}
