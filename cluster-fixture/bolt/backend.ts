// The contract between a member's Bolt server (bolt/) and the cluster member
// behind it (cluster layer). The Bolt layer owns bytes, framing, PackStream and
// the per-connection state machine; the backend owns authentication, routing,
// databases, transactions and bookmarks. Every method may throw FixtureError;
// the Bolt layer reports it as a FAILURE (and closes the connection when the
// error is `fatal`).
//
// Every call that may wait (for a bookmark, the write lock, a commit's
// majority) takes the Interruption of its Bolt request: a RESET interrupts
// it, and the wait should end at once (Neo4j stops the running unit of work).
// The Bolt layer answers at once anyway; the interruption lets the backend
// clean up (leave the lock's queue, drop its bookmark waiter).

import type { FixtureError } from '../errors.js'
import type { CypherMap, CypherValue } from '../values.js'

/**
 * A RESET's interruption of the Bolt request a backend call serves. Not an
 * AbortSignal: one of those costs microseconds per request, and most requests
 * never wait.
 */
export interface Interruption {
  readonly interrupted: boolean
  /** Calls `listener` once when the request is interrupted (at once if it already is); returns the unsubscribe. */
  onInterrupt: (listener: () => void) => () => void
}

export interface AuthRequest {
  scheme: string
  principal?: string
  credentials?: string
}

/**
 * A successful logon: the principal, and a check run before each later
 * request of the connection (until LOGOFF), which throws when the logon no
 * longer holds (TokenExpired, AuthorizationExpired).
 */
export interface LoggedOn {
  user: string
  check?: () => void
}

export type RouteRole = 'WRITE' | 'READ' | 'ROUTE'

export interface RoutingTableReply {
  ttlSeconds: number
  /** The resolved database name (the home database when the request named none). */
  db: string
  servers: Array<{ role: RouteRole, addresses: string[] }>
}

export interface RouteRequest {
  /** The routing context of the ROUTE message (from the client's URL, plus `address`). */
  routing: CypherMap
  bookmarks: string[]
  database: string | null
  impersonatedUser: string | null
  /** Principal authenticated on this connection. */
  user: string
}

export type AccessMode = 'READ' | 'WRITE'

export interface TxRequest {
  /** null: the user's home database. */
  database: string | null
  mode: AccessMode
  bookmarks: string[]
  txTimeoutMs: number | null
  metadata: CypherMap
  impersonatedUser: string | null
  user: string
  /** true for an auto-commit RUN (the Bolt layer commits it after the last PULL/DISCARD). */
  autoCommit: boolean
  /**
   * The routing context the client sent in HELLO, null for none (`bolt://`).
   * Neo4j routes a transaction to another member (server-side routing) only
   * for connections that sent one ("Setting routing to null indicates that
   * the server should not carry out any routing", docs-bolt HELLO).
   */
  routingContext: CypherMap | null
}

/** Keys as Bolt's `stats` map spells them: nodes-created, properties-set, contains-updates, … (only non-zero ones are sent). */
export type QueryStats = Record<string, number | boolean>

export interface QueryResult {
  keys: string[]
  /** Fully materialized rows; the Bolt layer streams them in PULL batches of `n`. */
  rows: CypherValue[][]
  /** Bolt query type: read, write, read-write, schema. */
  queryType: 'r' | 'w' | 'rw' | 's'
  stats: QueryStats
  /**
   * The query failed while producing its rows: `rows` are those before the
   * failing one. Neo4j streams them and fails at the PULL (or DISCARD) that
   * reaches the failing row, not at RUN.
   */
  failure?: FixtureError
}

export interface BackendTransaction {
  /** The resolved database name, reported as `db` in SUCCESS metadata. */
  readonly database: string
  run: (query: string, params: CypherMap, interruption?: Interruption) => Promise<QueryResult>
  /** Resolves once the transaction is durable (committed by a majority for writes). */
  commit: (interruption?: Interruption) => Promise<{ bookmark: string }>
  /** Idempotent; also used when a connection closes or is RESET with an open transaction. */
  rollback: () => Promise<void>
}

export interface MemberBackend {
  /** `server` in HELLO SUCCESS, e.g. "Neo4j/5.26.0". */
  readonly serverAgent: string
  /** This member's advertised 'host:port'. */
  readonly address: string
  /** Returns the authenticated principal (and a check for later requests); throws FixtureError('Unauthorized', …, { fatal: true }). */
  authenticate: (auth: AuthRequest) => string | LoggedOn
  route: (request: RouteRequest, interruption?: Interruption) => Promise<RoutingTableReply>
  beginTransaction: (request: TxRequest, interruption?: Interruption) => Promise<BackendTransaction>
}
