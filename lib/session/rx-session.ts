// RxSession: driver.rxSession(), the official reactive API on rxjs, as a thin
// layer over our promise-based Session. executeRead/executeWrite run through
// Session.executeRead/executeWrite, so a reactive transaction function gets
// exactly the promise API's retries (lib/retry: same budget, backoff, fast
// retry after a failover), idempotence and commit-outcome rules.
//
// One deliberate difference from the official driver: the values a
// transaction function emits reach the subscriber after its transaction has
// committed, not while it runs. An attempt that fails and is retried emits
// nothing, so a subscriber never sees values from a transaction that was
// rolled back (the official driver re-emits them on every attempt).

import type { RecordShape } from 'neo4j-driver-core'
import { illegalState } from '../errors.js'
import { from, Observable, type ObservableInput, type Subscription } from 'rxjs'
import type { Query } from './query.js'
import { RxResult } from './rx-result.js'
import { completion, RxManagedTransaction, RxTransaction } from './rx-transaction.js'
import type { Session } from './session.js'
import type { TransactionConfig } from './session-config.js'
import type { ManagedTransaction } from './transaction.js'

/** A reactive transaction function: its emitted values are executeRead/executeWrite's values. */
export type RxTransactionWork<T> = (tx: RxManagedTransaction) => ObservableInput<T>

/** executeRead / executeWrite, typed as the official RxSession's. */
export interface RxTransactionFunction {
  <T>(work: RxTransactionWork<T>, transactionConfig?: TransactionConfig): Observable<T>
  /**
   * @deprecated The official typings give the work an RxTransaction, but it
   * receives an RxManagedTransaction (run only) in both drivers: type it so.
   */
  <T>(work: (tx: RxTransaction) => Observable<T>, transactionConfig?: TransactionConfig): Observable<T>
}

export class RxSession {
  private readonly session: Session

  /** @internal RxSessions come from driver.rxSession(). */
  constructor (session: Session) {
    this.session = session
  }

  /** An auto-commit query; it runs when the RxResult is first subscribed to. */
  run<R extends RecordShape = RecordShape> (query: Query, parameters?: any, transactionConfig?: TransactionConfig): RxResult<R> {
    return new RxResult<R>(() => this.session.run<R>(query, parameters, transactionConfig))
  }

  /** Emits the transaction once BEGIN succeeded. Unsubscribing before that rolls it back when it arrives. */
  beginTransaction (transactionConfig?: TransactionConfig): Observable<RxTransaction> {
    return new Observable<RxTransaction>(subscriber => {
      let unwanted = false
      try {
        this.session.beginTransaction(transactionConfig).then(tx => {
          if (unwanted) { void tx.close().catch(() => {}); return }
          subscriber.next(new RxTransaction(tx))
          subscriber.complete()
        }, (error: unknown) => { subscriber.error(error) })
      } catch (error) {
        subscriber.error(error)
      }
      return () => { unwanted = true }
    })
  }

  /** A reactive transaction function in a READ transaction, retried like session.executeRead. */
  declare readonly executeRead: RxTransactionFunction
  /** A reactive transaction function in a WRITE transaction, retried like session.executeWrite. */
  declare readonly executeWrite: RxTransactionFunction

  // executeRead/executeWrite differ only in the access mode: one table, one
  // typing (RxTransactionFunction), methods on the prototype as before.
  static {
    for (const [name, mode] of [['executeRead', 'READ'], ['executeWrite', 'WRITE']] as const) {
      Object.defineProperty(RxSession.prototype, name, {
        value: function (this: RxSession, work: RxTransactionWork<unknown>, transactionConfig?: TransactionConfig) { return this.execute(mode, work, transactionConfig) },
        writable: true,
        configurable: true
      })
    }
  }

  lastBookmarks (): string[] {
    return this.session.lastBookmarks()
  }

  /** @deprecated The official typings still declare it; use lastBookmarks(). */
  lastBookmark (): string[] {
    return this.session.lastBookmarks()
  }

  /** Completes once the session is closed (its transaction rolled back, its streams ended, its connections returned). */
  close (): Observable<never> {
    return completion(async () => { await this.session.close() })
  }

  async [Symbol.asyncDispose] (): Promise<void> {
    await this.session.close()
  }

  private execute<T> (mode: 'READ' | 'WRITE', work: RxTransactionWork<T>, transactionConfig?: TransactionConfig): Observable<T> {
    return new Observable<T>(subscriber => {
      let inner: Subscription | undefined
      let abandon: ((error: Error) => void) | undefined
      let unsubscribed = false
      // One attempt: subscribe to the work's Observable and collect what it
      // emits. Its error is the attempt's error (the retry engine decides).
      const attempt = async (tx: ManagedTransaction): Promise<T[]> => {
        if (unsubscribed) throw abandoned()
        const values: T[] = []
        await new Promise<void>((resolve, reject) => {
          abandon = reject
          inner = from(work(new RxManagedTransaction(tx))).subscribe({ next: value => { values.push(value) }, error: reject, complete: resolve })
        })
        return values
      }
      const run = mode === 'READ' ? this.session.executeRead(attempt, transactionConfig) : this.session.executeWrite(attempt, transactionConfig)
      run.then(values => {
        for (const value of values) subscriber.next(value)
        subscriber.complete()
      }, (error: unknown) => { subscriber.error(error) })
      return () => {
        // The subscriber left: stop the work and let the attempt fail (not
        // retryable), so the transaction rolls back and its connection returns.
        unsubscribed = true
        inner?.unsubscribe()
        abandon?.(abandoned())
      }
    })
  }
}

function abandoned (): Error {
  return illegalState('The subscriber unsubscribed from executeRead/executeWrite; the transaction was rolled back.')
}
