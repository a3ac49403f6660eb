// The tail of SHOW commands: `YIELD a, b AS c | * [ORDER BY …] [SKIP n]
// [LIMIT n] [WHERE …] [RETURN …]`, over rows the cluster layer supplies (one
// per database copy for SHOW DATABASES, one per member for SHOW SERVERS).
// Reuses the query engine's projection, so WHERE, ORDER BY and RETURN behave
// exactly as they do in Cypher (aggregation in RETURN included).

import type { QueryResult } from '../bolt/backend.js'
import { FixtureError } from '../errors.js'
import type { CypherMap } from '../values.js'
import type { Projection, ShowTail } from './ast.js'
import { evaluate, isTrue, type EvalContext } from './evaluate.js'
import { GraphStore } from './graph.js'
import { project } from './projection.js'
import { toCypherValue, type Row } from './runtime-values.js'
import { walkExpr } from './analyze.js'

const NO_GRAPH = new GraphStore('system')

function yieldProjection (tail: ShowTail, columns: string[]): Projection {
  const y = tail.yield
  return {
    distinct: false,
    star: false,
    items: columns.map((name, i) => ({
      expr: { kind: 'variable', name: y !== null && !y.star ? y.items[i].column : name },
      name,
      aliased: true
    })),
    orderBy: y?.orderBy ?? [],
    skip: y?.skip ?? null,
    limit: y?.limit ?? null
  }
}

function checkParameters (tail: ShowTail, params: CypherMap): void {
  const missing = new Set<string>()
  const visit = (expr: Parameters<typeof walkExpr>[0] | null): void => {
    if (expr === null) return
    walkExpr(expr, e => { if (e.kind === 'param' && !Object.hasOwn(params, e.name)) missing.add(e.name) })
  }
  visit(tail.where)
  visit(tail.yield?.skip ?? null)
  visit(tail.yield?.limit ?? null)
  tail.yield?.orderBy.forEach(sort => visit(sort.expr))
  tail.return?.items.forEach(item => visit(item.expr))
  if (missing.size > 0) throw new FixtureError('ParameterMissing', `Expected parameter(s): ${[...missing].join(', ')}`)
}

/** Variables in WHERE / RETURN must be columns in scope, as in Cypher. */
function checkVariables (expr: Parameters<typeof walkExpr>[0] | null, scope: readonly string[]): void {
  if (expr === null) return
  walkExpr(expr, (e, local) => {
    if (e.kind === 'variable' && !scope.includes(e.name) && !local.has(e.name)) throw new FixtureError('SyntaxError', `Variable \`${e.name}\` not defined`)
  })
}

/** Columns a RETURN produces, known even when there are no rows. */
function returnColumns (projection: Projection, inScope: string[]): string[] {
  return [...(projection.star ? [...inScope].sort() : []), ...projection.items.map(item => item.name)]
}

/**
 * Applies a SHOW command's YIELD / WHERE / ORDER BY / SKIP / LIMIT / RETURN to
 * the rows the cluster layer built. `defaultColumns`: what SHOW returns without
 * YIELD (YIELD * returns every column of the rows).
 */
export function projectShowRows (rows: CypherMap[], defaultColumns: string[], tail: ShowTail, params: CypherMap): QueryResult {
  checkParameters(tail, params)
  const available: string[] = [...defaultColumns]
  for (const row of rows) for (const key of Object.keys(row)) if (!available.includes(key)) available.push(key)
  const y = tail.yield
  if (y !== null && !y.star) {
    for (const item of y.items) {
      if (!available.includes(item.column)) throw new FixtureError('SyntaxError', `Trying to YIELD non-existing column: \`${item.column}\``)
    }
  }
  const yielded = y === null ? available : y.star ? available : y.items.map(item => item.alias)
  checkVariables(tail.where, yielded)
  y?.orderBy.forEach(sort => checkVariables(sort.expr, yielded))
  tail.return?.items.forEach(item => checkVariables(item.expr, yielded))
  const ctx: EvalContext = { graph: NO_GRAPH, params, now: Date.now() }
  const complete: Row[] = rows.map(row => Object.fromEntries(available.map(name => [name, row[name] ?? null])))

  let stream: Iterable<Row> = y === null ? complete : project(complete, yieldProjection(tail, yielded), ctx)
  if (tail.where !== null) {
    const where = tail.where
    stream = [...stream].filter(row => isTrue(evaluate(where, row, ctx)))
  }
  let columns = y === null ? defaultColumns : yielded
  if (tail.return !== null) {
    stream = project(stream, tail.return, ctx)
    columns = returnColumns(tail.return, yielded)
  }
  const output = [...stream].map(row => columns.map(column => toCypherValue(row[column] ?? null, NO_GRAPH)))
  return { keys: columns, rows: output, queryType: 'r', stats: {} }
}
