// The connection the session and routing layers hold: the wire connection's
// calls plus `release()`, which resets a connection that is mid-stream or
// mid-transaction before it goes back to its member's pool, and the checks
// that discard a connection whose member broke the protocol. It reports how
// long its server has been silent to the unresponsive-member detector.

import type { internal, ProtocolVersion } from 'neo4j-driver-core'
import { systemClock, withTimeout } from '../clock.js'
import { ILLEGAL_STATE, neo4jError, tagConnectionLost } from '../errors.js'
import { describeRaw } from '../messages.js'
import type { MemberPool, PoolableConnection } from './member-pool.js'
import type { ReceiveClock } from './receive-clock.js'
import type { RouteReply, RouteRequest } from './route-types.js'
import type { SilenceSource } from './unresponsive-detector.js'
import {
  boltAgent, failConnection, isProtocolViolation, requestRoute, unwatchIdle, watchIdle, writeUnflushed, type WireConnection
} from './wire.js'

type ResultStreamObserver = internal.observer.ResultStreamObserver

export interface BeginRequest {
  bookmarks: internal.bookmarks.Bookmarks
  txConfig: internal.txConfig.TxConfig
  mode: 'READ' | 'WRITE'
  database?: string
  impersonatedUser?: string
  notificationFilter?: unknown
  /** Sent as TELEMETRY before this request when the server asks for telemetry (bolt-connection decides). */
  apiTelemetryConfig?: ApiTelemetry
}

/** Which API a transaction came from (core's TELEMETRY_APIS); `onTelemetrySuccess` once the server accepted it. */
export interface ApiTelemetry {
  readonly api: number
  readonly onTelemetrySuccess?: () => void
}

export interface RunRequest extends Omit<BeginRequest, 'mode'> {
  /** Auto-commit only: a RUN inside a transaction carries no mode (BEGIN had it). */
  mode?: 'READ' | 'WRITE'
  fetchSize: number
  highRecordWatermark: number
  lowRecordWatermark: number
  /** May return a promise: observers hear of completion only once it settles. */
  beforeComplete?: (metadata: Record<string, unknown>) => unknown
  afterComplete?: (metadata: Record<string, unknown>) => void
  beforeError?: (error: Error) => void
  afterError?: (error: Error) => void
  onDb?: (database: string) => void
}

export class PooledConnection implements PoolableConnection, SilenceSource {
  readonly address: string
  private readonly wire: WireConnection
  private readonly pool: MemberPool<PooledConnection>
  private released = false
  /** The member broke the protocol on this connection: it is failed and closed, never pooled again. */
  private violation: Error | undefined

  private readonly resetTimeoutMs: number
  /** Set when the unresponsive-member detector watches this connection. */
  receiveClock: ReceiveClock | undefined
  /** Called once the connection is closed (the detector stops watching it). */
  onClosed: (() => void) | undefined

  /** When it was opened, on the pool's clock (maxConnectionLifetime counts from here). */
  readonly createdAt: number

  constructor (address: string, wireConnection: WireConnection, pool: MemberPool<PooledConnection>, resetTimeoutMs: number, createdAt: number) {
    this.address = address
    this.wire = wireConnection
    this.pool = pool
    this.resetTimeoutMs = resetTimeoutMs
    this.createdAt = createdAt
  }

  /** The pool key (the detector groups connections by member). */
  get member (): string { return this.address }
  silentSince (): number | undefined { return this.wire.isOpen() ? this.receiveClock?.silentSince() : undefined }
  /** Fail every request in flight here with `error` and close (the member stopped answering). */
  fail (error: Parameters<typeof failConnection>[1]): void { failConnection(this.wire, error) }

  /** `{ address, agent, protocolVersion }` as core's ResultSummary expects. */
  get server (): { address: string, agent?: string } { return this.wire.server }
  /** The token this connection logged on with; null once marked for a new logon (AuthorizationExpired). */
  get authToken (): object | null | undefined { return this.wire.authToken }
  /** Log on again at the next acquisition (the server said this connection's authorization expired). */
  markForLogon (): void { this.wire.authToken = null }
  /** Logged on with a session's own token (its security errors are not the driver's token manager's business). */
  sessionAuth = false
  /** Bolt 5.1+: the user of this connection can be switched (LOGOFF + LOGON). */
  get supportsReAuth (): boolean { return this.wire.supportsReAuth }
  /**
   * LOGOFF + LOGON as `token`. `wait`: until the server answered (a failure
   * rejects); otherwise the two go out now and their answers are read
   * before the next request's (a refused LOGON fails that request).
   */
  async logOn (userAgent: string, token: object, wait: boolean): Promise<void> {
    await this.wire.connect(userAgent, { ...boltAgent() }, token, wait)
  }
  get serverAgent (): string | undefined { return this.wire.version }
  get id (): number { return this.wire.id }

  isOpen (): boolean { return this.violation === undefined && this.wire.isOpen() }
  async ping (): Promise<void> { await this.wire.resetAndFlush() }
  async close (): Promise<void> {
    this.onClosed?.()
    await this.wire.close()
  }
  onIdle (onBroken: () => void): void { watchIdle(this.wire, onBroken) }
  onActive (): void { unwatchIdle(this.wire) }
  acquired (): void { this.released = false }

  getProtocolVersion (): ProtocolVersion { return this.wire.getProtocolVersion() }
  /** Nothing has been sent since HELLO/LOGON: the connection just proved itself by logging on. */
  justAuthenticated (): boolean { return this.wire.protocol().isLastMessageLogon() }
  hasOngoingObservableRequests (): boolean { return this.wire.hasOngoingObservableRequests() }
  /**
   * BEGIN. `runFollows`: the caller writes RUN in the same tick, so BEGIN
   * rides in RUN's socket write instead of taking one of its own.
   */
  beginTransaction (request: BeginRequest, options: { runFollows?: boolean } = {}): ResultStreamObserver {
    return this.sending(() => options.runFollows === true
      ? writeUnflushed(this.wire, () => this.wire.beginTransaction(this.guarded(request)))
      : this.wire.beginTransaction(this.guarded(request)))
  }
  /** RUN + PULL. `commitFollows`: the caller writes COMMIT in the same tick, which carries them in its socket write. */
  run (query: string, parameters: Record<string, unknown>, request: RunRequest, options: { commitFollows?: boolean } = {}): ResultStreamObserver {
    const send = (): ResultStreamObserver => this.wire.run(query, parameters, this.guarded(request))
    return this.sending(() => options.commitFollows === true ? writeUnflushed(this.wire, send) : send())
  }
  commitTransaction (hooks: { afterComplete?: (metadata: any) => void } = {}): ResultStreamObserver {
    return this.sending(() => this.wire.commitTransaction(this.guarded(hooks)))
  }
  rollbackTransaction (): ResultStreamObserver { return this.sending(() => this.wire.rollbackTransaction(this.guarded({}))) }
  async resetAndFlush (): Promise<void> { await this.wire.resetAndFlush() }
  async route (request: RouteRequest): Promise<RouteReply> {
    try {
      return await requestRoute(this.wire, request)
    } catch (error) {
      this.checkViolation(error)
      throw error
    }
  }

  /**
   * A request whose first error hook notices protocol violations: an answer
   * that failed validation fails only its own request in bolt-connection,
   * which would leave a connection whose member just broke the protocol
   * idle in the pool. The hook is set on the request itself (every caller
   * builds a fresh one for the call), not on a copy: three requests per
   * transaction, each copied, was a cost on every operation.
   */
  private guarded<R extends object> (request: R): R & { beforeError: (error: Error) => void } {
    const hooked = request as R & { beforeError: (error: Error) => void }
    const given: ((error: Error) => void) | undefined = hooked.beforeError
    hooked.beforeError = (error: Error) => { this.checkViolation(error); given?.(error) }
    return hooked
  }

  /**
   * Writing a request threw (e.g. a parameter that cannot be packed): part of
   * the message may already sit in the output buffer, so the connection cannot
   * be trusted with another message. Discard it; the caller gets the error.
   */
  private sending (write: () => ResultStreamObserver): ResultStreamObserver {
    try {
      return write()
    } catch (error) {
      this.discard(neo4jError(`The connection to ${this.address} was discarded: a request could not be written to it (${describeRaw(error)}), ` +
        'so part of it may sit unsent in its buffer. Start the transaction again.', ILLEGAL_STATE))
      throw error
    }
  }

  private checkViolation (error: unknown): void {
    if (!isProtocolViolation(error) || this.violation !== undefined) return
    // Like a dropped connection: the routing layer forgets the member, a COMMIT in flight has an unknown outcome.
    tagConnectionLost(error)
    this.discard(error as Parameters<typeof failConnection>[1])
  }

  /**
   * Fail what else is in flight here and close the socket. Deferred by a
   * microtask: the error hook runs while bolt-connection is still dispatching
   * this very answer, and failing the connection then would hand the same
   * request its error a second time.
   */
  private discard (error: Parameters<typeof failConnection>[1]): void {
    if (this.violation !== undefined) return
    this.violation = error
    queueMicrotask(() => {
      if (!this.wire.isOpen()) { void this.wire.close().catch(() => {}); return }
      failConnection(this.wire, error)
    })
  }

  /**
   * Return the connection to its pool. `dirty` (an unfinished stream or an
   * open transaction) sends RESET first; a RESET that fails closes it.
   */
  async release (dirty = false): Promise<void> {
    if (this.released) return
    this.released = true
    if (this.violation === undefined && this.wire.isOpen() && (dirty || this.wire.hasOngoingObservableRequests())) {
      // Bounded: a member that stopped answering must not pin the connection (and the session) forever.
      // Real time: RESET is network I/O (see lib/clock.ts).
      const reset = this.wire.resetAndFlush().then(() => true, () => false)
      const ok = await withTimeout(systemClock, reset, this.resetTimeoutMs, () => false)
      if (!ok) await this.wire.close().catch(() => {})
    }
    this.pool.release(this)
  }
}
