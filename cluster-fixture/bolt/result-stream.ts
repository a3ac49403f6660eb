// One RUN's result on a connection: the rows (materialized by the backend)
// handed out in PULL/DISCARD batches, and the summary metadata of its last
// batch (only non-zero counters, as Bolt sends them).

import type { CypherMap, CypherValue } from '../values.js'
import type { QueryResult, QueryStats } from './backend.js'

/** One RUN's materialized result, handed out in PULL/DISCARD batches. */
export class ResultStream {
  private next = 0

  constructor (readonly result: QueryResult, private readonly startedAt: number) {}

  get hasMore (): boolean {
    return this.next < this.result.rows.length
  }

  /** Up to n rows (n = −1: all the rest). */
  take (n: number, onRow: (row: CypherValue[]) => void): void {
    const rows = this.result.rows
    const end = n === -1 ? rows.length : Math.min(rows.length, this.next + n)
    while (this.next < end) onRow(rows[this.next++])
  }

  skip (n: number): void {
    const rows = this.result.rows
    this.next = n === -1 ? rows.length : Math.min(rows.length, this.next + n)
  }

  summary (database: string): CypherMap {
    const summary: CypherMap = {
      type: this.result.queryType,
      t_last: elapsedMs(this.startedAt),
      db: database
    }
    const stats = nonZeroStats(this.result.stats)
    if (stats !== null) summary.stats = stats
    return summary
  }
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
