// The transaction and the open results of one Bolt connection: BEGIN, RUN
// (auto-commit or inside BEGIN), PULL / DISCARD, COMMIT and ROLLBACK — what
// each asks of the backend and what SUCCESS metadata the clients expect
// (neo4j/docs-bolt `bolt/message.adoc`). The session checks beforehand that
// the request is valid in its state; each handler answers through the sink
// and returns the state the session moves to.
//
// Every backend wait goes through the request's UnitOfWork, so a RESET that
// arrives meanwhile ends it at once (Interrupted); a transaction begun after
// that is rolled back, and a commit carries on without anyone waiting for it.

import { FixtureError } from '../errors.js'
import type { CypherMap } from '../values.js'
import type { BackendTransaction, TxRequest } from './backend.js'
import { mapField, parseStreamExtra, parseTxExtra, stringField, type TxExtra } from './messages.js'
import type { Structure } from './packstream.js'
import { extraInsideTransaction } from './request-errors.js'
import { ResultStream, elapsedMs } from './result-stream.js'
import type { ResponseSink, ServerState, SessionContext } from './session-contract.js'
import type { UnitOfWork } from './unit-of-work.js'
import { type CodecOptions, toCypherMap } from './value-codec.js'
import { features } from './versions.js'

/** What the transactions need of their session. */
export interface TransactionHost {
  readonly ctx: SessionContext
  readonly sink: ResponseSink
  readonly codec: CodecOptions
  /** The authenticated principal (null before LOGON). */
  principal: () => string | null
  /** The routing context the client sent in HELLO (null for `bolt://`). */
  routing: () => CypherMap | null
}

const rollBackQuietly = (tx: BackendTransaction): void => { tx.rollback().catch(() => {}) }

export class SessionTransactions {
  private tx: BackendTransaction | null = null
  private autoCommit = false
  private readonly streams = new Map<number, ResultStream>()
  private lastQid = -1
  private nextQid = 0

  constructor (private readonly host: TransactionHost) {}

  /** Results of the current transaction not yet consumed or discarded. */
  get openResults (): number {
    return this.streams.size
  }

  async runAutoCommit (request: Structure, work: UnitOfWork): Promise<ServerState> {
    const { ctx, sink } = this.host
    const startedAt = performance.now()
    const query = stringField(request, 0, 'RUN query')
    const params = toCypherMap(mapField(request, 1, 'RUN parameters'), this.host.codec)
    const extra = parseTxExtra(mapField(request, 2, 'RUN extra'), ctx.judge)
    sink.flushSoon()
    const tx = await work.wait(ctx.backend.beginTransaction(this.txRequest(extra, true), work), rollBackQuietly)
    if (!await this.adopt(tx, true)) return 'DEFUNCT'
    const result = await work.wait(tx.run(query, params, work))
    if (ctx.isClosed()) return 'DEFUNCT'
    this.streams.set(-1, new ResultStream(result, startedAt))
    this.lastQid = -1
    const metadata: CypherMap = { fields: result.keys, t_first: elapsedMs(startedAt) }
    if (features.reportsResolvedDatabase(ctx.version) && extra.database === null) metadata.db = tx.database
    sink.success(metadata)
    return 'STREAMING'
  }

  async runInTransaction (request: Structure, work: UnitOfWork): Promise<ServerState> {
    const { ctx, sink } = this.host
    const startedAt = performance.now()
    const query = stringField(request, 0, 'RUN query')
    const params = toCypherMap(mapField(request, 1, 'RUN parameters'), this.host.codec)
    const extra = mapField(request, 2, 'RUN extra')
    const carried = Object.keys(extra)
    // Lenient: the settings are ignored; the transaction keeps BEGIN's.
    if (carried.length > 0) ctx.judge.breach('run-in-transaction-extra', () => extraInsideTransaction(carried))
    const tx = this.tx as BackendTransaction
    sink.flushSoon()
    const result = await work.wait(tx.run(query, params, work))
    if (ctx.isClosed()) return 'DEFUNCT'
    const qid = this.nextQid++
    this.streams.set(qid, new ResultStream(result, startedAt))
    this.lastQid = qid
    sink.success({ fields: result.keys, t_first: elapsedMs(startedAt), qid: BigInt(qid) })
    return 'TX_STREAMING'
  }

  async consume (name: 'PULL' | 'DISCARD', request: Structure, work: UnitOfWork): Promise<ServerState> {
    const { ctx, sink } = this.host
    const { n, qid } = parseStreamExtra(name, mapField(request, 0, `${name} extra`), ctx.judge)
    const key = qid === -1 ? this.lastQid : qid
    const stream = this.streams.get(key)
    if (stream === undefined) throw new FixtureError('RequestInvalid', `${name}: there is no open result with qid ${qid}`)
    if (name === 'PULL') stream.take(n, row => sink.record(row))
    else stream.skip(n)
    if (stream.hasMore) {
      sink.success({ has_more: true })
      return this.autoCommit ? 'STREAMING' : 'TX_STREAMING'
    }
    this.streams.delete(key)
    const tx = this.tx as BackendTransaction
    const summary = stream.summary(tx.database, ctx.version)
    if (!this.autoCommit) {
      sink.success(summary)
      return this.streams.size > 0 ? 'TX_STREAMING' : 'TX_READY'
    }
    // Auto-commit: the transaction commits once its only result is consumed.
    sink.flushSoon()
    const { bookmark } = await work.wait(tx.commit(work))
    this.tx = null
    this.autoCommit = false
    if (ctx.isClosed()) return 'DEFUNCT'
    // Only writes are "commits" for the chaos drop: an auto-commit read must not use one up.
    if (stream.result.queryType !== 'r' && ctx.consumeCommitDrop()) {
      sink.destroy()
      return 'DEFUNCT'
    }
    summary.bookmark = bookmark
    sink.success(summary)
    return 'READY'
  }

  async begin (request: Structure, work: UnitOfWork): Promise<ServerState> {
    const { ctx, sink } = this.host
    const extra = parseTxExtra(mapField(request, 0, 'BEGIN extra'), ctx.judge)
    sink.flushSoon()
    const tx = await work.wait(ctx.backend.beginTransaction(this.txRequest(extra, false), work), rollBackQuietly)
    if (!await this.adopt(tx, false)) return 'DEFUNCT'
    const reportDb = features.reportsResolvedDatabase(ctx.version) && extra.database === null
    sink.success(reportDb ? { db: tx.database } : {})
    return 'TX_READY'
  }

  /** COMMIT; results still open (only with a lenient judge) are discarded. */
  async commit (work: UnitOfWork): Promise<ServerState> {
    const { ctx, sink } = this.host
    this.streams.clear()
    const tx = this.tx as BackendTransaction
    sink.flushSoon()
    const { bookmark } = await work.wait(tx.commit(work))
    this.tx = null
    if (ctx.isClosed()) return 'DEFUNCT'
    if (ctx.consumeCommitDrop()) {
      sink.destroy()
      return 'DEFUNCT'
    }
    sink.success({ bookmark })
    return 'READY'
  }

  async rollback (work: UnitOfWork): Promise<ServerState> {
    this.streams.clear()
    const tx = this.tx as BackendTransaction
    this.tx = null
    this.host.sink.flushSoon()
    await work.wait(tx.rollback())
    this.host.sink.success({})
    return 'READY'
  }

  /** Forgets the results and rolls back the open transaction, if any (failure, RESET, GOODBYE, close). */
  async drop (): Promise<void> {
    this.streams.clear()
    this.lastQid = -1
    const tx = this.tx
    this.tx = null
    this.autoCommit = false
    if (tx === null) return
    this.host.sink.flushSoon()
    try {
      await tx.rollback()
    } catch {
      // Rollback is best effort here: the transaction is abandoned either way.
    }
  }

  private txRequest (extra: TxExtra, autoCommit: boolean): TxRequest {
    return {
      database: extra.database,
      mode: extra.mode,
      bookmarks: extra.bookmarks,
      txTimeoutMs: extra.txTimeoutMs,
      metadata: toCypherMap(extra.metadata, this.host.codec),
      impersonatedUser: extra.impersonatedUser,
      user: this.host.principal() ?? '',
      autoCommit,
      routingContext: this.host.routing()
    }
  }

  /** A transaction that arrived after the connection closed is rolled back at once. */
  private async adopt (tx: BackendTransaction, autoCommit: boolean): Promise<boolean> {
    if (this.host.ctx.isClosed()) {
      try { await tx.rollback() } catch { /* abandoned anyway */ }
      return false
    }
    this.tx = tx
    this.autoCommit = autoCommit
    this.nextQid = 0
    this.lastQid = -1
    return true
  }
}
