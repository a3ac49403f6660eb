// The raw floor as a client: one ROUTE to learn who reads and who writes,
// then one connection per worker and role, used by that worker alone (so a
// worker's queries never wait behind another's). Connection loss or a
// NotALeader drops the connection and the table; the next call discovers and
// connects again. Nothing is retried: a failed call is the caller's error.

import type { PackMap, PackValue } from '../../cluster-fixture/bolt/packstream.js'
import { RawBoltConnection, RawBoltError, type Credentials, type QueryOutcome } from './connection.js'

export type Role = 'READ' | 'WRITE'

export interface RawTopology {
  writers: string[]
  readers: string[]
  routers: string[]
}

/** Reads a ROUTE answer's `rt.servers` into address lists per role. */
export function topologyFromRoute (answer: PackMap): RawTopology {
  const rt = answer.rt as PackMap | undefined
  const servers = (rt?.servers ?? []) as PackMap[]
  const of = (role: string): string[] => servers.filter((s) => s.role === role).flatMap((s) => (s.addresses ?? []) as string[])
  return { writers: of('WRITE'), readers: of('READ'), routers: of('ROUTE') }
}

export async function discover (seed: string, credentials: Credentials, database: string | null): Promise<RawTopology> {
  const connection = await RawBoltConnection.open(seed, credentials)
  try {
    return topologyFromRoute(await connection.route({ address: seed }, database))
  } finally {
    connection.close()
  }
}

export class RawBoltClient {
  private topology: Promise<RawTopology> | null = null
  private readonly connections = new Map<string, Promise<RawBoltConnection>>()
  private closed = false

  constructor (private readonly seed: string, private readonly credentials: Credentials, private readonly database: string | null) {}

  /** Auto-commit RUN + PULL on this worker's connection for `role`. */
  async run (worker: number, role: Role, query: string, parameters: PackMap = {}, onRecord?: (values: PackValue[]) => void): Promise<QueryOutcome> {
    const connection = await this.connection(worker, role)
    const extra: PackMap = role === 'READ' ? { mode: 'r' } : {}
    if (this.database !== null) extra.db = this.database
    try {
      return await connection.run(query, parameters, extra, onRecord)
    } catch (error) {
      if (error instanceof RawBoltError && (error.isConnectionLoss || error.code.endsWith('NotALeader'))) this.forget(worker, role, connection)
      throw error
    }
  }

  /** A managed transaction (BEGIN + RUN + PULL, then COMMIT) on this worker's connection for `role`. */
  async transaction (worker: number, role: Role, query: string, parameters: PackMap = {}): Promise<QueryOutcome> {
    const connection = await this.connection(worker, role)
    const extra: PackMap = role === 'READ' ? { mode: 'r' } : {}
    if (this.database !== null) extra.db = this.database
    try {
      return await connection.transaction(query, parameters, extra)
    } catch (error) {
      if (error instanceof RawBoltError && (error.isConnectionLoss || error.code.endsWith('NotALeader'))) this.forget(worker, role, connection)
      throw error
    }
  }

  /** Opens (once) the connection of `worker` for `role`. */
  async connection (worker: number, role: Role): Promise<RawBoltConnection> {
    if (this.closed) throw new RawBoltError('RawBolt.ClientClosed', 'the raw client is closed')
    const key = `${role}/${worker}`
    let connection = this.connections.get(key)
    if (connection === undefined) {
      connection = this.openFor(worker, role)
      this.connections.set(key, connection)
      connection.catch(() => { if (this.connections.get(key) === connection) this.connections.delete(key) })
    }
    return await connection
  }

  close (): void {
    this.closed = true
    for (const connection of this.connections.values()) connection.then((c) => { c.close() }, () => undefined)
    this.connections.clear()
  }

  private async openFor (worker: number, role: Role): Promise<RawBoltConnection> {
    this.topology ??= discover(this.seed, this.credentials, this.database)
    let topology: RawTopology
    try {
      topology = await this.topology
    } catch (error) {
      this.topology = null
      throw error
    }
    const candidates = role === 'WRITE' ? topology.writers : topology.readers
    if (candidates.length === 0) {
      this.topology = null
      throw new RawBoltError('RawBolt.NoServer', `the routing table has no ${role === 'WRITE' ? 'writer' : 'reader'}`)
    }
    // Workers spread over the servers of their role the way drivers spread sessions.
    return await RawBoltConnection.open(candidates[worker % candidates.length], this.credentials)
  }

  private forget (worker: number, role: Role, connection: RawBoltConnection): void {
    connection.close()
    this.connections.delete(`${role}/${worker}`)
    this.topology = null
  }
}
