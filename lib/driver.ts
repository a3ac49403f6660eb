// The Driver: validated config, one connection provider (routing or direct),
// sessions, executeQuery with its own bookmark manager, introspection
// (routingTable, pool stats, server info) and close.

import { auth as coreAuth, resultTransformers, ServerInfo, type EagerResult, type Result } from 'neo4j-driver-core'
import { bookmarkManager, type BookmarkManager } from './bookmarks/bookmark-manager.js'
import { resolveConfig, validateAuthToken, type Config, type ResolvedConfig } from './config.js'
import { ConnectionPools } from './connection/pools.js'
import { ConfigurationError, neo4jError, DRIVER_CLOSED } from './errors.js'
import { createLog, type Log } from './log.js'
import { DirectProvider } from './routing/direct-provider.js'
import type { ConnectionProvider } from './routing/provider.js'
import { RoutingProvider } from './routing/routing-provider.js'
import type { RoutingTableSnapshot } from './routing/routing-table.js'
import type { Query } from './session/query.js'
import { Session } from './session/session.js'
import { resolveSessionConfig, type SessionConfig, type TransactionConfig } from './session/session-config.js'
import { describe } from './url.js'
import type { PoolStats } from './connection/member-pool.js'

export type RoutingControl = 'READ' | 'WRITE'

export interface QueryConfig<T = EagerResult> {
  /** Default 'WRITE' (like the official driver). */
  routing?: RoutingControl
  database?: string
  impersonatedUser?: string
  /** Default: the driver's executeQueryBookmarkManager; null: no causal chaining. */
  bookmarkManager?: BookmarkManager | null
  resultTransformer?: (result: Result) => Promise<T>
  transactionConfig?: TransactionConfig
}

const QUERY_CONFIG_KEYS = ['routing', 'database', 'impersonatedUser', 'bookmarkManager', 'resultTransformer', 'transactionConfig']

export interface AuthToken { scheme: string, principal?: string, credentials?: string, realm?: string, parameters?: Record<string, unknown> }

export class Driver {
  /** Shared by every executeQuery call that does not pass its own, so one-liner writes are visible to the next one-liner read. */
  readonly executeQueryBookmarkManager: BookmarkManager = bookmarkManager()
  private readonly config: ResolvedConfig
  private readonly provider: ConnectionProvider
  private readonly log: Log
  private closed = false

  constructor (url: string, authToken: AuthToken | undefined, userConfig: Config = {}) {
    this.config = resolveConfig(url, userConfig)
    validateAuthToken(authToken)
    const token: AuthToken = authToken ?? coreAuth.none()
    this.log = createLog(this.config.logging)
    const c = this.config
    const pools = new ConnectionPools({
      connect: {
        encrypted: c.encrypted,
        trust: c.trust,
        trustedCertificates: c.trustedCertificates,
        connectionTimeout: c.connectionTimeout,
        disableLosslessIntegers: c.disableLosslessIntegers,
        useBigInt: c.useBigInt,
        notificationFilter: c.notificationFilter,
        routingContext: c.url.routing ? { ...c.url.routingContext, address: c.url.hostPort } : null,
        userAgent: c.userAgent,
        authToken: token,
        receiveTimeout: c.receiveTimeout
      },
      maxSize: c.maxConnectionPoolSize,
      maxLifetime: c.maxConnectionLifetime,
      livenessCheckTimeout: c.connectionLivenessCheckTimeout,
      idleTimeout: c.connectionIdleTimeout,
      unresponsiveProbeAfter: c.unresponsiveProbeAfter,
      clock: c.clock,
      log: this.log.pool
    })
    const now = (): number => c.clock.now()
    this.provider = c.url.routing
      ? new RoutingProvider({
        pools,
        seed: c.url.hostPort,
        routingContext: c.url.routingContext,
        resolver: c.resolver,
        purgeDelayMs: c.routingTablePurgeDelay,
        routeTimeoutMs: c.connectionTimeout,
        principal: typeof token.principal === 'string' ? token.principal : undefined,
        log: this.log,
        now
      })
      : new DirectProvider({ pools, address: c.url.hostPort })
    this.log.driver(`created for ${c.url.scheme}://${c.url.hostPort} (routing ${c.url.routing ? 'on' : 'off'}, encrypted ${String(c.encrypted)})`)
  }

  session (config?: SessionConfig): Session {
    this.assertOpen()
    const resolved = resolveSessionConfig(config)
    const session: Session = new Session({
      provider: this.provider,
      fetchSize: this.config.fetchSize,
      acquisitionTimeout: this.config.connectionAcquisitionTimeout,
      retryPolicy: {
        budgetMs: this.config.maxTransactionRetryTime,
        initialDelayMs: this.config.retry.initialDelay,
        multiplier: this.config.retry.multiplier,
        maxDelayMs: this.config.retry.maxDelay,
        jitter: this.config.retry.jitter
      },
      notificationFilter: this.config.notificationFilter,
      log: this.log,
      now: () => this.config.clock.now()
    }, resolved)
    return session
  }

  /** One query in a managed transaction with retries; returns an EagerResult unless a resultTransformer says otherwise. */
  async executeQuery<T = EagerResult> (query: Query, parameters?: Record<string, unknown>, config: QueryConfig<T> = {}): Promise<T> {
    this.assertOpen()
    if (config === null || typeof config !== 'object') throw new ConfigurationError('executeQuery', `executeQuery config must be an object, got ${describe(config)}`)
    for (const key of Object.keys(config)) {
      if (key === 'auth' || key === 'signal') throw new ConfigurationError(key, `executeQuery option '${key}' is not supported yet`)
      if (!QUERY_CONFIG_KEYS.includes(key)) throw new ConfigurationError(key, `unknown executeQuery option '${key}' (options: ${QUERY_CONFIG_KEYS.join(', ')})`)
    }
    const routing = config.routing ?? 'WRITE'
    if (routing !== 'READ' && routing !== 'WRITE') throw new ConfigurationError('routing', `'routing' must be 'READ' or 'WRITE' (neo4j.routing.READ / WRITE), got ${describe(routing)}`)
    if (config.resultTransformer !== undefined && typeof config.resultTransformer !== 'function') {
      throw new ConfigurationError('resultTransformer', "'resultTransformer' must be a function (result) => Promise<T>, e.g. neo4j.resultTransformers.eager()")
    }
    const transformer = (config.resultTransformer ?? resultTransformers.eager()) as (result: Result) => Promise<T>
    const manager = config.bookmarkManager === null ? undefined : (config.bookmarkManager ?? this.executeQueryBookmarkManager)
    const session = this.session({
      defaultAccessMode: routing,
      database: config.database,
      impersonatedUser: config.impersonatedUser,
      bookmarkManager: manager
    })
    try {
      const work = async (tx: { run: (q: Query, p?: Record<string, unknown>) => Result }): Promise<T> => await transformer(tx.run(query, parameters))
      return await session.executeQueryTransaction(routing, work, config.transactionConfig)
    } finally {
      await session.close()
    }
  }

  /**
   * The cached routing table for a database; without one, the home database's
   * (its name is the snapshot's `database`) once a session that named no
   * database, or `refreshRoutingTable()`, resolved it. Undefined before the
   * first use, and for bolt:// drivers.
   */
  routingTable (database?: string): RoutingTableSnapshot | undefined {
    if (database !== undefined) checkDatabaseName(database)
    return this.provider.routingTable(database)
  }

  /**
   * Asks a router for the table now (no database: the home database, resolved
   * again) and returns the new snapshot. `bookmarks` go with ROUTE, so the
   * answer comes from a member that has seen them. Throws what discovery threw
   * (DiscoveryError) when no router answers; bolt:// drivers have no table.
   */
  async refreshRoutingTable (database?: string, options: { bookmarks?: string[] } = {}): Promise<RoutingTableSnapshot> {
    this.assertOpen()
    if (database !== undefined) checkDatabaseName(database)
    if (options === null || typeof options !== 'object') throw new ConfigurationError('options', `refreshRoutingTable options must be an object, got ${describe(options)}`)
    for (const key of Object.keys(options)) {
      if (key !== 'bookmarks') throw new ConfigurationError(key, `unknown refreshRoutingTable option '${key}' (options: bookmarks)`)
    }
    const bookmarks = options.bookmarks ?? []
    if (!Array.isArray(bookmarks) || !bookmarks.every(b => typeof b === 'string')) {
      throw new ConfigurationError('bookmarks', `'bookmarks' must be an array of strings, got ${describe(bookmarks)}`)
    }
    return await this.provider.refreshRoutingTable(database ?? null, { bookmarks, deadline: this.config.clock.now() + this.config.connectionAcquisitionTimeout })
  }

  /** Connections per member: `inUse` is 0 everywhere once all sessions are closed and results consumed. */
  poolStats (): { inUse: number, idle: number, opening: number, waiting: number, members: PoolStats[] } {
    return { ...this.provider.pools.totals(), members: this.provider.pools.stats() }
  }

  /** Fetches a routing table (neo4j://) or opens a connection (bolt://); throws the reason when it cannot. */
  async verifyConnectivity (config: { database?: string } = {}): Promise<ServerInfo> {
    return await this.getServerInfo(config)
  }

  async getServerInfo (config: { database?: string } = {}): Promise<ServerInfo> {
    this.assertOpen()
    if (config.database !== undefined) checkDatabaseName(config.database)
    const deadline = this.config.clock.now() + this.config.connectionAcquisitionTimeout
    const member = await this.provider.serverInfo({ database: config.database ?? null, deadline })
    return new ServerInfo({ address: member.address, version: member.agent }, member.protocolVersion)
  }

  async supportsMultiDb (): Promise<boolean> { return true }
  async supportsTransactionConfig (): Promise<boolean> { return true }
  async supportsUserImpersonation (): Promise<boolean> { return true }

  isEncrypted (): boolean {
    return this.config.encrypted
  }

  /**
   * Closes idle connections now and every other one as soon as its session
   * gives it back; new sessions fail. Idempotent.
   */
  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.provider.close()
    this.log.driver('closed')
  }

  async [Symbol.asyncDispose] (): Promise<void> {
    await this.close()
  }

  private assertOpen (): void {
    if (this.closed) throw neo4jError('This driver has been closed; create a new one with driver(url, auth, config).', DRIVER_CLOSED)
  }
}

function checkDatabaseName (database: unknown): void {
  if (typeof database !== 'string' || database === '') throw new ConfigurationError('database', `'database' must be a non-empty string, got ${describe(database)}`)
}

export function driver (url: string, authToken?: AuthToken, config?: Config): Driver {
  return new Driver(url, authToken, config)
}
