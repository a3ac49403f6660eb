// A session: a causal chain of work against one database. Auto-commit runs
// go one after another (each starts when the previous stream has ended, so it
// carries that one's bookmark); explicit and managed transactions hold one
// connection each; executeRead/executeWrite retry through lib/retry with a
// hard deadline. Every path gives its connection back.

import { internal, type RecordShape, type Result, type Rules } from 'neo4j-driver-core'
import { SessionBookmarks } from '../bookmarks/session-bookmarks.js'
import { coreBookmarks } from '../bookmarks/core-bookmarks.js'
import { illegalState, INVALID_ARGUMENT, neo4jError } from '../errors.js'
import type { ApiTelemetry, PooledConnection } from '../connection/pooled-connection.js'
import type { Log } from '../log.js'
import { runWithRetry } from '../retry/retry-executor.js'
import type { RetryPolicy } from '../retry/retry-state.js'
import type { ConnectionProvider } from '../routing/provider.js'
import type { AccessMode } from '../routing/routing-table.js'
import { prepareQuery, type Query } from './query.js'
import { bufferRemainingRecords, createResult, watermarks } from './results.js'
import { resolveTransactionConfig, type ResolvedSessionConfig, type ResolvedTransactionConfig, type TransactionConfig } from './session-config.js'
import { ManagedTransaction, TransactionPromise, TxCore } from './transaction.js'

const { TELEMETRY_APIS, FETCH_ALL } = internal.constants

type ResultStreamObserver = internal.observer.ResultStreamObserver

/** @internal What the driver gives its sessions (kept out of the published .d.ts: it names connection internals). */
export interface SessionContext {
  readonly provider: ConnectionProvider<PooledConnection>
  readonly fetchSize: number
  readonly acquisitionTimeout: number
  readonly retryPolicy: RetryPolicy
  readonly log: Log
  /** The driver's clock: deadlines (default Date.now). */
  readonly now?: () => number
}

/** How a transaction function's requests are sent (see executeManaged, TxStart.commitWithQuery and TxStart.commitAtStreamEnd). */
interface Pipelining {
  /** The work is only called once BEGIN succeeded. */
  readonly eagerBegin: boolean
  /** The work's one query's result is consumed by the driver itself, and nothing can fail after it: COMMIT may be written early. */
  readonly driverConsumesResult: boolean
  /** The work is the driver's own query (executeQuery), not application code. */
  readonly driverWork: boolean
  /** The API for TELEMETRY (core's TELEMETRY_APIS). */
  readonly api: number
}

/**
 * End an auto-commit stream early: DISCARD what the server still holds.
 * cancel() alone never sends it for a stream its consumer paused (an
 * iterator that stopped reading) while a PULL was in flight: that answer's
 * records pause it again, and a paused stream waits (session.close hung).
 */
function cancelStream (observer: ResultStreamObserver): void {
  observer.pause = () => {}
  observer.cancel()
  observer.resume()
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
  /** The last auto-commit result, while its stream has not ended (a next run makes it buffer the rest). */
  private streamingRun: { result: Result, stream: Promise<ResultStreamObserver> } | undefined

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
    // Auto-commit queries of a session run one after another. One whose records
    // the application has not finished reading (it runs a query per record it
    // reads) would block the next for ever: its remaining records are pulled
    // into its buffer, so it ends and the next can start.
    const unfinished = this.streamingRun
    if (unfinished !== undefined) void unfinished.stream.then(stream => { bufferRemainingRecords(unfinished.result, stream) }, () => {})
    let streamEnded: () => void = () => {}
    this.pending = new Promise<void>(resolve => { streamEnded = resolve })
    let used: string[] = []
    let database: string | null = this.database
    const connection = (async (): Promise<PooledConnection> => {
      await previous
      const acquired = await this.context.provider.acquire({
        mode: this.mode, database: this.database, bookmarks: async () => await this.bookmarks.current(), impersonatedUser: this.impersonatedUser, auth: this.auth, deadline: this.now() + this.context.acquisitionTimeout
      })
      // Asked again for the query itself (a bookmark supplier may know more by now), as the official drivers do.
      used = await this.bookmarks.current()
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
      bookmarks: coreBookmarks(used),
      txConfig,
      mode: this.mode,
      database: database ?? undefined,
      impersonatedUser: this.impersonatedUser ?? undefined,
      notificationFilter: this.notificationFilter,
      apiTelemetryConfig: { api: TELEMETRY_APIS.AUTO_COMMIT_TRANSACTION },
      fetchSize: this.fetchSize,
      highRecordWatermark: marks.high,
      lowRecordWatermark: marks.low,
      // The bookmark update finishes before the result resolves, so the next call sees it.
      beforeComplete: (metadata: Record<string, unknown>) => this.bookmarks.committed(used, typeof metadata.bookmark === 'string' ? metadata.bookmark : undefined)
        .catch(error => this.context.log.session(`bookmark manager failed: ${String(error)}`, 'warn')),
      afterComplete: () => { void conn.release().finally(streamEnded) },
      beforeError: (error: Error) => {
        this.context.provider.onError(error, conn.address, database)
      },
      afterError: () => { void conn.release(true).finally(streamEnded) }
    })))
    this.track(observer)
    const result = createResult(observer, text, params, connection, this.fetchSize) as Result<R>
    const running = { result: result as Result, stream: observer }
    this.streamingRun = running
    void this.pending.then(() => { if (this.streamingRun === running) this.streamingRun = undefined })
    return result
  }

  /** An explicit transaction: usable at once, awaitable until BEGIN succeeded. */
  beginTransaction (transactionConfig?: TransactionConfig): TransactionPromise {
    this.assertCanStart('begin a transaction')
    const { txConfig } = resolveTransactionConfig(transactionConfig, this.context.log)
    return new TransactionPromise(this.startTransaction(this.mode, txConfig, this.now() + this.context.acquisitionTimeout, {
      telemetry: { api: TELEMETRY_APIS.UNMANAGED_TRANSACTION }
    }))
  }

  executeRead<T> (work: TransactionWork<T>, transactionConfig?: TransactionConfig): Promise<T> {
    return this.executeManaged('READ', work, transactionConfig, { eagerBegin: true, driverConsumesResult: false, driverWork: false, api: TELEMETRY_APIS.MANAGED_TRANSACTION })
  }

  executeWrite<T> (work: TransactionWork<T>, transactionConfig?: TransactionConfig): Promise<T> {
    return this.executeManaged('WRITE', work, transactionConfig, { eagerBegin: true, driverConsumesResult: false, driverWork: false, api: TELEMETRY_APIS.MANAGED_TRANSACTION })
  }

  /**
   * @internal driver.executeQuery's transaction: its work is one query the
   * driver wrote, not application code, so BEGIN need not be answered before
   * the query is sent (BEGIN and RUN leave in one write).
   * `driverConsumesResult`: the driver consumes the whole result itself, so
   * COMMIT is written as soon as the stream ends (TxStart.commitAtStreamEnd),
   * or with the query itself (TxStart.commitWithQuery) when a lost COMMIT may
   * be re-run (a READ, or work marked idempotent) and the session pulls
   * everything at once.
   */
  executeQueryTransaction<T> (mode: AccessMode, work: TransactionWork<T>, transactionConfig: TransactionConfig | undefined, driverConsumesResult: boolean): Promise<T> {
    return this.executeManaged(mode, work, transactionConfig, { eagerBegin: false, driverConsumesResult, driverWork: true, api: TELEMETRY_APIS.EXECUTE_QUERY })
  }

  /** Ends open streams (DISCARD), rolls back an open transaction, releases every connection. */
  async close (): Promise<void> {
    if (!this.open) return
    this.open = false
    for (const observer of this.liveObservers) void observer.then(cancelStream, () => {})
    // A ROLLBACK the server refuses is the transaction's business, not the session's: closing goes on.
    await this.activeTx?.close().catch(() => {})
    await this.pending
  }

  async [Symbol.asyncDispose] (): Promise<void> {
    await this.close()
  }

  /**
   * `eagerBegin`: the work starts only once BEGIN succeeded, as the official
   * drivers do, so application code never runs for a transaction that did not
   * begin (a BEGIN that fails is retried, or reported, before the work is called).
   * The transaction option `pipelineBegin` turns it off for application work:
   * the work's first query then leaves with BEGIN, and a failed BEGIN reaches
   * the work as that query's error.
   */
  private async executeManaged<T> (mode: AccessMode, work: TransactionWork<T>, transactionConfig: TransactionConfig | undefined, pipelining: Pipelining): Promise<T> {
    this.assertCanStart('run a transaction function')
    if (typeof work !== 'function') throw neo4jError('The transaction work must be a function: tx => tx.run(...)', INVALID_ARGUMENT)
    const { txConfig, idempotent, pipelineBegin } = resolveTransactionConfig(transactionConfig, this.context.log)
    this.managedRunning = true
    try {
      await this.pending
      return await this.retryManaged(mode, work, txConfig, idempotent, pipelineBegin ? { ...pipelining, eagerBegin: false } : pipelining)
    } finally {
      this.managedRunning = false
    }
  }

  private async retryManaged<T> (mode: AccessMode, work: TransactionWork<T>, txConfig: ResolvedTransactionConfig['txConfig'], idempotent: boolean, pipelining: Pipelining): Promise<T> {
    // A READ transaction cannot have written (every member refuses writes
    // in one), so a COMMIT whose answer was lost is safe to re-run: the
    // official driver retries it too. Only WRITE work needs the caller's word.
    const safeToRepeat = idempotent || mode === 'READ'
    // One TELEMETRY per call: sent with each attempt's BEGIN until a server accepted one.
    let telemetrySent = false
    const telemetry: ApiTelemetry = { api: pipelining.api, onTelemetrySuccess: () => { telemetrySent = true } }
    return await runWithRetry(async ({ deadline, attempt }) => {
      if (!this.open) throw illegalState('The session was closed while its transaction function was retrying.')
      const core = this.startTransaction(mode, txConfig, Math.min(deadline, this.now() + this.context.acquisitionTimeout), {
        retrying: attempt > 1,
        // Only where a lost COMMIT may be re-run: a COMMIT that left with its query
        // is in flight from the first byte, so a connection lost at any point would
        // leave the outcome unknown, where a separate COMMIT lets a write whose
        // query failed be retried. And only when the session pulls everything at
        // once (fetchSize -1): COMMIT is refused while a result has more to send,
        // and with batches it is the application's fetch size that the PULL names.
        commitWithQuery: pipelining.driverConsumesResult && safeToRepeat && this.fetchSize === FETCH_ALL,
        commitAtStreamEnd: pipelining.driverConsumesResult,
        driverWork: pipelining.driverWork,
        telemetry: telemetrySent ? undefined : telemetry
      })
      try {
        let value: T
        try {
          if (pipelining.eagerBegin) await core.whenBegun()
          value = await work(new ManagedTransaction(core))
        } catch (error) {
          // A COMMIT written with the query may have been applied when the connection was lost.
          throw error instanceof Error ? core.commitOutcome(error, safeToRepeat) : error
        }
        await core.commit({ idempotent: safeToRepeat })
        return value
      } finally {
        // The attempt's own outcome is what counts: a failed ROLLBACK of it must not replace it.
        await core.close().catch(() => {})
      }
    }, { policy: this.context.retryPolicy, log: this.context.log.retry, now: this.now })
  }

  /** `retrying`: a later attempt of a transaction function (AcquireRequest.retrying); `commitWithQuery`, `commitAtStreamEnd`: TxStart's. */
  private startTransaction (mode: AccessMode, txConfig: ResolvedTransactionConfig['txConfig'], deadline: number,
    options: { retrying?: boolean, commitWithQuery?: boolean, commitAtStreamEnd?: boolean, driverWork?: boolean, telemetry?: ApiTelemetry } = {}): TxCore {
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
      retrying: options.retrying === true,
      commitWithQuery: options.commitWithQuery === true,
      commitAtStreamEnd: options.commitAtStreamEnd === true,
      driverWork: options.driverWork === true,
      telemetry: options.telemetry,
      onDatabaseResolved: (database) => { this.database ??= database },
      log: this.context.log,
      onEnded: () => { if (this.activeTx === core) this.activeTx = undefined }
    })
    this.activeTx = core
    return core
  }

  private readonly now = (): number => (this.context.now ?? Date.now)()

  private assertCanStart (what: string): void {
    if (!this.open) throw illegalState(`Cannot ${what}: the session is closed.`)
    if (this.activeTx !== undefined || this.managedRunning) {
      throw illegalState(`Cannot ${what} while this session has an open transaction: run it inside the transaction, or use another session.`)
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
