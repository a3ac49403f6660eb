// Rows of SHOW DATABASES (one per hosting member, like Neo4j) and SHOW SERVERS,
// from the answering member's catalogue plus what the cluster view says about
// each member and copy. The engine's projectShowRows applies YIELD/WHERE/…

import type { CypherMap } from '../values.js'
import { DEFAULT_DATABASE, type DatabaseRecord } from './catalogue.js'
import type { AdminStatement } from './engine.js'
import type { ClusterMember } from './member.js'
import type { ClusterView } from './services.js'

/** SHOW DATABASES without YIELD (Neo4j 5's default columns). */
export const SHOW_DATABASES_COLUMNS = [
  'name', 'type', 'aliases', 'access', 'address', 'role', 'writer', 'requestedStatus', 'currentStatus',
  'statusMessage', 'default', 'home', 'constituents'
]

/** SHOW SERVERS without YIELD. */
export const SHOW_SERVERS_COLUMNS = ['name', 'address', 'state', 'health', 'hosting']

const VERSION = '5.26.0'

export function showDatabasesRows (
  member: ClusterMember,
  view: ClusterView,
  statement: Extract<AdminStatement, { kind: 'showDatabases' }>
): CypherMap[] {
  let records = member.catalogue.list()
  if (statement.name !== undefined) records = records.filter((record) => record.name === statement.name)
  if (statement.scope !== undefined) records = records.filter((record) => record.name === DEFAULT_DATABASE)
  const rows: CypherMap[] = []
  for (const record of records) {
    const leader = view.leaderOf(record.name)
    const leaderApplied = leader !== null ? view.copy(leader, record.name)?.appliedIndex ?? 0 : 0
    for (const name of [...record.primaries, ...record.secondaries]) rows.push(databaseRow(record, name, view, leaderApplied))
  }
  return rows
}

function databaseRow (record: DatabaseRecord, memberName: string, view: ClusterView, leaderApplied: number): CypherMap {
  const info = view.member(memberName)
  const copy = view.copy(memberName, record.name)
  const running = info !== undefined && info.state !== 'stopped'
  const sameIncarnation = copy !== undefined && copy.incarnation === record.incarnation
  let currentStatus: string
  if (!running) currentStatus = 'offline'
  else if (!sameIncarnation) currentStatus = 'starting'
  else if (copy.state === 'dropped') currentStatus = 'offline'
  else currentStatus = copy.state
  const role = record.primaries.includes(memberName) ? 'primary' : 'secondary'
  const applied = sameIncarnation ? copy.appliedIndex : 0
  return {
    name: record.name,
    type: record.type,
    aliases: [],
    access: record.access,
    databaseID: databaseId(record),
    serverID: memberName,
    address: info?.address ?? memberName,
    role,
    writer: running && sameIncarnation && copy.isLeader,
    requestedStatus: record.requestedStatus,
    currentStatus,
    statusMessage: !running ? 'The server is stopped' : '',
    default: record.name === DEFAULT_DATABASE,
    home: record.name === DEFAULT_DATABASE,
    currentPrimariesCount: BigInt(record.primaries.length),
    currentSecondariesCount: BigInt(record.secondaries.length),
    requestedPrimariesCount: BigInt(record.topology.primaries),
    requestedSecondariesCount: BigInt(record.topology.secondaries),
    lastCommittedTxn: BigInt(applied),
    replicationLag: BigInt(Math.max(0, leaderApplied - applied)),
    constituents: [],
    options: {}
  }
}

function databaseId (record: DatabaseRecord): string {
  let hash = 0x811c9dc5
  for (const char of `${record.name}#${record.incarnation}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0
  return hash.toString(16).toUpperCase().padStart(8, '0')
}

export function showServersRows (member: ClusterMember, view: ClusterView): CypherMap[] {
  return view.members().map((info) => {
    const hosting = member.catalogue.hostedBy(info.name).map((record) => record.name)
    return {
      serverId: info.name,
      name: info.name,
      address: info.address,
      httpAddress: null,
      httpsAddress: null,
      state: 'Enabled',
      health: info.state === 'stopped' ? 'Unavailable' : 'Available',
      hosting: info.state === 'stopped' ? [] : hosting,
      requestedHosting: hosting,
      tags: [],
      allowedDatabases: [],
      deniedDatabases: [],
      modeConstraint: info.mode,
      version: VERSION
    }
  })
}
