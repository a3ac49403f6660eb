// The per-connection Bolt state machine (neo4j/docs-bolt `bolt/server-state.adoc`,
// `appendix/version-5.adoc`): which request is valid in which state, what it
// asks of the MemberBackend, and what SUCCESS metadata the clients expect.
//
// The connection feeds requests strictly one at a time (handle() is awaited),
// so pipelined requests are answered in order even though backend calls are
// asynchronous. Rules worth knowing:
// - After any FAILURE the state is FAILED: everything but RESET and GOODBYE is
//   answered IGNORED. A failure also ends the open transaction (rolled back).
// - A RESET interrupts: requests queued before it are answered IGNORED
//   (INTERRUPTED); RESET itself rolls back any transaction and answers SUCCESS.
// - A request that is unknown in the negotiated version, malformed, or invalid
//   in the current state gets FAILURE Request.Invalid and the connection closes.
// - A FAILURE during HELLO or LOGON (wrong password) closes the connection.
// - COMMIT and ROLLBACK are accepted with results still open (they are
//   discarded), as Neo4j does.

import { FixtureError, asFixtureError } from '../errors.js'
import type { CypherMap } from '../values.js'
import type { AuthRequest, BackendTransaction, TxRequest } from './backend.js'
import {
  type RequestName, REQUEST, checkFieldCount, isPackMap, mapField, optionalMap, optionalString, parseStreamExtra,
  parseTxExtra, protocolViolation, requestName, stringField, stringList
} from './messages.js'
import type { PackMap, Structure } from './packstream.js'
import { ResultStream, elapsedMs } from './result-stream.js'
import type { ResponseSink, ServerState, SessionContext } from './session-contract.js'
import { type CodecOptions, toCypherMap } from './value-codec.js'
import { features, versionName } from './versions.js'

export type { ResponseSink, ServerState, SessionContext } from './session-contract.js'

export class BoltSession {
  state: ServerState = 'NEGOTIATION'
  /** How values are encoded on this connection (4.4 may switch to UTC DateTime in HELLO). */
  readonly codec: CodecOptions
  private user: string | null = null
  private routingContext: CypherMap | null = null
  private tx: BackendTransaction | null = null
  private txIsAutoCommit = false
  private readonly streams = new Map<number, ResultStream>()
  private lastQid = -1
  private nextQid = 0
  private interruptsPending = 0

  constructor (private readonly ctx: SessionContext, private readonly sink: ResponseSink) {
    this.codec = { elementIds: features.elementIds(ctx.version), utcDateTime: features.utcDateTime(ctx.version) }
  }

  /** The routing context the client sent in HELLO (null for direct `bolt://` connections). */
  get routing (): CypherMap | null {
    return this.routingContext
  }

  get principal (): string | null {
    return this.user
  }

  /** Called when a request arrives, before the queue reaches it: a RESET interrupts everything queued before it. */
  noteArrival (tag: number): void {
    if (tag === REQUEST.RESET) this.interruptsPending += 1
  }

  /** Handles one request completely. Never throws: every problem becomes a FAILURE. */
  async handle (request: Structure): Promise<void> {
    const name = requestName(request.tag, this.ctx.version)
    if (request.tag === REQUEST.RESET && this.interruptsPending > 0) this.interruptsPending -= 1
    try {
      if (name === null) {
        throw protocolViolation(`Unknown message 0x${request.tag.toString(16).toUpperCase().padStart(2, '0')} for Bolt ${versionName(this.ctx.version)}`)
      }
      checkFieldCount(name, request)
      if (name === 'GOODBYE') return await this.goodbye()
      if (name === 'RESET') return await this.reset()
      if (this.state === 'FAILED' || (this.interruptsPending > 0 && this.isAuthenticated())) {
        if (this.interruptsPending > 0) this.state = 'INTERRUPTED'
        this.sink.ignored()
        return
      }
      await this.dispatch(name, request)
    } catch (error) {
      await this.fail(error)
    }
  }

  /** The connection is gone: roll back whatever is open. */
  async abandon (): Promise<void> {
    this.state = 'DEFUNCT'
    await this.dropTransaction()
  }

  private isAuthenticated (): boolean {
    return this.state !== 'NEGOTIATION' && this.state !== 'AUTHENTICATION' && this.state !== 'DEFUNCT'
  }

  private async dispatch (name: RequestName, request: Structure): Promise<void> {
    const state = this.state
    switch (name) {
      case 'HELLO':
        if (state === 'NEGOTIATION') return await this.hello(request)
        break
      case 'LOGON':
        if (state === 'AUTHENTICATION') return await this.logon(request)
        break
      case 'LOGOFF':
        if (state === 'READY') return this.logoff()
        break
      case 'RUN':
        if (state === 'READY') return await this.runAutoCommit(request)
        if (state === 'TX_READY' || state === 'TX_STREAMING') return await this.runInTransaction(request)
        break
      case 'PULL':
      case 'DISCARD':
        if (state === 'STREAMING' || state === 'TX_STREAMING') return await this.consume(name, request)
        break
      case 'BEGIN':
        if (state === 'READY') return await this.begin(request)
        break
      case 'COMMIT':
        if (state === 'TX_READY' || state === 'TX_STREAMING') return await this.commit()
        break
      case 'ROLLBACK':
        if (state === 'TX_READY' || state === 'TX_STREAMING') return await this.rollback()
        break
      case 'ROUTE':
        if (state === 'READY') return await this.route(request)
        break
      case 'TELEMETRY':
        if (state === 'READY') return this.telemetry(request)
        break
    }
    throw protocolViolation(`Message ${name} cannot be handled by a session in the ${state} state`)
  }

  private async fail (error: unknown, closeConnection = false): Promise<void> {
    const failure = asFixtureError(error)
    this.sink.failure(failure)
    await this.dropTransaction()
    if (failure.fatal || closeConnection) {
      this.state = 'DEFUNCT'
      this.sink.close()
    } else {
      this.state = 'FAILED'
    }
  }

  private async dropTransaction (): Promise<void> {
    this.streams.clear()
    this.lastQid = -1
    const tx = this.tx
    this.tx = null
    this.txIsAutoCommit = false
    if (tx === null) return
    this.sink.flushSoon()
    try {
      await tx.rollback()
    } catch {
      // Rollback is best effort here: the transaction is abandoned either way.
    }
  }

  private async goodbye (): Promise<void> {
    await this.dropTransaction()
    this.state = 'DEFUNCT'
    this.sink.close()
  }

  private async reset (): Promise<void> {
    if (this.state === 'NEGOTIATION') throw protocolViolation('RESET before HELLO')
    await this.dropTransaction()
    this.sink.success({})
    if (this.state !== 'AUTHENTICATION') this.state = 'READY'
  }

  // --- connection setup ------------------------------------------------------

  private async hello (request: Structure): Promise<void> {
    const extra = mapField(request, 0, 'HELLO extra')
    const routing = optionalMap(extra, 'routing')
    optionalString(extra, 'user_agent')
    try {
      if (!features.logon(this.ctx.version)) this.user = this.authenticate(extra)
    } catch (error) {
      return await this.fail(error, true)
    }
    this.routingContext = routing === null ? null : toCypherMap(routing, this.codec)
    const version = this.ctx.version
    const metadata: CypherMap = {
      server: this.ctx.backend.serverAgent,
      connection_id: this.ctx.connectionId
    }
    const hints: CypherMap = {}
    const { recvTimeoutSeconds, telemetryEnabled, ssrEnabled } = this.ctx.hints
    if (recvTimeoutSeconds !== undefined) hints['connection.recv_timeout_seconds'] = BigInt(Math.max(0, Math.floor(recvTimeoutSeconds)))
    if (features.telemetry(version)) hints['telemetry.enabled'] = telemetryEnabled === true
    if (features.reportsResolvedDatabase(version)) hints['ssr.enabled'] = ssrEnabled === true
    metadata.hints = hints
    if (this.ctx.negotiatedByManifest) metadata.protocol_version = versionName(version)
    if (features.utcPatchable(version) && stringList(extra.patch_bolt, "'patch_bolt'").includes('utc')) {
      this.codec.utcDateTime = true
      metadata.patch_bolt = ['utc']
    }
    this.sink.success(metadata)
    this.state = features.logon(version) ? 'AUTHENTICATION' : 'READY'
  }

  private async logon (request: Structure): Promise<void> {
    try {
      this.user = this.authenticate(mapField(request, 0, 'LOGON auth'))
    } catch (error) {
      return await this.fail(error, true)
    }
    this.sink.success({})
    this.state = 'READY'
  }

  private logoff (): void {
    this.user = null
    this.sink.success({})
    this.state = 'AUTHENTICATION'
  }

  /** The credentials go to the backend and nowhere else (never logged, never echoed). */
  private authenticate (token: PackMap): string {
    const auth: AuthRequest = { scheme: optionalString(token, 'scheme') ?? 'none' }
    if (typeof token.principal === 'string') auth.principal = token.principal
    if (typeof token.credentials === 'string') auth.credentials = token.credentials
    return String(this.ctx.backend.authenticate(auth))
  }

  private telemetry (request: Structure): void {
    if (typeof request.fields[0] !== 'bigint') throw protocolViolation('TELEMETRY api must be an Integer')
    this.sink.success({})
  }

  // --- queries -------------------------------------------------------------

  private txRequest (extra: ReturnType<typeof parseTxExtra>, autoCommit: boolean): TxRequest {
    return {
      database: extra.database,
      mode: extra.mode,
      bookmarks: extra.bookmarks,
      txTimeoutMs: extra.txTimeoutMs,
      metadata: toCypherMap(extra.metadata, this.codec),
      impersonatedUser: extra.impersonatedUser,
      user: this.user ?? '',
      autoCommit
    }
  }

  /** A transaction that arrived after the connection closed is rolled back at once. */
  private async adopt (tx: BackendTransaction, autoCommit: boolean): Promise<boolean> {
    if (this.ctx.isClosed()) {
      try { await tx.rollback() } catch { /* abandoned anyway */ }
      return false
    }
    this.tx = tx
    this.txIsAutoCommit = autoCommit
    this.nextQid = 0
    this.lastQid = -1
    return true
  }

  private async runAutoCommit (request: Structure): Promise<void> {
    const startedAt = performance.now()
    const query = stringField(request, 0, 'RUN query')
    const params = toCypherMap(mapField(request, 1, 'RUN parameters'), this.codec)
    const extra = parseTxExtra(mapField(request, 2, 'RUN extra'))
    const txRequest = this.txRequest(extra, true)
    this.sink.flushSoon()
    const tx = await this.ctx.backend.beginTransaction(txRequest)
    if (!await this.adopt(tx, true)) return
    const result = await tx.run(query, params)
    if (this.ctx.isClosed()) return
    this.streams.set(-1, new ResultStream(result, startedAt))
    this.lastQid = -1
    const metadata: CypherMap = { fields: result.keys, t_first: elapsedMs(startedAt) }
    if (features.reportsResolvedDatabase(this.ctx.version) && extra.database === null) metadata.db = tx.database
    this.sink.success(metadata)
    this.state = 'STREAMING'
  }

  private async runInTransaction (request: Structure): Promise<void> {
    const startedAt = performance.now()
    const query = stringField(request, 0, 'RUN query')
    const params = toCypherMap(mapField(request, 1, 'RUN parameters'), this.codec)
    mapField(request, 2, 'RUN extra') // empty inside a transaction; nothing in it applies
    const tx = this.tx as BackendTransaction
    this.sink.flushSoon()
    const result = await tx.run(query, params)
    if (this.ctx.isClosed()) return
    const qid = this.nextQid++
    this.streams.set(qid, new ResultStream(result, startedAt))
    this.lastQid = qid
    this.sink.success({ fields: result.keys, t_first: elapsedMs(startedAt), qid: BigInt(qid) })
    this.state = 'TX_STREAMING'
  }

  private async consume (name: 'PULL' | 'DISCARD', request: Structure): Promise<void> {
    const { n, qid } = parseStreamExtra(name, mapField(request, 0, `${name} extra`))
    const key = qid === -1 ? this.lastQid : qid
    const stream = this.streams.get(key)
    if (stream === undefined) throw new FixtureError('RequestInvalid', `${name}: there is no open result with qid ${qid}`)
    if (name === 'PULL') stream.take(n, row => this.sink.record(row))
    else stream.skip(n)
    if (stream.hasMore) {
      this.sink.success({ has_more: true })
      return
    }
    this.streams.delete(key)
    const tx = this.tx as BackendTransaction
    const summary = stream.summary(tx.database)
    if (!this.txIsAutoCommit) {
      this.sink.success(summary)
      this.state = this.streams.size > 0 ? 'TX_STREAMING' : 'TX_READY'
      return
    }
    // Auto-commit: the transaction commits once its only result is consumed.
    this.sink.flushSoon()
    const { bookmark } = await tx.commit()
    this.tx = null
    this.txIsAutoCommit = false
    if (this.ctx.isClosed()) return
    // Only writes are "commits" for the chaos drop: an auto-commit read must not use one up.
    if (stream.result.queryType !== 'r' && this.ctx.consumeCommitDrop()) {
      this.state = 'DEFUNCT'
      this.sink.destroy()
      return
    }
    summary.bookmark = bookmark
    this.sink.success(summary)
    this.state = 'READY'
  }

  private async begin (request: Structure): Promise<void> {
    const extra = parseTxExtra(mapField(request, 0, 'BEGIN extra'))
    const txRequest = this.txRequest(extra, false)
    this.sink.flushSoon()
    const tx = await this.ctx.backend.beginTransaction(txRequest)
    if (!await this.adopt(tx, false)) return
    const reportDb = features.reportsResolvedDatabase(this.ctx.version) && extra.database === null
    this.sink.success(reportDb ? { db: tx.database } : {})
    this.state = 'TX_READY'
  }

  private async commit (): Promise<void> {
    this.streams.clear()
    const tx = this.tx as BackendTransaction
    this.sink.flushSoon()
    const { bookmark } = await tx.commit()
    this.tx = null
    if (this.ctx.isClosed()) return
    if (this.ctx.consumeCommitDrop()) {
      this.state = 'DEFUNCT'
      this.sink.destroy()
      return
    }
    this.sink.success({ bookmark })
    this.state = 'READY'
  }

  private async rollback (): Promise<void> {
    this.streams.clear()
    const tx = this.tx as BackendTransaction
    this.tx = null
    this.sink.flushSoon()
    await tx.rollback()
    this.sink.success({})
    this.state = 'READY'
  }

  private async route (request: Structure): Promise<void> {
    const routing = toCypherMap(mapField(request, 0, 'ROUTE routing context'), this.codec)
    const bookmarks = stringList(request.fields[1], 'ROUTE bookmarks')
    const third = request.fields[2]
    let database: string | null = null
    let impersonatedUser: string | null = null
    if (isPackMap(third)) {
      database = optionalString(third, 'db')
      impersonatedUser = optionalString(third, 'imp_user')
    } else if (typeof third === 'string') {
      database = third // Bolt 4.3 sent the database name itself
    } else if (third !== null) {
      throw protocolViolation('ROUTE extra must be a Dictionary')
    }
    this.sink.flushSoon()
    const table = await this.ctx.backend.route({
      routing,
      bookmarks,
      database: database === '' ? null : database,
      impersonatedUser,
      user: this.user ?? ''
    })
    if (this.ctx.isClosed()) return
    this.sink.success({
      rt: {
        ttl: BigInt(Math.max(0, Math.floor(table.ttlSeconds))),
        db: table.db,
        servers: table.servers.map(server => ({ addresses: [...server.addresses], role: server.role }))
      }
    })
  }
}

