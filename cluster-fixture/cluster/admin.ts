// Administration commands, run against `system` as in Neo4j. SHOW commands read
// this member's catalogue (any member); CREATE / DROP / ALTER / START / STOP
// DATABASE run on system's leader: under system's write lock they check the
// catalogue, append one command to system's log and return once it is
// committed and applied here. They take effect at once (not at COMMIT), and a
// ROLLBACK does not undo them.

import type { QueryResult, TxRequest } from '../bolt/backend.js'
import { FixtureError } from '../errors.js'
import type { CypherMap, CypherValue } from '../values.js'
import { planTopologyChange, resolveTopology, allocateNew, type ServerSnapshot } from './allocation.js'
import { SYSTEM_DATABASE, type SystemCommand } from './catalogue.js'
import { projectShowRows, type AdminStatement } from './engine.js'
import type { ClusterMember } from './member.js'
import type { ClusterServices } from './services.js'
import { SHOW_DATABASES_COLUMNS, SHOW_SERVERS_COLUMNS, showDatabasesRows, showServersRows } from './show-rows.js'

export interface AdminContext {
  member: ClusterMember
  services: ClusterServices
  request: TxRequest
  /** The database the transaction runs against. */
  database: string
}

export interface AdminOutcome {
  result: QueryResult
  /** The system log index the command committed at (null for SHOW and no-ops). */
  systemIndex: number | null
}

const NO_ROWS: QueryResult = { keys: [], rows: [], queryType: 's', stats: {} }
const DEFAULT_WAIT_SECONDS = 300

export async function executeAdmin (statement: AdminStatement, params: CypherMap, ctx: AdminContext): Promise<AdminOutcome> {
  if (ctx.database !== SYSTEM_DATABASE) {
    throw new FixtureError('NotSystemDatabaseError',
      `This is an administration command and it should be executed against the system database: ${commandName(statement)}`)
  }
  switch (statement.kind) {
    case 'showDatabases': {
      const rows = showDatabasesRows(ctx.member, ctx.services.view, statement)
      return { result: { ...projectShowRows(rows, SHOW_DATABASES_COLUMNS, statement.tail, params), queryType: 'r' }, systemIndex: null }
    }
    case 'showServers': {
      const rows = showServersRows(ctx.member, ctx.services.view)
      return { result: { ...projectShowRows(rows, SHOW_SERVERS_COLUMNS, statement.tail, params), queryType: 'r' }, systemIndex: null }
    }
    default:
      return await executeWriteCommand(statement, ctx)
  }
}

function commandName (statement: AdminStatement): string {
  switch (statement.kind) {
    case 'showDatabases': return 'SHOW DATABASES'
    case 'showServers': return 'SHOW SERVERS'
    case 'createDatabase': return 'CREATE DATABASE'
    case 'dropDatabase': return 'DROP DATABASE'
    case 'alterDatabase': return 'ALTER DATABASE'
    case 'startDatabase': return 'START DATABASE'
    case 'stopDatabase': return 'STOP DATABASE'
  }
}

type WriteCommand = Exclude<AdminStatement, { kind: 'showDatabases' } | { kind: 'showServers' }>

async function executeWriteCommand (statement: WriteCommand, ctx: AdminContext): Promise<AdminOutcome> {
  const { member, services, request } = ctx
  if (request.mode === 'READ') {
    throw new FixtureError('AccessMode', `Writing in read access mode not allowed: ${commandName(statement)} must run in a WRITE transaction`)
  }
  const system = member.system
  if (!system.isLeader) throw system.notLeaderError(`${commandName(statement)} runs on the leader of 'system'`)
  const lease = await system.writeLock.acquire(system.raft.term, services.options.lockWaitTimeoutMs)
  try {
    await system.waitUntilWritable(services.options.electionTimeoutMs[1])
    lease.check()
    const command = planCommand(statement, member, services)
    if (command === null) return { result: NO_ROWS, systemIndex: null }
    const index = await proposeSystem(member, command, services)
    lease.release()
    const wait = 'wait' in statement && statement.wait === true
    if (!wait) return { result: NO_ROWS, systemIndex: index }
    const seconds = ('waitSeconds' in statement ? statement.waitSeconds : undefined) ?? DEFAULT_WAIT_SECONDS
    return { result: await waitForPlacement(statement.name, seconds * 1000, ctx), systemIndex: index }
  } finally {
    lease.release()
  }
}

/** The system command for a statement, after checking it against the catalogue; null when there is nothing to do. */
function planCommand (statement: WriteCommand, member: ClusterMember, services: ClusterServices): SystemCommand | null {
  const existing = member.catalogue.get(statement.name)
  const servers = serverSnapshots(member, services)
  switch (statement.kind) {
    case 'createDatabase': {
      if (statement.orReplace) throw new FixtureError('UnsupportedAdministrationCommand', 'CREATE OR REPLACE DATABASE is not supported by the cluster fixture')
      if (existing !== undefined) {
        if (statement.ifNotExists) return null
        throw new FixtureError('ExistingDatabaseFound', `Failed to create the specified database '${statement.name}': Database already exists.`)
      }
      const topology = resolveTopology(statement.name, statement,
        { primaries: services.options.defaultPrimaries, secondaries: services.options.defaultSecondaries }, servers)
      return { type: 'createDatabase', name: statement.name, allocation: allocateNew(topology, servers), topology }
    }
    case 'dropDatabase': {
      if (existing === undefined) {
        if (statement.ifExists) return null
        throw notFound(statement.name)
      }
      if (existing.type === 'system') throw new FixtureError('UnsupportedAdministrationCommand', 'Not allowed to delete the system database.')
      return { type: 'dropDatabase', name: statement.name }
    }
    case 'alterDatabase': {
      if (existing === undefined) {
        if (statement.ifExists) return null
        throw notFound(statement.name)
      }
      if (existing.type === 'system') throw new FixtureError('UnsupportedAdministrationCommand', 'Not allowed to alter the system database.')
      if (statement.access !== undefined && statement.primaries === undefined && statement.secondaries === undefined) {
        return { type: 'setAccess', name: statement.name, access: statement.access }
      }
      if (statement.access !== undefined) {
        throw new FixtureError('UnsupportedAdministrationCommand', 'Change ACCESS and TOPOLOGY in two ALTER DATABASE commands')
      }
      const topology = resolveTopology(statement.name,
        { primaries: statement.primaries ?? existing.topology.primaries, secondaries: statement.secondaries ?? existing.topology.secondaries },
        existing.topology, servers)
      return { type: 'allocate', name: statement.name, allocation: planTopologyChange(existing, topology, servers), topology, reason: 'ALTER DATABASE' }
    }
    case 'startDatabase':
    case 'stopDatabase': {
      if (existing === undefined) throw notFound(statement.name)
      if (existing.type === 'system') throw new FixtureError('UnsupportedAdministrationCommand', 'Not allowed to stop or start the system database.')
      return { type: 'setStatus', name: statement.name, status: statement.kind === 'startDatabase' ? 'online' : 'offline' }
    }
  }
}

function notFound (name: string): FixtureError {
  return new FixtureError('DatabaseNotFound', `Database does not exist. Database name: '${name}'.`)
}

export function serverSnapshots (member: ClusterMember, services: ClusterServices): ServerSnapshot[] {
  return services.view.members().map((info) => ({
    name: info.name,
    mode: info.mode,
    available: info.state !== 'stopped',
    hosted: member.catalogue.hostedBy(info.name).length
  }))
}

/** Appends a command to system's log on this member (its leader) and waits until it is applied here. */
export async function proposeSystem (member: ClusterMember, command: SystemCommand, services: ClusterServices): Promise<number> {
  const { scheduler, options } = services
  const raft = member.system.raft
  const timer = scheduler.setTimeout(() => raft.stepDown(), options.commitTimeoutMs)
  try {
    const index = await raft.propose(command)
    await member.system.waitForApplied(index, options.commitTimeoutMs)
    return index
  } catch (error) {
    if (error instanceof FixtureError) throw error
    const raftError = error as Error & { committed?: 'no' | 'unknown' }
    if (raftError.committed === 'no') throw member.system.notLeaderError(raftError.message)
    throw new FixtureError('ReplicationFailure',
      `Commit outcome unknown for ${command.type} ${command.name}: ${raftError.message}. Check with SHOW DATABASES before retrying.`)
  } finally {
    scheduler.clearTimeout(timer)
  }
}

/** CREATE/ALTER/START/STOP/DROP … WAIT: until every running member's copy is in the requested state. */
async function waitForPlacement (database: string, timeoutMs: number, ctx: AdminContext): Promise<QueryResult> {
  const { member, services } = ctx
  const deadline = services.scheduler.now() + timeoutMs
  const settled = (): Array<{ address: string, state: string, ok: boolean }> | null => {
    const record = member.catalogue.get(database)
    // For DROP: every member that still has a copy; otherwise: the members the catalogue places it on.
    const hosts = record === undefined
      ? services.view.members().filter((info) => services.view.copy(info.name, database) !== undefined).map((info) => info.name)
      : [...record.primaries, ...record.secondaries]
    const rows = hosts.map((name) => {
      const info = services.view.member(name)
      const copy = services.view.copy(name, database)
      const wanted = record === undefined ? 'dropped' : record.requestedStatus
      const reached = wanted === 'dropped'
        ? copy === undefined || copy.state === 'dropped'
        : copy !== undefined && copy.incarnation === record?.incarnation && copy.state === wanted
      return { address: info?.address ?? name, state: copy?.state ?? 'unknown', ok: info?.state === 'stopped' || reached }
    })
    return rows.every((row) => row.ok) ? rows : null
  }
  let rows = settled()
  while (rows === null && services.scheduler.now() < deadline) {
    await new Promise<void>((resolve) => services.scheduler.setTimeout(resolve, services.options.heartbeatMs))
    rows = settled()
  }
  const final = rows ?? [{ address: member.address, state: 'unknown', ok: false }]
  const toValue = (row: { address: string, state: string, ok: boolean }): CypherValue[] =>
    [row.address, row.state === 'online' ? 'CaughtUp' : row.state, row.ok ? '' : 'Timed out waiting for the database', row.ok]
  return { keys: ['address', 'state', 'message', 'success'], rows: final.map(toValue), queryType: 's', stats: {} }
}
