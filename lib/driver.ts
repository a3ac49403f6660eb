// The Driver: validated config, one connection provider (routing or direct),
// sessions (promise and reactive), executeQuery with its own bookmark
// manager, introspection (routingTable, pool stats, server info, negotiated
// protocol) and close.

import { auth as coreAuth, ProtocolVersion, ServerInfo, type AuthTokenManager, type EagerResult, type Rules, type types } from 'neo4j-driver-core'
import { bookmarkManager, type BookmarkManager } from './bookmarks/bookmark-manager.js'
import { resolveConfig, type Config, type ResolvedConfig } from './config.js'
import { staticPrincipal, toAuthTokenManager } from './auth/auth.js'
import { ClientCertificateSource } from './connection/client-certificate.js'
import { ConnectionPools } from './connection/connection-pools.js'
import type { PooledConnection } from './connection/pooled-connection.js'
import { ConfigurationError, neo4jError, DRIVER_CLOSED } from './errors.js'
import { createLog, type Log } from './log.js'
import { DirectProvider } from './routing/direct-provider.js'
import type { MemberEvents } from './routing/member-connections.js'
import type { ConnectionProvider } from './routing/provider.js'
import { RoutingProvider } from './routing/routing-provider.js'
import type { RoutingTableSnapshot } from './routing/routing-table.js'
import type { Query } from './session/query.js'
import { resolveQueryConfig, type QueryConfig } from './session/query-config.js'
import { RxSession } from './session/rx-session.js'
import { Session } from './session/session.js'
import type { ManagedTransaction } from './session/transaction.js'
import { resolveSessionConfig, type SessionConfig } from './session/session-config.js'
import { warnOnce } from './unknown-options.js'
import { describe } from './url.js'
import { checkAuthOption, checkDatabaseName, validateAuthToken } from './validation.js'
import type { PoolStats } from './connection/member-pool.js'

/** The official driver's auth token type (core's): `credentials` is a string. */
export type AuthToken = types.AuthToken

/** What auth.none() builds: no credentials at all. */
export type NoAuthToken = ReturnType<typeof coreAuth.none>

export class Driver {
  /** Shared by every executeQuery call that does not pass its own, so one-liner writes are visible to the next one-liner read. */
  readonly executeQueryBookmarkManager: BookmarkManager = bookmarkManager()
  private readonly config: ResolvedConfig
  private readonly provider: ConnectionProvider<PooledConnection>
  /** The connections the provider routes over (built by it, wired to its callbacks); pool stats and the negotiated version are read here. */
  private readonly pools: ConnectionPools
  private readonly log: Log
  private closed = false

  /** @internal Drivers come from driver(url, auth, config). */
  constructor (url: string, authToken: AuthToken | AuthTokenManager | NoAuthToken | undefined, userConfig: Config = {}) {
    this.config = resolveConfig(url, userConfig)
    validateAuthToken(authToken)
    const authTokenManager = toAuthTokenManager((authToken ?? coreAuth.none()) as AuthToken | AuthTokenManager)
    const certificates = this.config.clientCertificate === undefined ? undefined : new ClientCertificateSource(this.config.clientCertificate)
    this.log = createLog(this.config.logging)
    // Unknown options are ignored like the official driver does, but said out loud.
    for (const warning of this.config.warnings) warnOnce(this.log, warning)
    const c = this.config
    let pools: ConnectionPools | undefined
    // The provider builds the pools itself, giving them its callbacks (an unresponsive member is forgotten, …).
    const connections = (events: MemberEvents): ConnectionPools => (pools = new ConnectionPools({
      ...events,
      connect: {
        encrypted: c.encrypted,
        trust: c.trust,
        trustedCertificates: c.trustedCertificates,
        connectionTimeout: c.connectionTimeout,
        disableLosslessIntegers: c.disableLosslessIntegers,
        useBigInt: c.useBigInt,
        notificationFilter: c.notificationFilter,
        telemetryDisabled: c.telemetryDisabled,
        routingContext: c.url.routing ? { ...c.url.routingContext, address: c.url.hostPort } : null,
        userAgent: c.userAgent,
        authToken: {}, // each connection asks authTokenManager (or takes its session's token)
        ...(certificates !== undefined && c.encrypted ? { clientCertificate: async () => await certificates.get() } : {}),
        receiveTimeout: c.receiveTimeout
      },
      authTokenManager,
      maxSize: c.maxConnectionPoolSize,
      maxLifetime: c.maxConnectionLifetime,
      livenessCheckTimeout: c.connectionLivenessCheckTimeout,
      idleTimeout: c.connectionIdleTimeout,
      unresponsiveProbeAfter: c.unresponsiveProbeAfter,
      unresponsiveProbeTimeout: c.unresponsiveProbeTimeout,
      clock: c.clock,
      log: this.log.pool
    }))
    const now = (): number => c.clock.now()
    this.provider = c.url.routing
      ? new RoutingProvider({
        connections,
        seed: c.url.hostPort,
        routingContext: c.url.routingContext,
        resolver: c.resolver,
        purgeDelayMs: c.routingTablePurgeDelay,
        routeTimeoutMs: c.connectionTimeout,
        principal: staticPrincipal(authToken),
        log: this.log,
        now
      })
      : new DirectProvider({ connections, address: c.url.hostPort })
    if (pools === undefined) throw new Error('the connection provider did not build its connections') // never: both build them at construction
    this.pools = pools
    this.log.driver(`created for ${c.url.scheme}://${c.url.hostPort} (routing ${c.url.routing ? 'on' : 'off'}, encrypted ${String(c.encrypted)})`)
  }

  session (config?: SessionConfig): Session {
    this.assertOpen()
    const resolved = resolveSessionConfig(config, this.log)
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
      log: this.log,
      now: () => this.config.clock.now()
    }, resolved)
    return session
  }

  /** A reactive session (rxjs): the official RxSession API over this driver's sessions, retries included. */
  rxSession (config?: SessionConfig): RxSession {
    return new RxSession(this.session(config))
  }

  /**
   * One query in a managed transaction with retries; returns an EagerResult
   * unless a resultTransformer says otherwise. `parameterRules` map the
   * parameters (record object mapping), as in the official driver.
   */
  async executeQuery<T = EagerResult> (query: Query, parameters?: any, config?: QueryConfig<T>, parameterRules?: Rules): Promise<T> {
    this.assertOpen()
    const c = resolveQueryConfig<T>(config, this.executeQueryBookmarkManager, this.log)
    const session = this.session({
      defaultAccessMode: c.routing,
      database: c.database,
      impersonatedUser: c.impersonatedUser,
      bookmarkManager: c.bookmarkManager,
      auth: c.auth
    })
    try {
      const work = (tx: ManagedTransaction): Promise<T> => c.resultTransformer(tx.run(query, parameters, parameterRules))
      return await session.executeQueryTransaction(c.routing, work, c.transactionConfig, c.driverConsumesResult)
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
    if (database !== undefined) checkDatabaseName(database, 'driver')
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
    if (database !== undefined) checkDatabaseName(database, 'refreshRoutingTable')
    if (options === null || typeof options !== 'object') throw new ConfigurationError('options', `refreshRoutingTable options must be an object, got ${describe(options)}`, 'refreshRoutingTable')
    for (const key of Object.keys(options)) {
      if (key !== 'bookmarks') throw new ConfigurationError(key, `unknown refreshRoutingTable option '${key}' (options: bookmarks)`, 'refreshRoutingTable')
    }
    const bookmarks = options.bookmarks ?? []
    if (!Array.isArray(bookmarks) || !bookmarks.every(b => typeof b === 'string')) {
      throw new ConfigurationError('bookmarks', `'bookmarks' must be an array of strings, got ${describe(bookmarks)}`, 'refreshRoutingTable')
    }
    return await this.provider.refreshRoutingTable(database ?? null, { bookmarks, deadline: this.config.clock.now() + this.config.connectionAcquisitionTimeout })
  }

  /** Connections per member: `inUse` is 0 everywhere once all sessions are closed and results consumed. */
  poolStats (): { inUse: number, idle: number, opening: number, waiting: number, members: PoolStats[] } {
    return { ...this.pools.totals(), members: this.pools.stats() }
  }

  /** Fetches a routing table (neo4j://) or opens a connection (bolt://); throws the reason when it cannot. */
  async verifyConnectivity (config: { database?: string } = {}): Promise<ServerInfo> {
    return await this.getServerInfo(config)
  }

  async getServerInfo (config: { database?: string } = {}): Promise<ServerInfo> {
    this.assertOpen()
    if (config.database !== undefined) checkDatabaseName(config.database, 'verifyConnectivity')
    const deadline = this.config.clock.now() + this.config.connectionAcquisitionTimeout
    const member = await this.provider.serverInfo({ database: config.database ?? null, deadline })
    return new ServerInfo({ address: member.address, version: member.agent }, member.protocolVersion)
  }

  /**
   * The Bolt version negotiated with the cluster, read from a real connection
   * (a reader's, through routing for neo4j://). Unlike the official driver,
   * which only shakes hands, the connection is authenticated and pooled.
   */
  async getNegotiatedProtocolVersion (): Promise<ProtocolVersion> {
    const { protocolVersion } = await this.getServerInfo()
    if (protocolVersion === undefined) throw neo4jError('The connection did not report its protocol version.', 'ProtocolError')
    return protocolVersion
  }

  /** Whether the server has databases (Bolt ≥ 4.0); asks a server when no connection has negotiated yet. */
  async supportsMultiDb (): Promise<boolean> { return await this.speaksAtLeast(BOLT_4_0) }
  /** Whether transactions take timeouts and metadata (Bolt ≥ 3.0). */
  async supportsTransactionConfig (): Promise<boolean> { return await this.speaksAtLeast(BOLT_3_0) }
  /** Whether sessions may impersonate another user (Bolt ≥ 4.4). */
  async supportsUserImpersonation (): Promise<boolean> { return await this.speaksAtLeast(BOLT_4_4) }

  /**
   * Whether the server takes per-session auth (Bolt ≥ 5.1): the version a
   * connection already negotiated, else one read from a real connection.
   */
  async supportsSessionAuth (): Promise<boolean> {
    return await this.speaksAtLeast(BOLT_5_1)
  }

  /**
   * The answer of the supports…() questions: the version a connection already
   * negotiated, else the one a real connection negotiates now (as the official
   * driver, which asks a server rather than assume).
   */
  private async speaksAtLeast (minimum: ProtocolVersion): Promise<boolean> {
    this.assertOpen()
    const version = this.pools.knownProtocolVersion() ?? await this.getNegotiatedProtocolVersion()
    return version.isGreaterOrEqualTo(minimum)
  }

  /**
   * Whether credentials are accepted, as the official driver answers it:
   * true; false when the server refuses them (Unauthorized, TokenExpired,
   * CredentialsExpired, Forbidden); any other error throws. `auth`: the token
   * to check (default: the driver's); it logs on with LOGOFF + LOGON on a
   * reader of `database` (default 'system'), so it needs Bolt 5.1+ (older
   * servers: "Driver is connected to a database that does not support user switch.").
   */
  async verifyAuthentication (config: { database?: string, auth?: AuthToken } = {}): Promise<boolean> {
    this.assertOpen()
    if (config.database !== undefined) checkDatabaseName(config.database, 'verifyConnectivity')
    const auth = checkAuthOption(config.auth, message => new ConfigurationError('auth', message, 'verifyConnectivity'))
    return await succeededOrRefused(this.provider.verifyAuthentication({
      database: config.database ?? 'system',
      auth,
      deadline: this.config.clock.now() + this.config.connectionAcquisitionTimeout
    }), false)
  }

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

const BOLT_3_0 = new ProtocolVersion(3, 0)
const BOLT_4_0 = new ProtocolVersion(4, 0)
const BOLT_4_4 = new ProtocolVersion(4, 4)
const BOLT_5_1 = new ProtocolVersion(5, 1)

/** The codes the official driver's verifyAuthentication answers `false` to. */
const AUTHENTICATION_FAILURES = new Set([
  'Neo.ClientError.Security.CredentialsExpired', 'Neo.ClientError.Security.Forbidden',
  'Neo.ClientError.Security.TokenExpired', 'Neo.ClientError.Security.Unauthorized'
])

export function isAuthenticationFailure (error: unknown): boolean {
  return error instanceof Error && AUTHENTICATION_FAILURES.has((error as { code?: string }).code ?? '')
}

/** true once `work` succeeded; `refused` when the server refused the credentials (isAuthenticationFailure); any other failure is thrown. */
export async function succeededOrRefused<R> (work: Promise<unknown>, refused: R): Promise<true | R> {
  try {
    await work
    return true
  } catch (error) {
    if (isAuthenticationFailure(error)) return refused
    throw error
  }
}

/** Auth token managers are accepted by the type (as in the official driver) but not supported yet: driver() throws a ConfigurationError. */
export function driver (url: string, authToken?: AuthToken | AuthTokenManager | NoAuthToken, config?: Config): Driver {
  return new Driver(url, authToken, config)
}
