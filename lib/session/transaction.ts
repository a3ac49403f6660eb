// Explicit transactions. TxCore holds one transaction's state and connection:
// BEGIN (with the session's bookmarks) is pipelined with the first RUNs,
// COMMIT waits for every result of the transaction to finish streaming, and
// the connection goes back to its pool when the transaction ends, whatever
// way it ends. A COMMIT whose connection dies before the answer has an
// unknown outcome and says so (CommitOutcomeUnknownError), unless the caller
// said the work is idempotent.

import { internal, type RecordShape, type Result, type Rules } from 'neo4j-driver-core'
import type { ApiTelemetry, PooledConnection } from '../connection/pooled-connection.js'
import { CommitOutcomeUnknownError, illegalState, isConnectionLost, isOutcomeUnknownCode } from '../errors.js'
import type { AcquireRequest, ConnectionProvider } from '../routing/provider.js'
import type { AccessMode } from '../routing/routing-table.js'
import type { SessionBookmarks } from '../bookmarks/session-bookmarks.js'
import { coreBookmarks } from '../bookmarks/core-bookmarks.js'
import type { Log } from '../log.js'
import { createResult, discardRest, settle, watermarks } from './results.js'
import { prepareQuery, type Query } from './query.js'

const { Bookmarks } = internal.bookmarks
const { TxConfig } = internal.txConfig
const { FETCH_ALL } = internal.constants

type ResultStreamObserver = internal.observer.ResultStreamObserver

type TxState = 'ACTIVE' | 'FAILED' | 'COMMITTING' | 'COMMITTED' | 'ROLLED_BACK'

/** @internal (names connection internals; kept out of the published .d.ts) */
export interface TxStart {
  readonly provider: ConnectionProvider<PooledConnection>
  readonly bookmarks: SessionBookmarks
  readonly mode: AccessMode
  readonly database: string | null
  readonly impersonatedUser: string | null
  /** Per-session auth: passed on to acquisition (the connection logs on as it). */
  readonly auth?: AcquireRequest['auth']
  readonly txConfig: InstanceType<typeof TxConfig>
  readonly fetchSize: number
  readonly notificationFilter: unknown
  /** ms since epoch: acquisition (and any rediscovery) gives up then. */
  readonly deadline: number
  /** A later attempt of a retried transaction function (see AcquireRequest.retrying). */
  readonly retrying?: boolean
  /**
   * The transaction is one query whose result the driver consumes itself
   * (executeQuery): its RUN pulls everything and COMMIT follows it at once,
   * so BEGIN, RUN, PULL and COMMIT leave in one socket write and the answers
   * are read in order. On a FAILURE the server ignores the COMMIT.
   */
  readonly commitWithQuery?: boolean
  /**
   * The transaction is one query whose result the driver consumes itself and
   * nothing can fail after its stream ends (executeQuery with the default
   * result transformer). COMMIT is written the moment the stream's last
   * SUCCESS is read, from that answer's own dispatch, instead of once the
   * records have travelled through the promise chain to the work and back:
   * the server commits while the driver builds the result. It still follows
   * the records (servers expect it after them), and the outcome rules are
   * those of any COMMIT: from the moment it is written, a lost connection
   * leaves the outcome unknown.
   */
  readonly commitAtStreamEnd?: boolean
  /** The work is the driver's own (executeQuery): no application frame calls run(). */
  readonly driverWork?: boolean
  /** Which API this transaction came from, for TELEMETRY (undefined: none to send). */
  readonly telemetry?: ApiTelemetry
  readonly onDatabaseResolved: (database: string) => void
  readonly log: Log
  /** Called once when the transaction ends (connection released). */
  readonly onEnded: () => void
}

/** @internal One transaction's state and connection, behind Transaction and ManagedTransaction. */
export class TxCore {
  private state: TxState = 'ACTIVE'
  private failure: Error | undefined
  private readonly ready: Promise<PooledConnection>
  private readonly begun: Promise<void>
  /** Every result of the transaction, with its stream (a failure of the transaction ends the open ones). */
  private readonly results: Array<{ result: Result, stream: Promise<ResultStreamObserver> }> = []
  private streaming = 0
  private usedBookmarks: string[] = []
  private database: string | null
  private ending: Promise<void> | undefined
  /** The COMMIT written right after the query (commitWithQuery): its answer, once written. */
  private pipelinedCommit: Promise<Record<string, unknown>> | undefined
  /** COMMIT has been written (with the query, or by commit()): from then on a lost connection leaves the outcome unknown. */
  private commitWritten = false
  /** The connection's address, once acquired (for errors about the COMMIT). */
  private address: string | undefined
  private readonly start: TxStart

  constructor (start: TxStart) {
    this.start = start
    this.database = start.database
    let beginResolved: (() => void) | undefined
    let beginRejected: ((error: Error) => void) | undefined
    this.begun = new Promise<void>((resolve, reject) => { beginResolved = resolve; beginRejected = reject })
    this.begun.catch(() => {}) // observed through commit/run; never an unhandled rejection
    this.ready = (async () => {
      const acquired = await start.provider.acquire({
        mode: start.mode, database: start.database, bookmarks: async () => await start.bookmarks.current(), impersonatedUser: start.impersonatedUser, auth: start.auth, deadline: start.deadline,
        retrying: start.retrying === true
      })
      // Asked again for BEGIN (a bookmark supplier may know more by now), as the official drivers do.
      this.usedBookmarks = await start.bookmarks.current()
      if (acquired.database !== null && start.database === null) start.onDatabaseResolved(acquired.database)
      this.database = acquired.database
      const connection = acquired.connection
      this.address = connection.address
      if (start.log.enabled('session')) {
        start.log.session(`BEGIN ${start.mode} on ${connection.address} (database ${acquired.database ?? 'default'}, ${this.usedBookmarks.length} bookmark(s))`)
      }
      const observer = connection.beginTransaction({
        bookmarks: coreBookmarks(this.usedBookmarks),
        txConfig: start.txConfig,
        mode: start.mode,
        database: acquired.database ?? undefined,
        impersonatedUser: start.impersonatedUser ?? undefined,
        notificationFilter: start.notificationFilter,
        apiTelemetryConfig: start.telemetry
      }, {
        // Runs already asked for (executeQuery, a transaction function whose first
        // action is run) are written as soon as this function returns — same tick,
        // before any I/O — so BEGIN goes out in their socket write, not its own.
        runFollows: this.streaming > 0
      })
      settle(observer).then(() => beginResolved?.(), (error: Error) => {
        this.fail(error, connection)
        beginRejected?.(error)
      })
      return connection
    })()
    this.ready.catch((error: Error) => {
      this.fail(error, undefined)
      beginRejected?.(error)
    })
  }

  /** Resolves when BEGIN succeeded; rejects with its error. */
  async whenBegun (): Promise<void> {
    await this.ready
    await this.begun
  }

  isOpen (): boolean {
    return this.state === 'ACTIVE' || this.state === 'COMMITTING'
  }

  run (query: Query, parameters?: unknown, parameterRules?: Rules): Result {
    const { text, params } = prepareQuery(query, parameters, parameterRules)
    let observer: Promise<ResultStreamObserver>
    if (this.state === 'FAILED' && this.failure !== undefined) {
      // The failure itself, as commit() does: it keeps its code and its
      // retryability. The official driver awaits BEGIN before a transaction
      // function starts, so a BEGIN that fails (bookmark wait, dead leader)
      // is what its retry loop sees; we pipeline BEGIN with the work, and a
      // work function that runs a query after BEGIN failed and rethrows must
      // lead to the same decision, not to a non-retryable "Cannot run…".
      observer = Promise.reject(this.failure)
    } else if (this.state !== 'ACTIVE' || ((this.start.commitWithQuery === true || this.start.commitAtStreamEnd === true) && this.results.length > 0)) {
      observer = Promise.reject(this.notActiveError('run a query in'))
    } else {
      this.streaming++
      let finished = false
      const done = (): void => { if (!finished) { finished = true; this.streaming-- } }
      // A RUN inside a transaction carries no extra fields: mode, database,
      // bookmarks and tx config went with BEGIN. Servers refuse (and scripted
      // servers hang up on) a RUN that repeats them.
      const commitFollows = this.start.commitWithQuery === true
      // COMMIT is only valid once the stream has ended: a query it follows pulls everything at once.
      const fetchSize = commitFollows ? FETCH_ALL : this.start.fetchSize
      observer = this.ready.then(connection => {
        const stream = connection.run(text, params, {
          bookmarks: Bookmarks.empty(),
          txConfig: TxConfig.empty(),
          fetchSize,
          highRecordWatermark: watermarks(fetchSize).high,
          lowRecordWatermark: watermarks(fetchSize).low,
          beforeError: (error) => { done(); this.fail(error, connection) },
          afterComplete: () => {
            done()
            if (this.start.commitAtStreamEnd === true && this.streaming === 0) {
              // Inside the answer's dispatch: a COMMIT that cannot be written
              // (the connection just broke) is left to commit(), which reports it.
              try { this.writeCommit(connection) } catch {}
            }
          }
        }, { commitFollows })
        if (commitFollows) this.writeCommit(connection)
        return stream
      })
      observer.catch(() => done())
    }
    const result = createResult(observer, text, params, this.ready, this.start.fetchSize, this.start.driverWork !== true)
    this.results.push({ result, stream: observer })
    return result
  }

  /**
   * Write COMMIT ahead of commit() (commitWithQuery, commitAtStreamEnd);
   * commit() then waits for its answer. Only once, and only while the
   * transaction is active.
   */
  private writeCommit (connection: PooledConnection): void {
    if (this.pipelinedCommit !== undefined || this.state !== 'ACTIVE') return
    const answer = settle(connection.commitTransaction()) // throws when it could not be written
    this.commitWritten = true
    this.pipelinedCommit = answer
    answer.catch(() => {}) // observed by commit(); after a failed query the server leaves it IGNORED
  }

  async commit (options: { idempotent?: boolean } = {}): Promise<void> {
    const idempotent = options.idempotent === true
    if (this.state !== 'ACTIVE') {
      // After a failure, the failure itself is the most useful error (and keeps its retryability).
      const error = this.state === 'FAILED' && this.failure !== undefined ? this.failure : this.notActiveError('commit')
      if (this.state === 'FAILED') await this.end(true)
      throw this.commitOutcome(error, idempotent)
    }
    this.state = 'COMMITTING'
    let connection: PooledConnection
    try {
      connection = await this.begunConnection()
      // COMMIT is only valid once every stream of the transaction has ended.
      await Promise.all(this.results.map(({ result }) => result.summary()))
    } catch (error) {
      this.state = 'FAILED'
      this.failure ??= error as Error
      await this.end(true)
      throw this.commitOutcome(error as Error, idempotent)
    }
    let metadata: Record<string, unknown>
    try {
      if (this.pipelinedCommit === undefined) this.commitWritten = true
      metadata = await (this.pipelinedCommit ?? settle(connection.commitTransaction()))
    } catch (error) {
      this.state = 'FAILED'
      this.failure = error as Error
      this.start.provider.onError(error, connection.address, this.database)
      await this.end(true)
      throw this.commitOutcome(error as Error, idempotent)
    }
    this.state = 'COMMITTED'
    const bookmark = typeof metadata.bookmark === 'string' ? metadata.bookmark : undefined
    try {
      await this.start.bookmarks.committed(this.usedBookmarks, bookmark)
    } finally {
      await this.end(false)
    }
  }

  /**
   * What a failure means once COMMIT may have reached the server: a lost
   * connection (or an outcome-unknown server code) leaves the outcome unknown,
   * reported as CommitOutcomeUnknownError unless the work is idempotent. Any
   * other error, and any error before COMMIT was written, is returned as is.
   * A COMMIT written with the query (commitWithQuery) counts from the moment
   * it was written, whichever answer the failure cut off.
   */
  commitOutcome (error: Error, idempotent: boolean): Error {
    if (!this.commitWritten || idempotent || error instanceof CommitOutcomeUnknownError) return error
    if (!isConnectionLost(error) && !isOutcomeUnknownCode(error)) return error
    return new CommitOutcomeUnknownError(error, this.address)
  }

  async rollback (): Promise<void> {
    if (this.state === 'COMMITTED') throw illegalState('Cannot rollback this transaction, because it has already been committed.')
    if (this.state === 'ROLLED_BACK') throw illegalState('Cannot rollback this transaction, because it has already been rolled back.')
    if (this.state === 'COMMITTING') throw illegalState('Cannot rollback this transaction, because a commit is in progress.')
    const failed = this.state === 'FAILED'
    this.state = 'ROLLED_BACK'
    if (failed) { await this.end(true); return }
    let connection: PooledConnection
    try {
      connection = await this.begunConnection()
    } catch {
      await this.end(true)
      return
    }
    // Unfinished results are discarded first (ROLLBACK is only valid once every
    // stream has ended), so each ends with a summary: reading one afterwards
    // says it was consumed, as after a commit.
    await Promise.all(this.results.map(async ({ result, stream }) => await discardRest(result, stream).catch(() => {})))
    try {
      await settle(connection.rollbackTransaction())
    } catch (error) {
      // The server could not roll back (a database going down): say so, as the official drivers do;
      // RESET on release still ends the transaction on that connection.
      this.start.provider.onError(error, connection.address, this.database)
      await this.end(true)
      throw error
    }
    await this.end(false)
  }

  /** The transaction's connection once BEGIN succeeded (rejects with what failed: acquisition or BEGIN). */
  private async begunConnection (): Promise<PooledConnection> {
    const connection = await this.ready
    await this.begun
    return connection
  }

  /** Roll back if still open (a failed ROLLBACK is reported); always releases the connection. */
  async close (): Promise<void> {
    if (this.state === 'ACTIVE') {
      await this.rollback()
    } else if (this.state === 'FAILED') {
      this.state = 'ROLLED_BACK'
      await this.end(true)
    }
  }

  private fail (error: Error, connection: PooledConnection | undefined): void {
    if (connection !== undefined) {
      this.start.provider.onError(error, connection.address, this.database)
    }
    this.failure ??= error
    if (this.state === 'ACTIVE') {
      this.state = 'FAILED'
      // Every other open result of the transaction ends with the same error,
      // without asking the server for more: the transaction is gone, and a
      // PULL for records it will never send would only meet IGNORED.
      for (const { result, stream } of this.results) {
        if (result.isOpen()) void stream.then(observer => { observer.onError(error) }, () => {})
      }
      // A failed transaction can only be rolled back, which RESET on release
      // does: give the connection back now, as the official driver does, not
      // when the application gets round to close() or rollback() (if ever).
      void this.end(true)
    }
  }

  private notActiveError (action: string): Error {
    switch (this.state) {
      case 'COMMITTED': return illegalState(`Cannot ${action} this transaction, because it has already been committed.`)
      case 'ROLLED_BACK': return illegalState(`Cannot ${action} this transaction, because it has already been rolled back.`)
      case 'COMMITTING': return illegalState(`Cannot ${action} this transaction, because it is being committed.`)
      default: {
        const cause = this.failure
        const error = illegalState(`Cannot ${action} this transaction, because it has been rolled back either because of an error or explicit termination.` +
          (cause !== undefined ? ` Cause: ${cause.message}` : ''), cause)
        return error
      }
    }
  }

  /**
   * Release the connection (RESET first when `dirty`) and tell the session;
   * runs once, and every caller waits for that one release to finish.
   */
  private async end (dirty: boolean): Promise<void> {
    this.ending ??= (async () => {
      try {
        const connection = await this.ready.catch(() => undefined)
        if (connection !== undefined) await connection.release(dirty)
      } finally {
        this.start.onEnded()
      }
    })()
    await this.ending
  }
}

/**
 * What transaction functions (executeRead/executeWrite) receive: run only; the
 * driver commits. Transaction adds the explicit transaction's controls to it.
 */
export class ManagedTransaction {
  /** @internal */
  protected readonly core: TxCore
  /** @internal Managed transactions are handed to executeRead/executeWrite work; transactions come from session.beginTransaction(). */
  constructor (core: TxCore) { this.core = core }
  /** `R` types the records; `parameterRules` map the parameters (record object mapping). */
  run<R extends RecordShape = RecordShape> (query: Query, parameters?: any, parameterRules?: Rules): Result<R> { return this.core.run(query, parameters, parameterRules) as Result<R> }
}

/** `session.beginTransaction()` and the transaction it resolves to. */
export class Transaction extends ManagedTransaction {
  async commit (): Promise<void> { await this.core.commit() }
  async rollback (): Promise<void> { await this.core.rollback() }
  async close (): Promise<void> { await this.core.close() }
  isOpen (): boolean { return this.core.isOpen() }
  async [Symbol.asyncDispose] (): Promise<void> { await this.core.close() }
}

/**
 * What beginTransaction() returns: usable at once (runs are pipelined after
 * BEGIN) and awaitable (resolves to the Transaction once BEGIN succeeded).
 */
export class TransactionPromise extends Transaction implements PromiseLike<Transaction> {
  private begun: Promise<Transaction> | undefined
  private whenBegun (): Promise<Transaction> {
    this.begun ??= this.core.whenBegun().then(() => new Transaction(this.core))
    return this.begun
  }

  // eslint-disable-next-line unicorn/no-thenable -- mirrors the official TransactionPromise
  then<A = Transaction, B = never> (onFulfilled?: ((value: Transaction) => A | PromiseLike<A>) | null, onRejected?: ((reason: any) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.whenBegun().then(onFulfilled, onRejected)
  }

  catch<B = never> (onRejected?: ((reason: any) => B | PromiseLike<B>) | null): Promise<Transaction | B> {
    return this.whenBegun().catch(onRejected)
  }

  finally (onFinally?: (() => void) | null): Promise<Transaction> {
    return this.whenBegun().finally(onFinally)
  }
}
