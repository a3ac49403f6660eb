// Where copies of a database go (pure functions). PRIMARY-mode members host
// primaries, SECONDARY-mode members host secondaries, as in Neo4j 5's
// autonomous clustering; among candidates, running members first, then the
// least loaded, then by name, so placements are predictable.

import { FixtureError } from '../errors.js'
import type { Allocation, DatabaseRecord, MemberMode } from './catalogue.js'

export interface ServerSnapshot {
  name: string
  mode: MemberMode
  /** Running (not stopped). */
  available: boolean
  /** Number of database copies it hosts now. */
  hosted: number
}

export interface Topology { primaries: number, secondaries: number }

const byName = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true })

function ranked (servers: readonly ServerSnapshot[], mode: MemberMode, exclude: readonly string[]): ServerSnapshot[] {
  return servers
    .filter((s) => s.mode === mode && !exclude.includes(s.name))
    .sort((a, b) => Number(b.available) - Number(a.available) || a.hosted - b.hosted || byName(a.name, b.name))
}

/** Fills in TOPOLOGY defaults and checks the cluster can hold it. */
export function resolveTopology (
  database: string,
  requested: { primaries?: number, secondaries?: number },
  defaults: Topology,
  servers: readonly ServerSnapshot[]
): Topology {
  const primaryServers = servers.filter((s) => s.mode === 'PRIMARY').length
  const secondaryServers = servers.filter((s) => s.mode === 'SECONDARY').length
  const topology = {
    primaries: requested.primaries ?? Math.min(defaults.primaries, primaryServers),
    secondaries: requested.secondaries ?? Math.min(defaults.secondaries, secondaryServers)
  }
  const fail = (reason: string): never => {
    throw new FixtureError('ArgumentError', `Failed to allocate database '${database}': ${reason}`)
  }
  if (!Number.isInteger(topology.primaries) || topology.primaries < 1) fail('a database needs at least 1 primary')
  if (!Number.isInteger(topology.secondaries) || topology.secondaries < 0) fail('the number of secondaries cannot be negative')
  if (topology.primaries > primaryServers) {
    fail(`the topology asks for ${topology.primaries} primaries but the cluster has only ${primaryServers} server(s) in PRIMARY mode`)
  }
  if (topology.secondaries > secondaryServers) {
    fail(`the topology asks for ${topology.secondaries} secondaries but the cluster has only ${secondaryServers} server(s) in SECONDARY mode`)
  }
  return topology
}

/** Placement of a new database. */
export function allocateNew (topology: Topology, servers: readonly ServerSnapshot[]): Allocation {
  return {
    primaries: ranked(servers, 'PRIMARY', []).slice(0, topology.primaries).map((s) => s.name).sort(byName),
    secondaries: ranked(servers, 'SECONDARY', []).slice(0, topology.secondaries).map((s) => s.name).sort(byName)
  }
}

/**
 * Moves the copy held by `from` (down too long) to a running member of the
 * same mode that does not host the database yet. null when there is none.
 */
export function planMove (record: DatabaseRecord, from: string, servers: readonly ServerSnapshot[]): Allocation | null {
  const mode: MemberMode | null = record.primaries.includes(from) ? 'PRIMARY' : record.secondaries.includes(from) ? 'SECONDARY' : null
  if (mode === null) return null
  const candidate = ranked(servers, mode, [...record.primaries, ...record.secondaries]).find((s) => s.available)
  if (candidate === undefined) return null
  const replace = (names: readonly string[]): string[] => names.map((name) => name === from ? candidate.name : name)
  return { primaries: replace(record.primaries), secondaries: replace(record.secondaries) }
}

/** A new placement for ALTER DATABASE … SET TOPOLOGY: keeps what it can, drops stopped copies first. */
export function planTopologyChange (record: DatabaseRecord, topology: Topology, servers: readonly ServerSnapshot[]): Allocation {
  const resize = (current: readonly string[], wanted: number, mode: MemberMode): string[] => {
    const available = (name: string): boolean => servers.find((s) => s.name === name)?.available ?? false
    let kept = [...current].sort((a, b) => Number(available(b)) - Number(available(a)) || byName(a, b)).slice(0, wanted)
    if (kept.length < wanted) {
      const extra = ranked(servers, mode, [...record.primaries, ...record.secondaries]).slice(0, wanted - kept.length)
      kept = [...kept, ...extra.map((s) => s.name)]
    }
    return kept.sort(byName)
  }
  return {
    primaries: resize(record.primaries, topology.primaries, 'PRIMARY'),
    secondaries: resize(record.secondaries, topology.secondaries, 'SECONDARY')
  }
}
