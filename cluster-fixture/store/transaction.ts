// One transaction against one database copy. Statements run synchronously
// against the live committed store through a private overlay; every change is
// recorded as a MutationOp. On commit the cluster layer replicates `ops` and
// every member (the leader included) applies them with GraphStore.apply; on
// rollback it simply drops the transaction.
//
// Statement atomicity: a failing statement leaves the transaction's earlier
// effects intact and discards its own. The overlay is rebuilt from the ops
// that precede the statement (failures are rare; the common path copies nothing).
//
// Concurrency contract with the cluster layer: transactions that write to a
// database are serialised (it holds the database's write lock from the first
// updating statement until commit or rollback, and applies the committed ops
// before releasing it), so the store never changes under an overlay that holds
// writes. Read-only transactions see each commit as soon as it is applied
// (read-committed, like Neo4j).

import type { QueryResult } from '../bolt/backend.js'
import { asFixtureError, FixtureError } from '../errors.js'
import type { CypherMap } from '../values.js'
import type { QueryStatement } from './ast.js'
import { newCounters, runQuery } from './execute.js'
import { applyOp, type GraphStore, type MutationOp } from './graph.js'
import { Overlay } from './overlay.js'
import type { WriteContext } from './writes.js'

export interface StoreTransactionOptions {
  /** Clock in ms, read once per statement for datetime(), date(), timestamp(). */
  now: () => number
}

export class StoreTransaction {
  private overlay: Overlay
  private readonly log: MutationOp[] = []

  constructor (readonly store: GraphStore, private readonly options: StoreTransactionOptions) {
    this.overlay = new Overlay(store)
  }

  /** Everything this transaction changed, in order: replicate these on commit. */
  get ops (): readonly MutationOp[] {
    return this.log
  }

  get hasWrites (): boolean {
    return this.log.length > 0
  }

  /** Runs one statement to completion. Throws FixtureError; the transaction stays usable afterwards. */
  execute (statement: QueryStatement, params: CypherMap): QueryResult {
    const result = this.executeStreaming(statement, params)
    if (result.failure !== undefined) throw result.failure
    return result
  }

  /**
   * Runs one statement. Errors found before it runs (a missing parameter)
   * throw; a failure while producing rows is returned in `failure` after the
   * rows before it, its effects already discarded (the Bolt layer streams
   * those rows and reports the failure at the PULL that reaches it).
   */
  executeStreaming (statement: QueryStatement, params: CypherMap): QueryResult {
    if (statement?.kind !== 'query') {
      throw new FixtureError('GeneralUnknownError', 'Internal error: an administration command was sent to a database transaction')
    }
    const missing = statement.parameters.filter(name => !Object.hasOwn(params, name))
    if (missing.length > 0) throw new FixtureError('ParameterMissing', `Expected parameter(s): ${missing.join(', ')}`)
    const savepoint = this.log.length
    const overlay = this.overlay
    const ctx: WriteContext = {
      graph: overlay,
      params,
      now: this.options.now(),
      counters: newCounters(),
      deletedWithoutDetach: new Set(),
      record: op => {
        applyOp(overlay, op)
        this.log.push(op)
      }
    }
    let result: QueryResult
    try {
      result = runQuery(statement, ctx)
    } catch (error) {
      result = { keys: [], rows: [], queryType: statement.queryType, stats: {}, failure: asFixtureError(error) }
    }
    if (result.failure !== undefined && this.log.length > savepoint) this.rollbackTo(savepoint)
    return result
  }

  private rollbackTo (savepoint: number): void {
    this.log.length = savepoint
    this.overlay = new Overlay(this.store)
    for (const op of this.log) applyOp(this.overlay, op)
  }
}
