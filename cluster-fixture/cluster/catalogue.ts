// The `system` database's state: which databases exist and where their copies
// live. Every member builds its own Catalogue only by applying the commands of
// system's replicated log, so all members agree on it once caught up.

export type MemberMode = 'PRIMARY' | 'SECONDARY'
export type DatabaseAccess = 'read-write' | 'read-only'
export type RequestedStatus = 'online' | 'offline'

export const SYSTEM_DATABASE = 'system'
export const DEFAULT_DATABASE = 'neo4j'

export interface Allocation {
  /** Members hosting a primary copy (the Raft voters). */
  readonly primaries: readonly string[]
  /** Members hosting a secondary copy (Raft learners). */
  readonly secondaries: readonly string[]
}

export interface DatabaseRecord extends Allocation {
  readonly name: string
  /** The system log index of the entry that created it (0 for the databases that exist at start). */
  readonly incarnation: number
  readonly type: 'system' | 'standard'
  /** The allocation the database was created with: the members that bootstrap its Raft group. */
  readonly initial: Allocation
  /** Requested copy counts (TOPOLOGY). */
  readonly topology: { readonly primaries: number, readonly secondaries: number }
  readonly access: DatabaseAccess
  readonly requestedStatus: RequestedStatus
}

export type SystemCommand =
  | { readonly type: 'createDatabase', readonly name: string, readonly allocation: Allocation, readonly topology: DatabaseRecord['topology'] }
  | { readonly type: 'dropDatabase', readonly name: string }
  /** A new placement (re-allocation after a failure, or ALTER DATABASE … SET TOPOLOGY). */
  | { readonly type: 'allocate', readonly name: string, readonly allocation: Allocation, readonly topology: DatabaseRecord['topology'], readonly reason: string }
  | { readonly type: 'setAccess', readonly name: string, readonly access: DatabaseAccess }
  | { readonly type: 'setStatus', readonly name: string, readonly status: RequestedStatus }

export class Catalogue {
  private readonly databases = new Map<string, DatabaseRecord>()
  /** Index of the last system log entry applied. */
  appliedIndex = 0

  /** The catalogue every member starts with: `system` and `neo4j` on every member. */
  static bootstrap (primaries: readonly string[], secondaries: readonly string[]): Catalogue {
    const catalogue = new Catalogue()
    const allocation: Allocation = { primaries: [...primaries], secondaries: [...secondaries] }
    for (const name of [SYSTEM_DATABASE, DEFAULT_DATABASE]) {
      catalogue.databases.set(name, {
        name,
        incarnation: 0,
        type: name === SYSTEM_DATABASE ? 'system' : 'standard',
        ...allocation,
        initial: allocation,
        topology: { primaries: primaries.length, secondaries: secondaries.length },
        access: 'read-write',
        requestedStatus: 'online'
      })
    }
    return catalogue
  }

  get (name: string): DatabaseRecord | undefined {
    return this.databases.get(name)
  }

  list (): DatabaseRecord[] {
    return [...this.databases.values()].sort((a, b) => a.name.localeCompare(b.name))
  }

  /** Databases with a copy on `member`. */
  hostedBy (member: string): DatabaseRecord[] {
    return this.list().filter((db) => db.primaries.includes(member) || db.secondaries.includes(member))
  }

  /**
   * Applies one committed command. Deterministic and total: a command that no
   * longer makes sense (e.g. a second CREATE of the same name) changes nothing,
   * so every member ends in the same state whatever it is given.
   */
  apply (command: SystemCommand, index: number): void {
    this.appliedIndex = Math.max(this.appliedIndex, index)
    const existing = this.databases.get(command.name)
    switch (command.type) {
      case 'createDatabase':
        if (existing !== undefined) return
        this.databases.set(command.name, {
          name: command.name,
          incarnation: index,
          type: 'standard',
          ...command.allocation,
          initial: command.allocation,
          topology: command.topology,
          access: 'read-write',
          requestedStatus: 'online'
        })
        return
      case 'dropDatabase':
        if (existing !== undefined && existing.type !== 'system') this.databases.delete(command.name)
        return
      case 'allocate':
        if (existing === undefined) return
        this.databases.set(command.name, { ...existing, ...command.allocation, topology: command.topology })
        return
      case 'setAccess':
        if (existing !== undefined) this.databases.set(command.name, { ...existing, access: command.access })
        return
      case 'setStatus':
        if (existing !== undefined && existing.type !== 'system') this.databases.set(command.name, { ...existing, requestedStatus: command.status })
    }
  }
}

export function roleOn (record: Allocation, member: string): 'primary' | 'secondary' | null {
  if (record.primaries.includes(member)) return 'primary'
  if (record.secondaries.includes(member)) return 'secondary'
  return null
}
