// The per-connection Bolt state machine (neo4j/docs-bolt `bolt/server-state.adoc`,
// `appendix/version-5.adoc`): which request is valid in which state, and what
// happens on failures, RESET and GOODBYE. The requests themselves are in
// session-setup.ts (HELLO, LOGON, TELEMETRY, ROUTE) and
// session-transactions.ts (BEGIN, RUN, PULL, DISCARD, COMMIT, ROLLBACK).
//
// The connection feeds requests strictly one at a time (handle() is awaited),
// so pipelined requests are answered in order even though backend calls are
// asynchronous. Rules worth knowing:
// - After any FAILURE the state is FAILED: everything but RESET and GOODBYE is
//   answered IGNORED. A failure also ends the open transaction (rolled back).
// - A RESET interrupts: the request being handled stops waiting at once and,
//   like every request queued before the RESET, is answered IGNORED; RESET
//   itself rolls back any transaction and answers SUCCESS.
// - A request that is unknown in the negotiated version, malformed, or invalid
//   in the current state gets FAILURE Request.Invalid and the connection closes.
//   A field with a value the protocol does not allow gets Request.Invalid and
//   the FAILED state (strict-rules.ts lists what is refused, and `lenient`
//   lets it pass).
// - A FAILURE during HELLO or LOGON (wrong password) closes the connection.
// - COMMIT and ROLLBACK wait for every result to be consumed or discarded
//   (TX_STREAMING has no such transition); lenient, they discard them.

import { asFixtureError } from '../errors.js'
import type { CypherMap } from '../values.js'
import { type RequestName, REQUEST, checkFieldCount, mapField, protocolViolation, requestName } from './messages.js'
import type { Structure } from './packstream.js'
import { stateViolation } from './request-errors.js'
import type { ResponseSink, ServerState, SessionContext } from './session-contract.js'
import { authenticate, hello, route, telemetry } from './session-setup.js'
import { SessionTransactions } from './session-transactions.js'
import { Interrupted, UnitOfWork } from './unit-of-work.js'
import type { CodecOptions } from './value-codec.js'
import { features, versionName } from './versions.js'

export type { ResponseSink, ServerState, SessionContext } from './session-contract.js'

export class BoltSession {
  state: ServerState = 'NEGOTIATION'
  /** How values are encoded on this connection (4.4 may switch to UTC DateTime in HELLO). */
  readonly codec: CodecOptions
  private user: string | null = null
  /** Run before each request of the logged-on connection: throws when the logon expired. */
  private loginCheck: (() => void) | undefined
  private routingContext: CypherMap | null = null
  private readonly transactions: SessionTransactions
  private interruptsPending = 0
  /** The request being handled, which a RESET arriving meanwhile interrupts. */
  private work: UnitOfWork | null = null

  constructor (private readonly ctx: SessionContext, private readonly sink: ResponseSink) {
    this.codec = { elementIds: features.elementIds(ctx.version), utcDateTime: features.utcDateTime(ctx.version) }
    this.transactions = new SessionTransactions({
      ctx,
      sink,
      codec: this.codec,
      principal: () => this.user,
      routing: () => this.routingContext
    })
  }

  /** The routing context the client sent in HELLO (null for direct `bolt://` connections). */
  get routing (): CypherMap | null {
    return this.routingContext
  }

  get principal (): string | null {
    return this.user
  }

  /** Called when a request arrives, before the queue reaches it: a RESET interrupts everything before it. */
  noteArrival (tag: number): void {
    if (tag !== REQUEST.RESET) return
    this.interruptsPending += 1
    if (this.isAuthenticated()) this.work?.interrupt()
  }

  /** Handles one request completely. Never throws: every problem becomes a FAILURE. */
  async handle (request: Structure): Promise<void> {
    const name = requestName(request.tag, this.ctx.version)
    if (request.tag === REQUEST.RESET && this.interruptsPending > 0) this.interruptsPending -= 1
    const work = new UnitOfWork()
    this.work = work
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
      // A logon that expired (bearer token, authorization) fails the request; LOGOFF may still end it.
      if (this.isAuthenticated() && name !== 'LOGOFF') this.loginCheck?.()
      await this.dispatch(name, request, work)
    } catch (error) {
      if (error instanceof Interrupted || work.interrupted) return await this.interrupted()
      await this.fail(error)
    } finally {
      this.work = null
    }
  }

  /** The connection is gone: roll back whatever is open. */
  async abandon (): Promise<void> {
    this.state = 'DEFUNCT'
    await this.transactions.drop()
  }

  private isAuthenticated (): boolean {
    return this.state !== 'NEGOTIATION' && this.state !== 'AUTHENTICATION' && this.state !== 'DEFUNCT'
  }

  private async dispatch (name: RequestName, request: Structure, work: UnitOfWork): Promise<void> {
    const state = this.state
    const transactions = this.transactions
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
        if (state === 'READY') return this.enter(await transactions.runAutoCommit(request, work))
        if (state === 'TX_READY' || state === 'TX_STREAMING') return this.enter(await transactions.runInTransaction(request, work))
        break
      case 'PULL':
      case 'DISCARD':
        if (state === 'STREAMING' || state === 'TX_STREAMING') return this.enter(await transactions.consume(name, request, work))
        break
      case 'BEGIN':
        if (state === 'READY') return this.enter(await transactions.begin(request, work))
        break
      case 'COMMIT':
      case 'ROLLBACK':
        if (state === 'TX_STREAMING') this.ctx.judge.breach('finish-with-open-result', () => stateViolation(name, state))
        if (state === 'TX_READY' || state === 'TX_STREAMING') {
          return this.enter(await (name === 'COMMIT' ? transactions.commit(work) : transactions.rollback(work)))
        }
        break
      case 'ROUTE':
        if (state === 'READY') {
          this.sink.flushSoon() // a ROUTE may wait for its bookmarks
          return this.sink.success(await route(this.ctx, request, this.codec, this.user ?? '', work))
        }
        break
      case 'TELEMETRY':
        if (state === 'READY') {
          telemetry(this.ctx, request)
          return this.sink.success({})
        }
        break
    }
    throw stateViolation(name, state)
  }

  private enter (state: ServerState): void {
    this.state = state
  }

  private async fail (error: unknown, closeConnection = false): Promise<void> {
    const failure = asFixtureError(error)
    this.sink.failure(failure)
    await this.transactions.drop()
    if (failure.fatal || closeConnection) {
      this.state = 'DEFUNCT'
      this.sink.close()
    } else {
      this.state = 'FAILED'
    }
  }

  /** A RESET stopped the request: no FAILURE (the client asked for it), IGNORED like the rest before the RESET. */
  private async interrupted (): Promise<void> {
    this.sink.ignored()
    await this.transactions.drop()
    if (this.state !== 'DEFUNCT') this.state = 'INTERRUPTED'
  }

  private async goodbye (): Promise<void> {
    await this.transactions.drop()
    this.state = 'DEFUNCT'
    this.sink.close()
  }

  private async reset (): Promise<void> {
    if (this.state === 'NEGOTIATION') throw protocolViolation('RESET before HELLO')
    // Lenient: RESET before LOGON is answered SUCCESS and changes nothing.
    if (this.state === 'AUTHENTICATION') this.ctx.judge.breach('reset-before-ready', () => stateViolation('RESET', 'AUTHENTICATION'))
    await this.transactions.drop()
    this.sink.success({})
    if (this.state !== 'AUTHENTICATION') this.state = 'READY'
  }

  // --- connection setup ------------------------------------------------------

  private async hello (request: Structure): Promise<void> {
    try {
      const { metadata, routing, extra } = hello(this.ctx, request, this.codec)
      if (!features.logon(this.ctx.version)) this.logIn(authenticate(this.ctx, extra))
      this.routingContext = routing
      this.sink.success(metadata)
    } catch (error) {
      return await this.fail(error, true)
    }
    this.state = features.logon(this.ctx.version) ? 'AUTHENTICATION' : 'READY'
  }

  private async logon (request: Structure): Promise<void> {
    try {
      this.logIn(authenticate(this.ctx, mapField(request, 0, 'LOGON auth')))
    } catch (error) {
      return await this.fail(error, true)
    }
    this.sink.success({})
    this.state = 'READY'
  }

  private logIn (login: { user: string, check?: () => void }): void {
    this.user = login.user
    this.loginCheck = login.check
  }

  private logoff (): void {
    this.user = null
    this.loginCheck = undefined
    this.sink.success({})
    this.state = 'AUTHENTICATION'
  }
}
