// One RUN's result on a connection: the rows (materialized by the backend)
// handed out in PULL/DISCARD batches, the failure that ends them if the query
// failed part way (thrown by the batch that reaches it, after the rows before
// it, as Neo4j fails at the PULL that reaches the failing row), and the
// summary metadata of its last batch (only non-zero counters, as Bolt sends
// them, and from Bolt 5.6 the GQL status of the outcome).

import type { CypherMap, CypherValue } from '../values.js'
import type { QueryResult, QueryStats } from './backend.js'
import { type BoltVersion, features } from './versions.js'

/** One RUN's materialized result, handed out in PULL/DISCARD batches. */
export class ResultStream {
  private next = 0

  constructor (readonly result: QueryResult, private readonly startedAt: number) {}

  /** Rows, or the failure after the last of them, still to come. */
  get hasMore (): boolean {
    return this.next < this.result.rows.length || this.result.failure !== undefined
  }

  /** Up to n rows (n = −1: all the rest); throws the query's failure when the batch reaches it. */
  take (n: number, onRow: (row: CypherValue[]) => void): void {
    const rows = this.result.rows
    const start = this.next
    const end = n === -1 ? rows.length : Math.min(rows.length, start + n)
    while (this.next < end) onRow(rows[this.next++])
    this.failIfReached(n, end - start)
  }

  skip (n: number): void {
    const rows = this.result.rows
    const start = this.next
    this.next = n === -1 ? rows.length : Math.min(rows.length, start + n)
    this.failIfReached(n, this.next - start)
  }

  /**
   * The batch reaches the failing row when it wants more rows than were left
   * before it. A batch filled exactly stops short of it (has_more), as the
   * failing row is computed only when asked for.
   */
  private failIfReached (n: number, handedOut: number): void {
    const failure = this.result.failure
    if (failure === undefined || this.next < this.result.rows.length) return
    if (n !== -1 && handedOut >= n) return
    throw failure
  }

  summary (database: string, version: BoltVersion): CypherMap {
    const summary: CypherMap = {
      type: this.result.queryType,
      t_last: elapsedMs(this.startedAt),
      db: database
    }
    const stats = nonZeroStats(this.result.stats)
    if (stats !== null) summary.stats = stats
    if (features.gqlStatuses(version)) summary.statuses = [outcomeStatus(this.result)]
    return summary
  }
}

/**
 * The GQL status of a successful query (neo4j/docs-status-codes, notifications
 * index): 00000 rows returned, 02000 columns but no rows, 00001 no columns.
 * Shaped as testkit's 5.6 summary scripts show them.
 */
export function outcomeStatus (result: QueryResult): CypherMap {
  if (result.keys.length === 0) return { gql_status: '00001', status_description: 'note: successful completion - omitted result' }
  if (result.rows.length === 0) return { gql_status: '02000', status_description: 'note: no data' }
  return { gql_status: '00000', status_description: 'note: successful completion' }
}

export function elapsedMs (since: number): bigint {
  return BigInt(Math.max(0, Math.round(performance.now() - since)))
}

/** Bolt sends only the counters that are not zero, as Integers, plus `contains-updates`. */
export function nonZeroStats (stats: QueryStats): CypherMap | null {
  const out: CypherMap = {}
  let any = false
  let updates = false
  let systemUpdates = false
  for (const [key, value] of Object.entries(stats)) {
    if (typeof value === 'number') {
      if (value === 0 || !Number.isFinite(value)) continue
      out[key] = BigInt(Math.trunc(value))
      any = true
      if (key === 'system-updates') systemUpdates = true
      else updates = true
    } else if (value === true) {
      out[key] = true
      any = true
    }
  }
  if (updates && out['contains-updates'] === undefined) out['contains-updates'] = true
  if (systemUpdates && out['contains-system-updates'] === undefined) out['contains-system-updates'] = true
  return any ? out : null
}
