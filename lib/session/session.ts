// A session: a causal chain of work against one database. Auto-commit runs
// go one after another (each starts when the previous stream has ended, so it
// carries that one's bookmark); explicit and managed transactions hold one
// connection each; executeRead/executeWrite retry through lib/retry with a
// hard deadline. Every path gives its connection back.

import { internal, newError, type RecordShape, type Result, type Rules } from 'neo4j-driver-core'
import { SessionBookmarks } from '../bookmarks/session-bookmarks.js'
import type { PooledConnection } from '../connection/pools.js'
import { tagAddress } from '../errors.js'
import type { Log } from '../log.js'
import { runWithRetry } from '../retry/retry-executor.js'
import type { RetryPolicy } from '../retry/retry-state.js'
import type { ConnectionProvider } from '../routing/provider.js'
import type { AccessMode } from '../routing/routing-table.js'
import { prepareQuery, type Query } from './query.js'
import { createResult, discardRest, watermarks } from './results.js'
import { resolveTransactionConfig, type ResolvedSessionConfig, type TransactionConfig } from './session-config.js'
import { ManagedTransaction, TransactionPromise, TxCore } from './transaction.js'

const { Bookmarks } = internal.bookmarks

type ResultStreamObserver = internal.observer.ResultStreamObserver

/** @internal What the driver gives its sessions (kept out of the published .d.ts: it names connection internals). */
export interface SessionContext {
  readonly provider: ConnectionProvider
  readonly fetchSize: number
  readonly acquisitionTimeout: number
  readonly retryPolicy: RetryPolicy
  readonly log: Log
  /** The driver's clock: deadlines (default Date.now). */
  readonly now?: () => number
  /** Called once when the session closes (the driver tracks open sessions). */
  readonly onClosed?: (session: Session) => void
}

export type TransactionWork<T> = (tx: ManagedTransaction) => Promise<T> | T

export class Session {
  private readonly context: SessionContext
  private readonly mode: AccessMode
  private database: string | null
  private readonly impersonatedUser: string | null
  /** Per-session auth (undefined: the driver's credentials). */
  private readonly auth: ResolvedSessionConfig['auth']
  private readonly fetchSize: number
  private readonly notificationFilter: unknown
  private readonly bookmarks: SessionBookmarks
  private open = true
  private activeTx: TxCore | undefined
  /** A transaction function is running (between its attempts too). */
  private managedRunning = false
  /** Resolves when the last auto-commit stream has ended (the next one starts after it). */
  private pending: Promise<void> = Promise.resolve()
  private readonly liveObservers = new Set<Promise<ResultStreamObserver>>()

  /** @internal Sessions come from driver.session(). */
  constructor (context: SessionContext, config: ResolvedSessionConfig) {
    this.context = context
    this.mode = config.mode
    this.database = config.database
    this.impersonatedUser = config.impersonatedUser
    this.auth = config.auth
    this.fetchSize = config.fetchSize ?? context.fetchSize
    // Only the session's own filter goes in BEGIN/RUN: the driver's went in HELLO (as the official drivers send them).
    this.notificationFilter = config.notificationFilter
    this.bookmarks = new SessionBookmarks(config.bookmarks, config.bookmarkManager)
  }

  /** Bookmarks of the last transaction this session committed (or the ones it started with). */
  lastBookmarks (): string[] {
    return this.bookmarks.last()
  }

  /** Auto-commit query. `R` types the records (as the official driver's generic does); `parameterRules` map the parameters (record object mapping). */
  run<R extends RecordShape = RecordShape> (query: Query, parameters?: any, transactionConfig?: TransactionConfig, parameterRules?: Rules): Result<R> {
    this.assertCanStart('run a query')
    const { text, params } = prepareQuery(query, parameters, parameterRules)
    const { txConfig } = resolveTransactionConfig(transactionConfig, this.context.log)
    const previous = this.pending
    let streamEnded: () => void = () => {}
    this.pending = new Promise<void>(resolve => { streamEnded = resolve })
    let used: string[] = []
    let database: string | null = this.database
    const connection = (async (): Promise<PooledConnection> => {
      await previous
      used = await this.bookmarks.current()
      const acquired = await this.context.provider.acquire({
        mode: this.mode, database: this.database, bookmarks: used, impersonatedUser: this.impersonatedUser, auth: this.auth, deadline: this.now() + this.context.acquisitionTimeout
      })
      database = acquired.database
      if (this.database === null && acquired.database !== null) this.database = acquired.database
      if (this.context.log.enabled('session')) {
        this.context.log.session(`auto-commit ${this.mode} on ${acquired.connection.address} (database ${database ?? 'default'}, ${used.length} bookmark(s))`)
      }
      return acquired.connection
    })()
    connection.catch(() => streamEnded())
    const marks = watermarks(this.fetchSize)
    const observer = connection.then(conn => this.runOn(conn, streamEnded, () => conn.run(text, params, {
      bookmarks: new Bookmarks(used),
      txConfig,
      mode: this.mode,
      database: database ?? undefined,
      impersonatedUser: this.impersonatedUser ?? undefined,
      notificationFilter: this.notificationFilter,
      fetchSize: this.fetchSize,
      highRecordWatermark: marks.high,
      lowRecordWatermark: marks.low,
      // The bookmark update finishes before the result resolves, so the next call sees it.
      beforeComplete: (metadata: Record<string, unknown>) => this.bookmarks.committed(used, typeof metadata.bookmark === 'string' ? metadata.bookmark : undefined)
        .catch(error => this.context.log.session(`bookmark manager failed: ${String(error)}`, 'warn')),
      afterComplete: () => { void conn.release().finally(streamEnded) },
      beforeError: (error: Error) => {
        tagAddress(error, conn.address)
        this.context.provider.onError(error, conn.address, database)
      },
      afterError: () => { void conn.release(true).finally(streamEnded) }
    })))
    this.track(observer)
    return createResult(observer, text, params, connection, this.fetchSize) as Result<R>
  }

  /** An explicit transaction: usable at once, awaitable until BEGIN succeeded. */
  beginTransaction (transactionConfig?: TransactionConfig): TransactionPromise {
    this.assertCanStart('begin a transaction')
    const { txConfig } = resolveTransactionConfig(transactionConfig, this.context.log)
    return new TransactionPromise(this.startTransaction(this.mode, txConfig, this.now() + this.context.acquisitionTimeout))
  }

  async executeRead<T> (work: TransactionWork<T>, transactionConfig?: TransactionConfig): Promise<T> {
    return await this.executeManaged('READ', work, transactionConfig, true)
  }

  async executeWrite<T> (work: TransactionWork<T>, transactionConfig?: TransactionConfig): Promise<T> {
    return await this.executeManaged('WRITE', work, transactionConfig, true)
  }

  /**
   * @internal driver.executeQuery's transaction: its work is one query the
   * driver wrote, not application code, so BEGIN need not be answered before
   * the query is sent (BEGIN and RUN leave in one write).
   */
  async executeQueryTransaction<T> (mode: AccessMode, work: TransactionWork<T>, transactionConfig?: TransactionConfig): Promise<T> {
    return await this.executeManaged(mode, work, transactionConfig, false)
  }

  /** Ends open streams (DISCARD), rolls back an open transaction, releases every connection. */
  async close (): Promise<void> {
    if (!this.open) return
    this.open = false
    try {
      for (const observer of this.liveObservers) void observer.then(discardRest, () => {})
      await this.activeTx?.close()
      await this.pending
    } finally {
      this.context.onClosed?.(this)
    }
  }

  async [Symbol.asyncDispose] (): Promise<void> {
    await this.close()
  }

  /**
   * `eagerBegin`: the work starts only once BEGIN succeeded, as the official
   * drivers do, so application code never runs for a transaction that did not
   * begin (a BEGIN that fails is retried, or reported, before the work is called).
   */
  private async executeManaged<T> (mode: AccessMode, work: TransactionWork<T>, transactionConfig: TransactionConfig | undefined, eagerBegin: boolean): Promise<T> {
    this.assertCanStart('run a transaction function')
    if (typeof work !== 'function') throw newError('The transaction work must be a function: tx => tx.run(...)')
    const { txConfig, idempotent } = resolveTransactionConfig(transactionConfig, this.context.log)
    this.managedRunning = true
    try {
      await this.pending
      return await this.retryManaged(mode, work, txConfig, idempotent, eagerBegin)
    } finally {
      this.managedRunning = false
    }
  }

  private async retryManaged<T> (mode: AccessMode, work: TransactionWork<T>, txConfig: ReturnType<typeof resolveTransactionConfig>['txConfig'], idempotent: boolean, eagerBegin: boolean): Promise<T> {
    return await runWithRetry(async ({ deadline, attempt }) => {
      if (!this.open) throw newError('The session was closed while its transaction function was retrying.')
      const core = this.startTransaction(mode, txConfig, Math.min(deadline, this.now() + this.context.acquisitionTimeout), attempt > 1)
      try {
        if (eagerBegin) await core.whenBegun()
        const value = await work(new ManagedTransaction(core))
        // A READ transaction cannot have written (every member refuses writes
        // in one), so a COMMIT whose answer was lost is safe to re-run: the
        // official driver retries it too. Only WRITE work needs the caller's word.
        await core.commit({ idempotent: idempotent || mode === 'READ' })
        return value
      } finally {
        await core.close()
      }
    }, { policy: this.context.retryPolicy, log: this.context.log.retry, now: this.now })
  }

  /** `retrying`: a later attempt of a transaction function (see AcquireRequest.retrying). */
  private startTransaction (mode: AccessMode, txConfig: ReturnType<typeof resolveTransactionConfig>['txConfig'], deadline: number, retrying = false): TxCore {
    const core = new TxCore({
      provider: this.context.provider,
      bookmarks: this.bookmarks,
      mode,
      database: this.database,
      impersonatedUser: this.impersonatedUser,
      auth: this.auth,
      txConfig,
      fetchSize: this.fetchSize,
      notificationFilter: this.notificationFilter,
      deadline,
      retrying,
      onDatabaseResolved: (database) => { this.database ??= database },
      log: this.context.log,
      onEnded: () => { if (this.activeTx === core) this.activeTx = undefined }
    })
    this.activeTx = core
    return core
  }

  private readonly now = (): number => (this.context.now ?? Date.now)()

  private assertCanStart (what: string): void {
    if (!this.open) throw newError(`Cannot ${what}: the session is closed.`)
    if (this.activeTx !== undefined || this.managedRunning) {
      throw newError(`Cannot ${what} while this session has an open transaction: run it inside the transaction, or use another session.`)
    }
  }

  /** Start a stream; if starting throws (e.g. a parameter that cannot be sent), give the connection back. */
  private runOn (conn: PooledConnection, streamEnded: () => void, start: () => ResultStreamObserver): ResultStreamObserver {
    try {
      return start()
    } catch (error) {
      void conn.release(true).finally(streamEnded)
      throw error
    }
  }

  private track (observer: Promise<ResultStreamObserver>): void {
    this.liveObservers.add(observer)
    const forget = (): void => { this.liveObservers.delete(observer) }
    // Completion is signalled through `pending`; drop the reference once the stream ends.
    void this.pending.then(forget, forget)
  }
}
