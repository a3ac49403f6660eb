// What sessions ask of the routing layer: a connection for a mode and a
// database, and a place to report errors so the routing view reacts to them.
// Two implementations: RoutingProvider (neo4j://) and DirectProvider (bolt://).

import type { ProtocolVersion } from 'neo4j-driver-core'
import type { AuthToken } from '../auth/auth.js'
import type { MemberConnection, MemberConnections } from './member-connections.js'
import type { AccessMode, RoutingTableSnapshot } from './routing-table.js'

/** The bookmarks a request would carry, computed when needed. */
export type BookmarkSource = () => Promise<readonly string[]>

/** No bookmarks. */
export const NO_BOOKMARKS: BookmarkSource = async () => []

export interface AcquireRequest {
  readonly mode: AccessMode
  /** null: the user's home database (resolved via ROUTE and cached per user). */
  readonly database: string | null
  /**
   * Sent with ROUTE, so the table comes from a member that has seen them.
   * Asked for only when a ROUTE is sent (a bookmark manager's supplier is
   * called for it, as the official drivers do, and again for BEGIN).
   */
  readonly bookmarks: BookmarkSource
  readonly impersonatedUser: string | null
  /** The session's own token (per-session auth): its connections, ROUTE included, log on as it. */
  readonly auth?: AuthToken
  /** ms since epoch: acquisition, including any rediscovery, gives up then. */
  readonly deadline: number
  /**
   * A retry loop polling for a writer (a later attempt of a transaction
   * function): may be answered from a routing answer without a writer that is
   * a few ms old instead of a ROUTE of its own. A first attempt always asks.
   */
  readonly retrying?: boolean
}

export interface Acquired<C extends MemberConnection> {
  readonly connection: C
  /** The database the connection serves (the resolved home database), null if unknown (direct mode, none named). */
  readonly database: string | null
}

/** `C`: the connections it hands out (the driver's: lib/connection's PooledConnection). */
export interface ConnectionProvider<C extends MemberConnection> {
  acquire: (request: AcquireRequest) => Promise<Acquired<C>>
  /** Report an error seen on a connection to `address` while serving `database`. */
  onError: (error: unknown, address: string, database: string | null) => void
  /** The current table for a database, or for the home database once resolved (undefined when none is cached). */
  routingTable: (database?: string) => RoutingTableSnapshot | undefined
  /** ROUTE now for a database (null: the home database, resolved again) and install the answer. */
  refreshRoutingTable: (database: string | null, request: { bookmarks: readonly string[], deadline: number }) => Promise<RoutingTableSnapshot>
  /**
   * Reach a member that serves reads and describe it (verifyConnectivity,
   * getServerInfo): direct, the one member; routing, each reader of a fresh
   * table in turn (no database: the home database, resolved again).
   */
  serverInfo: (request: { readonly database: string | null, readonly deadline: number }) => Promise<MemberInfo>
  /**
   * verifyAuthentication: log on as `auth` (undefined: the driver's token) on
   * a reader of `database` (routing: found with a ROUTE sent as that user)
   * and wait for the answer. Throws the server's error.
   */
  verifyAuthentication: (request: { readonly database: string, readonly auth: AuthToken | undefined, readonly deadline: number }) => Promise<void>
  close: () => Promise<void>
}

/** What getServerInfo reports of a member. */
export interface MemberInfo {
  readonly address: string
  readonly agent: string | undefined
  readonly protocolVersion: ProtocolVersion
}

/**
 * Connect to a member (a pooled connection when one is idle) and describe it.
 * A reused connection proves itself with a RESET round trip; a new one just
 * did, by logging on.
 */
export async function checkMember (pools: MemberConnections, address: string, deadline: number): Promise<MemberInfo> {
  const connection = await pools.acquire(address, deadline)
  try {
    const info = { address: connection.server.address, agent: connection.serverAgent, protocolVersion: connection.getProtocolVersion() }
    if (!connection.justAuthenticated()) await connection.resetAndFlush()
    return info
  } finally {
    await connection.release()
  }
}
