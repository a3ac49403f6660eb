// What sessions ask of the routing layer: a connection for a mode and a
// database, and a place to report errors so the routing view reacts to them.
// Two implementations: RoutingProvider (neo4j://) and DirectProvider (bolt://).

import type { ConnectionPools, PooledConnection } from '../connection/pools.js'
import type { AccessMode, RoutingTableSnapshot } from './routing-table.js'

export interface AcquireRequest {
  readonly mode: AccessMode
  /** null: the user's home database (resolved via ROUTE and cached per user). */
  readonly database: string | null
  /** Sent with ROUTE, so the table comes from a member that has seen them. */
  readonly bookmarks: readonly string[]
  readonly impersonatedUser: string | null
  /** ms since epoch: acquisition, including any rediscovery, gives up then. */
  readonly deadline: number
}

export interface Acquired {
  readonly connection: PooledConnection
  /** The database the connection serves (the resolved home database), null if unknown (direct mode, none named). */
  readonly database: string | null
}

export interface ConnectionProvider {
  readonly pools: ConnectionPools
  acquire: (request: AcquireRequest) => Promise<Acquired>
  /** Report an error seen on a connection to `address` while serving `database`. */
  onError: (error: unknown, address: string, database: string | null) => void
  /** The current table for a database, or for the home database once resolved (undefined when none is cached). */
  routingTable: (database?: string) => RoutingTableSnapshot | undefined
  /** ROUTE now for a database (null: the home database, resolved again) and install the answer. */
  refreshRoutingTable: (database: string | null, request: { bookmarks: readonly string[], deadline: number }) => Promise<RoutingTableSnapshot>
  /** Make sure a table (routing) or a connection (direct) can be had; resolves the home database name. */
  verify: (request: Omit<AcquireRequest, 'mode'>) => Promise<string | null>
  close: () => Promise<void>
}
