// WITH and RETURN: projection with aliases and `*`, implicit grouping when
// items aggregate, DISTINCT, ORDER BY (Cypher's orderability: nulls last
// ascending, first descending), SKIP and LIMIT. Streams when it can (no
// aggregation, DISTINCT or ORDER BY): `UNWIND range(1, 100000) AS i RETURN i`
// never holds more than the output.

import { FixtureError } from '../errors.js'
import type { Expr, Projection, ProjectionItem, SortItem } from './ast.js'
import { containsAggregate, isAggregateCall, walkExpr } from './analyze.js'
import { createAccumulator, type Accumulator } from './aggregation.js'
import { equivalenceKey, orderCompare } from './compare.js'
import { evaluate, type EvalContext } from './evaluate.js'
import type { Row, Value } from './runtime-values.js'

interface Projected {
  out: Row
  /** The input row, for ORDER BY expressions over variables that were not projected; null after aggregation. */
  source: Row | null
}

/** SKIP / LIMIT value: a non-negative Integer, or a Float with an integral value (JavaScript drivers send those). */
export function evaluateCount (expr: Expr | null, what: 'SKIP' | 'LIMIT', ctx: EvalContext): number | null {
  if (expr === null) return null
  const value = evaluate(expr, {}, ctx)
  if (typeof value === 'bigint' && value >= 0n) return value > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(value)
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value
  throw new FixtureError('ArgumentError', `Invalid input. '${String(value)}' is not a valid value for ${what}. Must be a non-negative integer.`)
}

function starItems (row: Row): ProjectionItem[] {
  return Object.keys(row).sort().map(name => ({ expr: { kind: 'variable', name }, name, aliased: false }))
}

function projectRow (row: Row, projection: Projection, ctx: EvalContext): Row {
  const out: Row = {}
  if (projection.star) for (const name of Object.keys(row).sort()) out[name] = row[name]
  for (const item of projection.items) out[item.name] = evaluate(item.expr, row, ctx)
  return out
}

function* projectEach (input: Iterable<Row>, projection: Projection, ctx: EvalContext): Iterable<Row> {
  for (const row of input) yield projectRow(row, projection, ctx)
}

function* projectKeepingSource (input: Iterable<Row>, projection: Projection, ctx: EvalContext): Iterable<Projected> {
  for (const row of input) yield { out: projectRow(row, projection, ctx), source: row }
}

interface Group {
  out: Row
  first: Row
  accumulators: Accumulator[]
}

function aggregate (input: Iterable<Row>, projection: Projection, ctx: EvalContext): Projected[] {
  const calls: Expr[] = []
  for (const item of projection.items) {
    walkExpr(item.expr, e => { if (isAggregateCall(e)) calls.push(e) })
  }
  const groups = new Map<string, Group>()
  let keyItems: ProjectionItem[] | null = null
  for (const row of input) {
    keyItems ??= [...(projection.star ? starItems(row) : []), ...projection.items.filter(item => !containsAggregate(item.expr))]
    const keyValues = keyItems.map(item => evaluate(item.expr, row, ctx))
    const key = keyValues.map(equivalenceKey).join('\u0001')
    let group = groups.get(key)
    if (group === undefined) {
      const out: Row = {}
      keyItems.forEach((item, i) => { out[item.name] = keyValues[i] })
      group = { out, first: row, accumulators: calls.map(createAccumulator) }
      groups.set(key, group)
    }
    for (let i = 0; i < calls.length; i++) {
      const call = calls[i]
      group.accumulators[i].add(call.kind === 'call' ? evaluate(call.args[0], row, ctx) : null)
    }
  }
  // Without grouping keys, aggregation over no rows still yields one row (count(*) = 0).
  if (groups.size === 0 && !projection.star && projection.items.every(item => containsAggregate(item.expr))) {
    groups.set('', { out: {}, first: {}, accumulators: calls.map(createAccumulator) })
  }
  const result: Projected[] = []
  for (const group of groups.values()) {
    const aggregates = new Map<Expr, Value>()
    calls.forEach((call, i) => aggregates.set(call, group.accumulators[i].result()))
    const groupCtx: EvalContext = { ...ctx, aggregates }
    for (const item of projection.items) {
      if (containsAggregate(item.expr)) group.out[item.name] = evaluate(item.expr, group.first, groupCtx)
    }
    result.push({ out: group.out, source: null })
  }
  return result
}

function* distinct (rows: Iterable<Projected>): Iterable<Projected> {
  const seen = new Set<string>()
  for (const row of rows) {
    const key = Object.keys(row.out).map(name => equivalenceKey(row.out[name])).join('\u0001')
    if (seen.has(key)) continue
    seen.add(key)
    yield row
  }
}

function sortKey (sort: SortItem, projection: Projection, row: Projected, ctx: EvalContext): Value {
  if (projection.items.some(item => item.name === sort.text) || (sort.expr.kind === 'variable' && Object.hasOwn(row.out, sort.expr.name))) {
    return row.out[sort.expr.kind === 'variable' ? sort.expr.name : sort.text] ?? null
  }
  const scope = row.source === null ? row.out : { ...row.source, ...row.out }
  return evaluate(sort.expr, scope, ctx)
}

function order (rows: Iterable<Projected>, projection: Projection, ctx: EvalContext): Projected[] {
  const keyed = Array.from(rows, row => ({ row, keys: projection.orderBy.map(sort => sortKey(sort, projection, row, ctx)) }))
  keyed.sort((a, b) => {
    for (let i = 0; i < projection.orderBy.length; i++) {
      const c = orderCompare(a.keys[i], b.keys[i])
      if (c !== 0) return projection.orderBy[i].descending ? -c : c
    }
    return 0
  })
  return keyed.map(entry => entry.row)
}

function* outputs (rows: Iterable<Projected>): Iterable<Row> {
  for (const row of rows) yield row.out
}

function* window (rows: Iterable<Row>, skip: number | null, limit: number | null): Iterable<Row> {
  if (skip === null && limit === null) {
    yield * rows
    return
  }
  if (limit === 0) return
  let skipped = 0
  let taken = 0
  for (const row of rows) {
    if (skip !== null && skipped < skip) { skipped++; continue }
    yield row
    if (limit !== null && ++taken >= limit) return
  }
}

/** The rows a WITH or RETURN produces from its input rows. */
export function project (input: Iterable<Row>, projection: Projection, ctx: EvalContext): Iterable<Row> {
  const skip = evaluateCount(projection.skip, 'SKIP', ctx)
  const limit = evaluateCount(projection.limit, 'LIMIT', ctx)
  const aggregating = projection.items.some(item => containsAggregate(item.expr))
  if (!aggregating && !projection.distinct && projection.orderBy.length === 0) {
    return window(projectEach(input, projection, ctx), skip, limit)
  }
  let rows: Iterable<Projected> = aggregating ? aggregate(input, projection, ctx) : projectKeepingSource(input, projection, ctx)
  if (projection.distinct) rows = distinct(rows)
  if (projection.orderBy.length > 0) rows = order(rows, projection, ctx)
  return window(outputs(rows), skip, limit)
}
