// The routing table as an immutable value: what ROUTE said, when it expires,
// and pure operations that return a new table (forget a member, forget the
// writer). Nothing here does I/O or reads the clock: `now` is passed in.

import { MAX_TIMER_MS } from '../clock.js'
import type { RouteReply } from '../connection/route-types.js'
import type { RoutingTableSnapshot } from '../events.js'

export type AccessMode = 'READ' | 'WRITE'

/**
 * The table key of a server's only, unnamed database: what a server that
 * names no database in its answer (Bolt 3.0–4.3, the routing procedure)
 * serves. Work against it names no database.
 */
export const DEFAULT_DATABASE = ''

export interface RoutingTable {
  /** The database the table is for (the resolved home database when ROUTE named none; DEFAULT_DATABASE when the server names none). */
  readonly database: string
  readonly routers: readonly string[]
  readonly readers: readonly string[]
  readonly writers: readonly string[]
  /** TTL as the server sent it, in seconds. */
  readonly ttlSeconds: number
  /** ms since the epoch. */
  readonly expiresAt: number
  /** ms since the epoch, when ROUTE answered. */
  readonly createdAt: number
}

export type { RoutingTableSnapshot }

export type { RouteReply }

export class RoutingTableError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'RoutingTableError'
  }
}

// A TTL this long (about 68 years: the same int32 bound as setTimeout's, in
// seconds) is "forever"; clamp so expiresAt stays a safe integer.
const MAX_TTL_SECONDS = MAX_TIMER_MS

/**
 * Build a table from a ROUTE reply. Like the official drivers, a reply without
 * routers or readers is unusable (a protocol error); an empty writer list is
 * normal during an election.
 */
export function fromRouteReply (reply: RouteReply, requestedDatabase: string | null, now: number): RoutingTable {
  const routers: string[] = []
  const readers: string[] = []
  const writers: string[] = []
  for (const server of reply.servers) {
    const target = server.role === 'ROUTE' ? routers : server.role === 'READ' ? readers : server.role === 'WRITE' ? writers : undefined
    if (target === undefined) continue // unknown roles are ignored, as the official drivers do
    for (const address of server.addresses) if (!target.includes(address)) target.push(address)
  }
  const database = reply.db ?? requestedDatabase ?? DEFAULT_DATABASE
  if (routers.length === 0) throw new RoutingTableError(`ROUTE reply for '${database}' lists no routers`)
  if (readers.length === 0) throw new RoutingTableError(`ROUTE reply for '${database}' lists no readers`)
  if (!Number.isFinite(reply.ttl) || reply.ttl < 0) throw new RoutingTableError(`ROUTE reply for '${database}' has an invalid ttl ${reply.ttl}`)
  const ttlSeconds = Math.min(reply.ttl, MAX_TTL_SECONDS)
  return { database, routers, readers, writers, ttlSeconds, createdAt: now, expiresAt: now + ttlSeconds * 1000 }
}

export function isExpired (table: RoutingTable, now: number): boolean {
  return now >= table.expiresAt
}

/** Stale for a mode: expired, or no routers, or no member to serve the mode. */
export function isStaleFor (table: RoutingTable, mode: AccessMode, now: number): boolean {
  return isExpired(table, now) || table.routers.length === 0 ||
    (mode === 'READ' ? table.readers.length === 0 : table.writers.length === 0)
}

/** Expired for longer than the purge delay: drop it from the registry. */
export function isPurgeable (table: RoutingTable, now: number, purgeDelayMs: number): boolean {
  return now >= table.expiresAt + purgeDelayMs
}

function without (list: readonly string[], address: string): readonly string[] {
  return list.includes(address) ? list.filter(a => a !== address) : list
}

/** The member is unreachable or has no usable copy: stop reading from or writing to it. */
export function forgetServer (table: RoutingTable, address: string): RoutingTable {
  const readers = without(table.readers, address)
  const writers = without(table.writers, address)
  if (readers === table.readers && writers === table.writers) return table
  return { ...table, readers, writers }
}

/** The member answered a routing request badly or not at all. */
export function forgetRouter (table: RoutingTable, address: string): RoutingTable {
  const routers = without(table.routers, address)
  return routers === table.routers ? table : { ...table, routers }
}

/** The member is no longer the leader (NotALeader / ForbiddenOnReadOnlyDatabase). */
export function forgetWriter (table: RoutingTable, address: string): RoutingTable {
  const writers = without(table.writers, address)
  return writers === table.writers ? table : { ...table, writers }
}

export function servesMode (table: RoutingTable, mode: AccessMode): readonly string[] {
  return mode === 'READ' ? table.readers : table.writers
}

/** Every address the table mentions, each once. */
export function allAddresses (table: RoutingTable): string[] {
  return [...new Set([...table.routers, ...table.readers, ...table.writers])]
}

export function snapshot (table: RoutingTable): RoutingTableSnapshot {
  return {
    database: table.database,
    ttl: table.ttlSeconds,
    expiresAt: table.expiresAt,
    routers: [...table.routers],
    readers: [...table.readers],
    writers: [...table.writers]
  }
}

export function describeTable (table: RoutingTable): string {
  return `database=${table.database} ttl=${table.ttlSeconds}s writers=[${table.writers.join(', ')}] ` +
    `readers=[${table.readers.join(', ')}] routers=[${table.routers.join(', ')}]`
}
