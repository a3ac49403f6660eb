// The contract between a member's Bolt server (bolt/) and the cluster member
// behind it (cluster layer). The Bolt layer owns bytes, framing, PackStream and
// the per-connection state machine; the backend owns authentication, routing,
// databases, transactions and bookmarks. Every method may throw FixtureError;
// the Bolt layer reports it as a FAILURE (and closes the connection when the
// error is `fatal`).

import type { CypherMap, CypherValue } from '../values.js'

export interface AuthRequest {
  scheme: string
  principal?: string
  credentials?: string
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
}

export interface BackendTransaction {
  /** The resolved database name, reported as `db` in SUCCESS metadata. */
  readonly database: string
  run: (query: string, params: CypherMap) => Promise<QueryResult>
  /** Resolves once the transaction is durable (committed by a majority for writes). */
  commit: () => Promise<{ bookmark: string }>
  /** Idempotent; also used when a connection closes or is RESET with an open transaction. */
  rollback: () => Promise<void>
}

export interface MemberBackend {
  /** `server` in HELLO SUCCESS, e.g. "Neo4j/5.26.0". */
  readonly serverAgent: string
  /** This member's advertised 'host:port'. */
  readonly address: string
  /** Returns the authenticated principal; throws FixtureError('Unauthorized', …, { fatal: true }). */
  authenticate: (auth: AuthRequest) => string
  route: (request: RouteRequest) => Promise<RoutingTableReply>
  beginTransaction: (request: TxRequest) => Promise<BackendTransaction>
}
