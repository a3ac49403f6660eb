// Routing tables by database (lru-cache bounds how many databases we track).
// Tables are immutable values; forgetting a member replaces the table. Tables
// expired for longer than the purge delay are dropped on each update, and the
// caller closes idle connections to members that no table mentions any more.

import { LRUCache } from 'lru-cache'
import { allAddresses, forgetServer, forgetWriter, forgetRouter, isPurgeable, type RoutingTable } from './routing-table.js'

export class TableRegistry {
  private readonly tables: LRUCache<string, RoutingTable>
  private readonly purgeDelayMs: number

  constructor (purgeDelayMs: number, maxDatabases = 1000) {
    this.purgeDelayMs = purgeDelayMs
    this.tables = new LRUCache<string, RoutingTable>({ max: maxDatabases })
  }

  get (database: string): RoutingTable | undefined {
    return this.tables.get(database)
  }

  /** Store a fresh table; returns the databases whose tables were purged. */
  set (table: RoutingTable, now: number): string[] {
    const purged: string[] = []
    for (const [database, existing] of this.tables.entries()) {
      if (database !== table.database && isPurgeable(existing, now, this.purgeDelayMs)) {
        this.tables.delete(database)
        purged.push(database)
      }
    }
    this.tables.set(table.database, table)
    return purged
  }

  delete (database: string): void {
    this.tables.delete(database)
  }

  /** Apply `change` to one database's table (or to all when database is undefined); returns the databases changed. */
  private update (database: string | undefined, change: (table: RoutingTable) => RoutingTable): string[] {
    const changed: string[] = []
    const targets = database === undefined ? [...this.tables.keys()] : [database]
    for (const db of targets) {
      const table = this.tables.peek(db)
      if (table === undefined) continue
      const next = change(table)
      if (next !== table) {
        this.tables.set(db, next, { noUpdateTTL: true })
        changed.push(db)
      }
    }
    return changed
  }

  /** A member is unreachable: no reads or writes there, in every database (it is down for all of them). */
  forgetServer (address: string, database?: string): string[] {
    return this.update(database, table => forgetServer(table, address))
  }

  forgetWriter (address: string, database: string): string[] {
    return this.update(database, table => forgetWriter(table, address))
  }

  forgetRouter (address: string, database: string): string[] {
    return this.update(database, table => forgetRouter(table, address))
  }

  /** Every member some table mentions (their pools stay). */
  knownAddresses (): Set<string> {
    const known = new Set<string>()
    for (const table of this.tables.values()) for (const address of allAddresses(table)) known.add(address)
    return known
  }

  databases (): string[] {
    return [...this.tables.keys()]
  }
}
