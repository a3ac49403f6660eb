// Per-member pools of Bolt connections, keyed by 'host:port': what the
// routing layer's MemberConnections interface (lib/routing/member-connections.ts)
// is implemented by. Opens connections as the driver's token manager or a
// session's token says, and runs the unresponsive-member detector, which
// probes a silent member and, if it is black-holed, fails what is in flight
// there and tells the routing layer through the callbacks it was built with.

import type { AuthTokenManager, Neo4jError, ProtocolVersion } from 'neo4j-driver-core'
import { sameToken, userSwitchUnsupported, type AuthToken } from '../auth/auth.js'
import { MAX_TIMER_MS, systemClock, type DriverClock } from '../clock.js'
import { AUTHORIZATION_EXPIRED, isConnectionLost, markSecurityHandled } from '../errors.js'
import { publish } from '../events.js'
import type { LogFunction } from '../log.js'
import { firstLine } from '../messages.js'
import { MemberPool, type MemberPoolOptions, type PoolStats } from './member-pool.js'
import { PooledConnection } from './pooled-connection.js'
import { ReceiveClock } from './receive-clock.js'
import type { ConnectionTarget } from './route-types.js'
import { UnresponsiveMemberDetector } from './unresponsive-detector.js'
import { openConnection, receiveTimeoutOf, unresponsiveError, watchReceives, type ConnectOptions, type WireConnection } from './wire.js'

/** Pool key: 'host:port', or 'host:port(ip)' for one of the addresses a seed name resolved to. */
export function targetKey (target: ConnectionTarget): string {
  return target.resolvedHost === undefined ? target.hostPort : `${target.hostPort}(${target.resolvedHost})`
}

/** Who a connection must be logged on as when it is handed out. */
export interface AcquireAuth {
  /** A session's own token (per-session auth); undefined: the driver's token manager decides. */
  readonly auth?: AuthToken
  /** Leave a pooled connection logged on as it is (verifyAuthentication logs on itself, waiting for the answer). */
  readonly skipReAuth?: boolean
}

export interface PoolsOptions {
  /** `authToken` here is unused: each new connection asks `authTokenManager` (or takes the session's token). */
  readonly connect: ConnectOptions
  /** The driver's credentials (a static token is wrapped in core's static manager). */
  readonly authTokenManager: AuthTokenManager
  readonly maxSize: MemberPoolOptions<PooledConnection>['maxSize']
  readonly maxLifetime: MemberPoolOptions<PooledConnection>['maxLifetime']
  readonly livenessCheckTimeout: MemberPoolOptions<PooledConnection>['livenessCheckTimeout']
  readonly idleTimeout: MemberPoolOptions<PooledConnection>['idleTimeout']
  /** ms of silence with a request outstanding before the member is probed (0 = never probe). */
  readonly unresponsiveProbeAfter: number
  /**
   * ms one probe (a fresh connection: TCP, handshake, logon) may take before
   * it counts as no answer; connectionTimeout bounds it too when shorter.
   */
  readonly unresponsiveProbeTimeout: number
  readonly clock?: DriverClock
  readonly log: LogFunction
  /**
   * Told when a member stopped answering (after its requests were failed),
   * with its 'host:port' and the error: the routing layer forgets it.
   */
  readonly onMemberUnresponsive?: (hostPort: string, error: Error) => void
  /**
   * Asked while a silent member is being probed: resolves with an Error once
   * the rest of the cluster shows the member was replaced (another leader
   * elected), so its requests fail without waiting for the probe's timeout.
   */
  readonly memberReplaced?: (hostPort: string, signal: AbortSignal) => Promise<Error | undefined>
}

/** A receive timeout this short makes probing a connection pointless (see watch). */
const SHORT_RECEIVE_TIMEOUT_MS = 5000
/** A member whose probes keep answering (a slow query) is probed at most this many probe periods apart. */
const PROBE_BACKOFF_CAP = 8

export class ConnectionPools {
  private readonly pools = new Map<string, MemberPool<PooledConnection>>()
  /** The pooled connection around each wire connection (security errors name the wire one). */
  private readonly byWire = new WeakMap<WireConnection, PooledConnection>()
  /** pool key → how to reach it (a probe opens a fresh connection there). */
  private readonly targets = new Map<string, ConnectionTarget>()
  private readonly options: PoolsOptions
  /** How long a RESET before release may take: the connect timeout, else 30 s. */
  private readonly resetTimeoutMs: number
  private readonly clock: DriverClock
  private readonly detector: UnresponsiveMemberDetector | undefined
  /** The Bolt version of the connection opened last (supportsSessionAuth reads it without using a connection). */
  private lastVersion: ProtocolVersion | undefined

  /** Open connections whose server advertised `ssr.enabled`, and those whose server did not. */
  private readonly serverSideRoutingCounts = { with: 0, without: 0 }

  constructor (options: PoolsOptions) {
    this.options = {
      ...options,
      connect: {
        ...options.connect,
        onServerSideRouting: (enabled, action) => {
          const key = enabled ? 'with' : 'without'
          this.serverSideRoutingCounts[key] += action === 'OPEN' ? 1 : -1
        }
      }
    }
    this.clock = options.clock ?? systemClock
    this.resetTimeoutMs = options.connect.connectionTimeout > 0 ? Math.min(options.connect.connectionTimeout, MAX_TIMER_MS) : 30_000
    const probeAfterMs = options.unresponsiveProbeAfter
    this.detector = probeAfterMs > 0
      ? new UnresponsiveMemberDetector({
        probeAfterMs,
        maxProbeIntervalMs: probeAfterMs * PROBE_BACKOFF_CAP,
        clock: this.clock,
        probe: async (member) => { await this.probe(member) },
        secondOpinion: async (member, signal) => await this.options.memberReplaced?.(this.targets.get(member)?.hostPort ?? member, signal),
        isUnreachable: isConnectionLost,
        onUnresponsive: (member, cause, silentMs) => { this.memberUnresponsive(member, cause, silentMs) },
        onProbe: (event) => {
          this.options.log(`probe of ${event.member} after ${Math.round(event.silentMs)} ms of silence: ${event.outcome} in ${Math.round(event.tookMs)} ms` +
            (event.error !== undefined ? ` (${firstLine(event.error.message)})` : ''), event.outcome === 'answered' ? 'debug' : 'warn')
          publish.memberProbe({
            address: this.targets.get(event.member)?.hostPort ?? event.member,
            outcome: event.outcome,
            silentMs: event.silentMs,
            tookMs: event.tookMs,
            ...(event.error !== undefined ? { reason: firstLine(event.error.message) } : {})
          })
        }
      })
      : undefined
  }

  /**
   * Every open connection's server routes on the server side (forwards what it
   * cannot serve itself), and there is at least one: the official drivers'
   * condition for routing by a cached home database.
   */
  serverSideRouting (): boolean {
    return this.serverSideRoutingCounts.with > 0 && this.serverSideRoutingCounts.without === 0
  }

  /**
   * A fresh connection to the member (TCP + handshake + HELLO/LOGON), closed at
   * once. Bounded by unresponsiveProbeTimeout, not by connectionTimeout alone:
   * on a healthy path to a live member it takes milliseconds, and every
   * request on the member waits for its verdict.
   */
  private async probe (member: string): Promise<void> {
    const target = this.targets.get(member) ?? { hostPort: member }
    const connect = this.options.connect.connectionTimeout
    const timeout = Math.min(connect > 0 ? connect : Infinity, this.options.unresponsiveProbeTimeout)
    const connection = await openConnection(target, { ...this.options.connect, connectionTimeout: timeout, receiveTimeout: 0 }, Date.now() + timeout)
    await connection.close().catch(() => {})
  }

  /** Fail what is in flight on a member that stopped answering, close its connections, tell the routing layer. */
  private memberUnresponsive (member: string, cause: Error, silentMs: number): void {
    const hostPort = this.targets.get(member)?.hostPort ?? member
    const routing = this.options.connect.routingContext !== null
    const failed = this.pools.get(member)?.failAll(connection => {
      connection.fail(unresponsiveError(hostPort, cause, silentMs, routing))
    }) ?? 0
    this.options.log(`${hostPort} stopped answering (no byte for ${Math.round(silentMs)} ms, probe failed: ${firstLine(cause.message)}); ` +
      `failed ${failed} connection(s) in use and closed its idle ones`, 'warn')
    this.options.onMemberUnresponsive?.(hostPort, unresponsiveError(hostPort, cause, silentMs, routing))
  }

  private poolFor (target: ConnectionTarget): MemberPool<PooledConnection> {
    const key = targetKey(target)
    let pool = this.pools.get(key)
    if (pool === undefined) {
      const created: MemberPool<PooledConnection> = new MemberPool<PooledConnection>({
        address: key,
        open: async (deadline, context) => {
          const authToken = (context as AcquireAuth | undefined)?.auth ?? await this.options.authTokenManager.getToken()
          const connect: ConnectOptions = { ...this.options.connect, authToken, onSecurityError: (error, wireConnection) => { this.securityError(key, error, wireConnection) } }
          // Deadlines are on the driver's clock; the socket waits in real time.
          const wireConnection = await openConnection(target, connect, Date.now() + (deadline - this.clock.now()))
          this.options.log(`opened connection ${wireConnection.id} to ${key} (Bolt ${wireConnection.getProtocolVersion()})`)
          this.lastVersion = wireConnection.getProtocolVersion()
          const connection = new PooledConnection(key, wireConnection, created, this.resetTimeoutMs, this.clock.now())
          connection.sessionAuth = (context as AcquireAuth | undefined)?.auth !== undefined
          this.byWire.set(wireConnection, connection)
          this.watch(connection, wireConnection)
          return connection
        },
        prepare: async (connection, context) => await this.authenticate(connection, context as AcquireAuth | undefined),
        maxSize: this.options.maxSize,
        maxLifetime: this.options.maxLifetime,
        livenessCheckTimeout: this.options.livenessCheckTimeout,
        idleTimeout: this.options.idleTimeout,
        pingTimeout: this.resetTimeoutMs,
        clock: this.clock,
        log: this.options.log
      })
      pool = created
      this.pools.set(key, pool)
      this.targets.set(key, target)
    }
    return pool
  }

  private watch (connection: PooledConnection, wireConnection: WireConnection): void {
    const detector = this.detector
    if (detector === undefined) return
    // A receive timeout of a few seconds (the server's connection.recv_timeout_seconds
    // hint, or receiveTimeout) already ends a silent request nearly as soon as a
    // probe would: no probe, no extra connection to the member. (Neo4j's default
    // hint is 120 s: such connections are probed.)
    const receiveTimeout = receiveTimeoutOf(wireConnection)
    if (receiveTimeout !== undefined && receiveTimeout <= Math.max(SHORT_RECEIVE_TIMEOUT_MS, this.options.unresponsiveProbeAfter + this.options.unresponsiveProbeTimeout)) return
    const clock = new ReceiveClock(() => this.clock.now(), () => { detector.awaiting() })
    connection.receiveClock = clock
    connection.onClosed = () => { detector.unwatch(connection) }
    watchReceives(wireConnection, clock)
    detector.watch(connection)
  }

  /**
   * A connection to `target` ('host:port' or a resolved seed address) by
   * `deadline` (ms since epoch), logged on as `auth` says: a pooled
   * connection logged on as someone else logs on again (LOGOFF + LOGON,
   * pipelined with the first request), which needs Bolt 5.1+; with a
   * session's own token on an older server this fails as the official driver
   * fails ("Driver is connected to a database that does not support user switch.").
   */
  async acquire (target: ConnectionTarget | string, deadline: number, auth?: AcquireAuth): Promise<PooledConnection> {
    const t = typeof target === 'string' ? { hostPort: target } : target
    const connection = await this.poolFor(t).acquire(deadline, auth)
    if (auth?.auth !== undefined && auth.skipReAuth !== true && (!connection.supportsReAuth || !sameToken(auth.auth, connection.authToken))) {
      // A connection opened for this user on a server that cannot switch back: not for the pool.
      if (sameToken(auth.auth, connection.authToken)) await connection.close().catch(() => {})
      await connection.release()
      throw userSwitchUnsupported()
    }
    return connection
  }

  /**
   * Make a pooled connection fit to hand out: logged on as the session's
   * token, or as the driver's current token (a token manager may have
   * rotated it, or AuthorizationExpired marked the connection). False: it
   * cannot be (a server before Bolt 5.1, a failed write): close it, use another.
   */
  private async authenticate (connection: PooledConnection, context: AcquireAuth | undefined): Promise<boolean> {
    const userAgent = this.options.connect.userAgent
    try {
      const sessionToken = context?.auth
      if (sessionToken !== undefined) {
        const current = connection.authToken
        const switchUser = connection.supportsReAuth && context?.skipReAuth !== true && !sameToken(current, sessionToken)
        if (current === null || current === undefined || switchUser) {
          await connection.logOn(userAgent, sessionToken, false)
          connection.sessionAuth = true
        }
        return true
      }
      const token = await this.options.authTokenManager.getToken()
      // The same credentials as the manager's current token need no new logon, whoever asked for them.
      if (!sameToken(token, connection.authToken)) await connection.logOn(userAgent, token, false)
      connection.sessionAuth = false
      return true
    } catch (error) {
      this.options.log(`a pooled connection to ${connection.address} could not log on again (${(error as Error).message}); closing it`)
      return false
    }
  }

  /**
   * A Neo.ClientError.Security.* error on a connection: the token manager
   * hears of it (handled: the error becomes retryable, e.g. TokenExpired with
   * a bearer manager that fetches a new token); AuthorizationExpired marks
   * every connection to that member for a new logon; the connection itself
   * is closed, as the official driver does.
   */
  private securityError (key: string, error: Neo4jError, wireConnection: WireConnection | undefined): void {
    if (wireConnection === undefined) return
    let handled = false
    // A session's own credentials failed: the driver's manager did not issue them, so it is not told (as in the official driver).
    if (this.byWire.get(wireConnection)?.sessionAuth !== true) try {
      handled = this.options.authTokenManager.handleSecurityException(wireConnection.authToken as AuthToken, error.code as `Neo.ClientError.Security.${string}`)
    } catch (thrown) {
      this.options.log(`the auth token manager's handleSecurityException threw: ${(thrown as Error).message}`, 'warn')
    }
    if (handled) markSecurityHandled(error)
    if (error.code === AUTHORIZATION_EXPIRED) this.pools.get(key)?.forEach(connection => { connection.markForLogon() })
    void wireConnection.close().catch(() => {})
  }

  /**
   * verifyAuthentication: a connection to `target` logged on as `token` now,
   * waiting for the server's answer (a connection that just logged on as it
   * counts). Needs Bolt 5.1+, as in the official driver.
   */
  async verifyAuthentication (target: string, deadline: number, token: AuthToken | undefined): Promise<void> {
    const connection = await this.acquire(target, deadline, { auth: token, skipReAuth: true })
    try {
      if (!connection.supportsReAuth) throw userSwitchUnsupported()
      // A connection that has just logged on as this token proves it already (no round trip, as in the official driver).
      if (token !== undefined && (!connection.justAuthenticated() || !sameToken(token, connection.authToken))) {
        await connection.logOn(this.options.connect.userAgent, token, true)
      }
    } finally {
      await connection.release()
    }
  }

  /** Connections in use or opening at `address` (what least-connected selection compares). */
  load (address: string): number {
    return this.pools.get(address)?.load ?? 0
  }

  closeIdle (address: string): void {
    this.pools.get(address)?.closeIdle()
  }

  /** Close idle connections to every member not in `keep` (members no routing table mentions). */
  retainOnly (keep: ReadonlySet<string>): void {
    for (const [address, pool] of this.pools) {
      if (keep.has(address)) continue
      pool.closeIdle()
      const s = pool.stats()
      if (s.inUse === 0 && s.opening === 0 && s.waiting === 0) {
        this.pools.delete(address)
        this.targets.delete(address)
        void pool.close()
      }
    }
  }

  stats (): PoolStats[] {
    return [...this.pools.values()].map(pool => pool.stats())
  }

  /** Sum over members: `inUse` must be 0 once every session is closed. */
  totals (): { inUse: number, idle: number, opening: number, waiting: number } {
    const total = { inUse: 0, idle: 0, opening: 0, waiting: 0 }
    for (const s of this.stats()) {
      total.inUse += s.inUse
      total.idle += s.idle
      total.opening += s.opening
      total.waiting += s.waiting
    }
    return total
  }

  /** The Bolt version the last connection opened negotiated; undefined before the first. */
  knownProtocolVersion (): ProtocolVersion | undefined { return this.lastVersion }

  async close (): Promise<void> {
    this.detector?.close()
    const pools = [...this.pools.values()]
    this.pools.clear()
    await Promise.all(pools.map(async pool => await pool.close()))
  }
}

