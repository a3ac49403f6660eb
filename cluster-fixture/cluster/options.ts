// Options of startCluster: defaults, and validation that names the bad key.

import { createSecureContext } from 'node:tls'

/** PEM key and certificate every member serves TLS with. */
export interface ClusterTlsOptions {
  key: string | Buffer
  cert: string | Buffer
  /**
   * Mutual TLS: members ask every client for a certificate and refuse the
   * TLS handshake of one without a certificate signed by this CA (PEM), as a
   * Neo4j with `client_auth=REQUIRE` does. Default: no client certificate asked for.
   */
  clientCa?: string | Buffer
}

export interface ClusterOptions {
  /** PRIMARY-mode members (Raft voters), default 3. */
  primaries?: number
  /** SECONDARY-mode members (read-only, asynchronous), default 2. */
  secondaries?: number
  /** Port of server1; serverN gets basePort + N - 1. 0 (default) = free ports chosen by the OS. */
  basePort?: number
  auth?: { user: string, password: string }
  /** More users who may log on (basic scheme), beside `auth`'s; default none. */
  users?: Array<{ user: string, password: string }>
  /** TTL of ROUTE answers in seconds, default 300 (Neo4j's default). */
  routingTtlSeconds?: number
  /** Randomized Raft election timeout window in ms, default [300, 600]. Neo4j uses longer ones. */
  electionTimeoutMs?: [number, number]
  /** Raft heartbeat interval in ms, default 100 (discovery pings every member as often). */
  heartbeatMs?: number
  /**
   * A member not heard from for this long (ms) leaves the READ and ROUTE lists of the
   * ROUTE answers of the members that stopped hearing it; default: the election timeout's upper bound.
   */
  failureDetectionMs?: number
  /** Replication lag of every secondary in ms, default 0 (change per member with setLag). */
  secondaryLagMs?: number
  /** How long BEGIN / auto-commit RUN / ROUTE wait for their bookmarks, default 30 000 ms. */
  bookmarkWaitTimeoutMs?: number
  /** How long a write waits for the database's write lock, default 10 000 ms, then LockAcquisitionTimeout. */
  lockWaitTimeoutMs?: number
  /** Longest a COMMIT waits for a majority before the leader steps down and reports an unknown outcome, default 10 000 ms. */
  commitTimeoutMs?: number
  /** Primaries of a CREATE DATABASE without TOPOLOGY, default 3 (capped by the PRIMARY members). */
  defaultPrimaries?: number
  /** Secondaries of a CREATE DATABASE without TOPOLOGY, default 0 (as in Neo4j). */
  defaultSecondaries?: number
  /** How long a member hosting a copy may stay stopped before the copy moves elsewhere, default 30 000 ms. */
  reallocationGraceMs?: number
  /** Also list the leader among READ servers in ROUTE answers, default false. */
  readsOnLeader?: boolean
  /** `server` in HELLO SUCCESS, default "Neo4j/5.26.0". */
  serverAgent?: string
  /** Seed of the election-timeout randomness; default: random. */
  seed?: number
  /** The first primary campaigns at once when a database group starts (faster start), default true. */
  fastFirstElection?: boolean
  /**
   * Serve every member over TLS with this PEM key and certificate, default null (plain TCP).
   * Routing tables keep listing plain host:port; clients pick neo4j+s:// or neo4j+ssc://.
   */
  tls?: ClusterTlsOptions | null
  /**
   * Answer a client's Manifest v1 handshake request with the manifest (Bolt 5.7+ clients ask for it),
   * default true, as Neo4j 5.26 does; false: the legacy 4-byte reply to every client.
   */
  manifest?: boolean
  /**
   * Let requests that a real server refuses through (a Float tx_timeout, a RUN inside BEGIN that
   * repeats the transaction's settings, COMMIT with a result still open…), for experiments.
   * Default false: refused as Neo4j refuses them. Either way each breach is counted in
   * `cluster.server(name).stats().breaches`.
   */
  lenient?: boolean
  /**
   * Server-side routing, default true (Neo4j 5's dbms.routing.enabled default): members advertise
   * `ssr.enabled` (Bolt 5.8) and run a transaction they cannot run themselves on the member that can
   * (a write begun on a follower goes to the leader), for connections that sent a routing context
   * (neo4j://). false: members answer NotALeader instead, for tests of client-side routing.
   */
  serverSideRouting?: boolean
  /**
   * While a request is in progress, a NOOP goes out after this long without output (Neo4j's
   * server.bolt.connection_keep_alive, default 60 000 ms); HELLO's `connection.recv_timeout_seconds`
   * hint is twice it, in seconds (× Neo4j's 2 probes). 0: no NOOPs and no hint.
   */
  keepAliveMs?: number
}

export type ResolvedClusterOptions = Required<ClusterOptions>

/** Defaults; `seed` is random and `failureDetectionMs` follows `electionTimeoutMs[1]`. */
export const DEFAULT_OPTIONS: Omit<ResolvedClusterOptions, 'seed' | 'failureDetectionMs'> = {
  primaries: 3,
  secondaries: 2,
  basePort: 0,
  auth: { user: 'neo4j', password: 'password123' },
  users: [],
  routingTtlSeconds: 300,
  electionTimeoutMs: [300, 600],
  heartbeatMs: 100,
  secondaryLagMs: 0,
  bookmarkWaitTimeoutMs: 30_000,
  lockWaitTimeoutMs: 10_000,
  commitTimeoutMs: 10_000,
  defaultPrimaries: 3,
  defaultSecondaries: 0,
  reallocationGraceMs: 30_000,
  readsOnLeader: false,
  serverAgent: 'Neo4j/5.26.0',
  fastFirstElection: true,
  tls: null,
  manifest: true,
  lenient: false,
  serverSideRouting: true,
  keepAliveMs: 60_000
}

export class ClusterOptionsError extends TypeError {
  constructor (key: string, problem: string) {
    super(`startCluster option ${key}: ${problem}`)
    this.name = 'ClusterOptionsError'
  }
}

const KNOWN_KEYS = new Set([...Object.keys(DEFAULT_OPTIONS), 'seed', 'failureDetectionMs'])

export function resolveOptions (options: ClusterOptions = {}): ResolvedClusterOptions {
  if (options === null || typeof options !== 'object') throw new ClusterOptionsError('(options)', 'must be an object')
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.has(key)) throw new ClusterOptionsError(key, `unknown option; known options are ${[...KNOWN_KEYS].join(', ')}`)
  }
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined))
  const resolved: ResolvedClusterOptions = {
    ...DEFAULT_OPTIONS,
    seed: Math.floor(Math.random() * 2 ** 31),
    failureDetectionMs: 0,
    ...defined
  }
  integer('primaries', resolved.primaries, 1, 9)
  integer('secondaries', resolved.secondaries, 0, 9)
  integer('basePort', resolved.basePort, 0, 65535)
  if (resolved.basePort !== 0 && resolved.basePort + resolved.primaries + resolved.secondaries - 1 > 65535) {
    throw new ClusterOptionsError('basePort', 'leaves no room for every member\'s port below 65536')
  }
  const auth = resolved.auth
  if (auth === null || typeof auth !== 'object' || typeof auth.user !== 'string' || typeof auth.password !== 'string' || auth.user === '') {
    throw new ClusterOptionsError('auth', 'must be { user: string, password: string } with a non-empty user')
  }
  const users = resolved.users
  if (!Array.isArray(users) || !users.every(u => u !== null && typeof u === 'object' && typeof u.user === 'string' && u.user !== '' && typeof u.password === 'string')) {
    throw new ClusterOptionsError('users', 'must be an array of { user: string, password: string } with non-empty users')
  }
  if (users.some(u => u.user === auth.user) || new Set(users.map(u => u.user)).size !== users.length) {
    throw new ClusterOptionsError('users', 'names each user once, and not the auth option\'s user')
  }
  integer('routingTtlSeconds', resolved.routingTtlSeconds, 1, 86_400)
  const window = resolved.electionTimeoutMs
  if (!Array.isArray(window) || window.length !== 2 || !window.every((n) => Number.isFinite(n)) || window[0] < 10 || window[1] < window[0]) {
    throw new ClusterOptionsError('electionTimeoutMs', 'must be [min, max] in ms with 10 <= min <= max')
  }
  integer('heartbeatMs', resolved.heartbeatMs, 1, 60_000)
  if (resolved.heartbeatMs >= window[0]) {
    throw new ClusterOptionsError('heartbeatMs', `must be below the minimum election timeout (${window[0]} ms)`)
  }
  if (defined.failureDetectionMs === undefined) resolved.failureDetectionMs = Math.ceil(window[1])
  integer('failureDetectionMs', resolved.failureDetectionMs, 1, 3_600_000)
  if (resolved.failureDetectionMs <= resolved.heartbeatMs) {
    throw new ClusterOptionsError('failureDetectionMs', `must be above heartbeatMs (${resolved.heartbeatMs} ms): members are heard from once per heartbeat`)
  }
  integer('secondaryLagMs', resolved.secondaryLagMs, 0, 3_600_000)
  integer('bookmarkWaitTimeoutMs', resolved.bookmarkWaitTimeoutMs, 0, 3_600_000)
  integer('lockWaitTimeoutMs', resolved.lockWaitTimeoutMs, 0, 3_600_000)
  integer('commitTimeoutMs', resolved.commitTimeoutMs, 1, 3_600_000)
  integer('defaultPrimaries', resolved.defaultPrimaries, 1, 9)
  integer('defaultSecondaries', resolved.defaultSecondaries, 0, 9)
  integer('reallocationGraceMs', resolved.reallocationGraceMs, 0, 86_400_000)
  integer('seed', resolved.seed, 0, 2 ** 32)
  if (typeof resolved.readsOnLeader !== 'boolean') throw new ClusterOptionsError('readsOnLeader', 'must be a boolean')
  if (typeof resolved.manifest !== 'boolean') throw new ClusterOptionsError('manifest', 'must be a boolean')
  if (typeof resolved.lenient !== 'boolean') throw new ClusterOptionsError('lenient', 'must be a boolean')
  if (typeof resolved.serverSideRouting !== 'boolean') throw new ClusterOptionsError('serverSideRouting', 'must be a boolean')
  integer('keepAliveMs', resolved.keepAliveMs, 0, 3_600_000)
  if (typeof resolved.fastFirstElection !== 'boolean') throw new ClusterOptionsError('fastFirstElection', 'must be a boolean')
  if (typeof resolved.serverAgent !== 'string' || !/^Neo4j\/\d/.test(resolved.serverAgent)) {
    throw new ClusterOptionsError('serverAgent', 'must look like "Neo4j/5.26.0"')
  }
  resolved.tls = tlsOption(resolved.tls)
  return resolved
}

/** Checks the pair at start, so a bad PEM fails here naming the option, not later in a member's listen. */
function tlsOption (value: unknown): ClusterTlsOptions | null {
  if (value === null) return null
  const pem = (part: unknown): part is string | Buffer => (typeof part === 'string' || Buffer.isBuffer(part)) && part.length > 0
  if (typeof value !== 'object' || !pem((value as ClusterTlsOptions).key) || !pem((value as ClusterTlsOptions).cert)) {
    throw new ClusterOptionsError('tls', 'must be null or { key, cert } with PEM strings or Buffers')
  }
  const { key, cert, clientCa } = value as ClusterTlsOptions
  if (clientCa !== undefined && !pem(clientCa)) throw new ClusterOptionsError('tls.clientCa', 'must be a PEM string or Buffer (the CA that signs client certificates)')
  try {
    createSecureContext({ key, cert, ...(clientCa !== undefined ? { ca: clientCa } : {}) })
  } catch (error) {
    throw new ClusterOptionsError('tls', `the key and certificate are not a usable PEM pair: ${(error as Error).message}`)
  }
  return clientCa === undefined ? { key, cert } : { key, cert, clientCa }
}

function integer (key: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ClusterOptionsError(key, `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`)
  }
}
