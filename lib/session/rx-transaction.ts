// RxTransaction and RxManagedTransaction: the reactive faces of an explicit
// transaction and of a transaction function's transaction, shaped like the
// official driver's. Each wraps our promise-based Transaction /
// ManagedTransaction, so BEGIN pipelining, commit-outcome handling and
// connection release are the promise API's, not a second copy.

import type { RecordShape } from 'neo4j-driver-core'
import { Observable } from 'rxjs'
import type { Query } from './query.js'
import { RxResult } from './rx-result.js'
import type { ManagedTransaction, Transaction } from './transaction.js'

/** An Observable that completes (emitting nothing) when `action` settles; the action starts on subscription, like the official driver's. */
export function completion (action: () => Promise<void>): Observable<never> {
  return new Observable<never>(subscriber => {
    action().then(() => { subscriber.complete() }, (error: unknown) => { subscriber.error(error) })
  })
}

/**
 * What RxSession.executeRead/executeWrite work receives: run only; the driver
 * commits. RxTransaction adds the explicit transaction's controls to it.
 */
export class RxManagedTransaction {
  /** @internal */
  protected readonly runner: Pick<ManagedTransaction, 'run'>

  /** @internal Handed to RxSession.executeRead/executeWrite work. */
  constructor (tx: Pick<ManagedTransaction, 'run'>) {
    this.runner = tx
  }

  /** A query in this transaction; it runs when the RxResult is first subscribed to. */
  run<R extends RecordShape = RecordShape> (query: Query, parameters?: any): RxResult<R> {
    return new RxResult<R>(() => this.runner.run<R>(query, parameters))
  }
}

export class RxTransaction extends RxManagedTransaction {
  private readonly tx: Transaction

  /** @internal RxTransactions come from RxSession.beginTransaction(). */
  constructor (tx: Transaction) {
    super(tx)
    this.tx = tx
  }

  isOpen (): boolean {
    return this.tx.isOpen()
  }

  /** Completes once committed; fails with the commit's error (CommitOutcomeUnknownError when the answer was lost). */
  commit (): Observable<never> {
    return completion(async () => { await this.tx.commit() })
  }

  rollback (): Observable<never> {
    return completion(async () => { await this.tx.rollback() })
  }

  /** Rolls back if still open. */
  close (): Observable<never> {
    return completion(async () => { await this.tx.close() })
  }
}
