// The state of one testkit connection (one test): its drivers, sessions,
// transactions, results, errors and bookmark managers, its clock, the
// callbacks waiting for testkit's answers, and an id counter. Everything is released when the
// connection closes, so one test can never leak into the next.

import type { AuthTokenManager, BookmarkManager, ClientCertificateProvider, Driver, ManagedTransaction, Result, Session, Transaction } from '../lib/index.js'
import { BackendClock } from './clock.js'
import { BackendProblem } from './protocol/problems.js'

export type Id = number

/** A transaction function attempt waiting for RetryablePositive / RetryableNegative. */
export interface PendingAttempt {
  readonly resolve: () => void
  readonly reject: (error: Error) => void
}

export interface SessionEntry {
  readonly session: Session
  /** Set while testkit plays the body of a transaction function on this session. */
  attempt: PendingAttempt | undefined
}

export interface TransactionEntry {
  readonly tx: Transaction | ManagedTransaction
  readonly sessionId: unknown
}

export interface ResultEntry {
  readonly result: Result
  /** Created by the first ResultNext/ResultPeek; later calls continue it. */
  iterator: ReturnType<Result[typeof Symbol.asyncIterator]> | undefined
}

export type CallbackKind = 'resolver' | 'bookmarksSupplier' | 'bookmarksConsumer' | 'getAuth' | 'handleSecurityException' |
'basicAuthTokenProvider' | 'bearerAuthTokenProvider' | 'clientCertificateProvider'

/** What testkit answered to an AuthTokenManagerHandleSecurityExceptionRequest. */
export interface SecurityDecision { readonly code: string, readonly handled: boolean }

interface PendingCallback {
  readonly kind: CallbackKind
  readonly resolve: (value: Record<string, unknown>) => void
  readonly reject: (error: Error) => void
}

/** Writes one response block (a final response, or a callback request to testkit). */
export type Send = (name: string, data: Record<string, unknown> | null) => void

class Registry<T> {
  private readonly items = new Map<string, T>()
  constructor (private readonly what: string) {}
  add (id: Id, item: T): Id { this.items.set(String(id), item); return id }
  get (id: unknown): T {
    const item = this.items.get(String(id))
    if (item === undefined) throw new BackendProblem(`no ${this.what} with id ${JSON.stringify(id)} in this connection`)
    return item
  }
  find (id: unknown): T | undefined { return this.items.get(String(id)) }
  delete (id: unknown): void { this.items.delete(String(id)) }
  values (): T[] { return [...this.items.values()] }
  clear (): void { this.items.clear() }
}

/** How long closing a connection waits for its drivers to close. */
const CLOSE_BOUND_MS = 5_000

export class Context {
  readonly drivers = new Registry<Driver>('driver')
  readonly sessions = new Registry<SessionEntry>('session')
  readonly transactions = new Registry<TransactionEntry>('transaction')
  readonly results = new Registry<ResultEntry>('result')
  readonly errors = new Registry<Error>('error')
  readonly bookmarkManagers = new Registry<BookmarkManager>('bookmark manager')
  /** NewAuthTokenManager / NewBasicAuthTokenManager / NewBearerAuthTokenManager (one id space, as testkit wants). */
  readonly authTokenManagers = new Registry<AuthTokenManager>('auth token manager')
  readonly certificateProviders = new Registry<ClientCertificateProvider>('client certificate provider')
  /**
   * handleSecurityException answers synchronously (the driver's error path
   * cannot wait), so the backend's custom managers answer "handled" at once
   * and ask testkit in the background; an error reply waits for those
   * answers and reports the error as not retryable if testkit said "not handled".
   */
  readonly securityDecisions: Array<Promise<SecurityDecision>> = []
  /** The time every driver of this connection reads; FakeTime requests freeze and move it. */
  readonly clock = new BackendClock()
  private readonly callbacks = new Map<string, PendingCallback>()
  private lastId = 0
  private closed = false

  constructor (readonly send: Send) {}

  /**
   * Wait (bounded) for testkit's answers to the security-exception callbacks
   * sent so far; the codes it said it did not handle.
   */
  async settleSecurityDecisions (): Promise<ReadonlySet<string>> {
    if (this.securityDecisions.length === 0) return new Set()
    const pending = this.securityDecisions.splice(0)
    let timer: NodeJS.Timeout | undefined
    const bound = new Promise<SecurityDecision[]>(resolve => { timer = setTimeout(() => resolve([]), CLOSE_BOUND_MS) })
    const decisions = await Promise.race([Promise.all(pending), bound])
    clearTimeout(timer)
    return new Set(decisions.filter(d => !d.handled).map(d => d.code))
  }

  nextId (): Id {
    return ++this.lastId
  }

  get isClosed (): boolean { return this.closed }

  /**
   * Send a callback request (e.g. ResolverResolutionRequired) and wait for
   * testkit's matching "…Completed" request, whose data resolves the promise.
   */
  async callBack (kind: CallbackKind, requestName: string, data: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.closed) throw new BackendProblem(`${requestName}: the testkit connection is closed`)
    const id = this.nextId()
    const answer = new Promise<Record<string, unknown>>((resolve, reject) => {
      this.callbacks.set(String(id), { kind, resolve, reject })
    })
    this.send(requestName, { id, ...data })
    return await answer
  }

  /** Deliver testkit's answer to a callback; unknown ids are a protocol problem. */
  complete (kind: CallbackKind, requestId: unknown, data: Record<string, unknown>): void {
    const pending = this.callbacks.get(String(requestId))
    if (pending === undefined || pending.kind !== kind) {
      throw new BackendProblem(`no pending ${kind} callback with id ${JSON.stringify(requestId)}`)
    }
    this.callbacks.delete(String(requestId))
    pending.resolve(data)
  }

  /** Release everything: pending callbacks and attempts fail, drivers close (bounded). */
  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    const gone = new BackendProblem('the testkit connection closed')
    for (const pending of this.callbacks.values()) pending.reject(gone)
    this.callbacks.clear()
    for (const entry of this.sessions.values()) entry.attempt?.reject(gone)
    const drivers = this.drivers.values()
    let timer: NodeJS.Timeout | undefined
    const bound = new Promise<void>(resolve => { timer = setTimeout(resolve, CLOSE_BOUND_MS) })
    await Promise.race([Promise.allSettled(drivers.map(async driver => await driver.close())), bound])
    clearTimeout(timer)
    for (const registry of [this.drivers, this.sessions, this.transactions, this.results, this.errors, this.bookmarkManagers,
      this.authTokenManagers, this.certificateProviders]) registry.clear()
  }
}
