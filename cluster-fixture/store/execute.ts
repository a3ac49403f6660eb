// Runs an analysed query: a pipeline of clauses over rows of variable
// bindings. Reading clauses are lazy generators; updating clauses take their
// whole input before writing (Neo4j's "eager" barrier), so the statement sees
// its own writes in clause order and a MATCH never reads what it caused.

import type { QueryResult, QueryStats } from '../bolt/backend.js'
import { asFixtureError } from '../errors.js'
import type { CypherValue } from '../values.js'
import type { Clause, QueryStatement } from './ast.js'
import { evaluate, isTrue, type EvalContext } from './evaluate.js'
import { matchClause } from './match.js'
import { project } from './projection.js'
import { toCypherValue, type Row } from './runtime-values.js'
import {
  checkDeletedNodesAreDetached, createClause, deleteClause, mergeClause, removeClause, setClause, type StatementCounters, type WriteContext
} from './writes.js'

function* unwind (input: Iterable<Row>, clause: Extract<Clause, { kind: 'unwind' }>, ctx: EvalContext): Iterable<Row> {
  for (const row of input) {
    const value = evaluate(clause.expr, row, ctx)
    if (value === null) continue
    if (Array.isArray(value)) {
      for (const item of value) yield { ...row, [clause.variable]: item }
    } else {
      yield { ...row, [clause.variable]: value }
    }
  }
}

function* filter (input: Iterable<Row>, where: Extract<Clause, { kind: 'with' }>['where'], ctx: EvalContext): Iterable<Row> {
  for (const row of input) {
    if (where === null || isTrue(evaluate(where, row, ctx))) yield row
  }
}

function runClause (clause: Clause, input: Iterable<Row>, ctx: WriteContext): Iterable<Row> {
  switch (clause.kind) {
    case 'match': return matchClause(input, clause, ctx)
    case 'unwind': return unwind(input, clause, ctx)
    case 'with': return filter(project(input, clause.projection, ctx), clause.where, ctx)
    case 'return': return project(input, clause.projection, ctx)
    case 'create': return createClause(input, clause, ctx)
    case 'merge': return mergeClause(input, clause, ctx)
    case 'set': return setClause(input, clause, ctx)
    case 'remove': return removeClause(input, clause, ctx)
    case 'delete': return deleteClause(input, clause, ctx)
  }
}

export function newCounters (): StatementCounters {
  return { nodesCreated: 0, nodesDeleted: 0, relationshipsCreated: 0, relationshipsDeleted: 0, propertiesSet: 0, labelsAdded: 0, labelsRemoved: 0 }
}

/** Bolt's `stats` map: only non-zero counters, plus `contains-updates` when any is set. */
export function toQueryStats (counters: StatementCounters): QueryStats {
  const stats: QueryStats = {}
  const entries: Array<[string, number]> = [
    ['nodes-created', counters.nodesCreated],
    ['nodes-deleted', counters.nodesDeleted],
    ['relationships-created', counters.relationshipsCreated],
    ['relationships-deleted', counters.relationshipsDeleted],
    ['properties-set', counters.propertiesSet],
    ['labels-added', counters.labelsAdded],
    ['labels-removed', counters.labelsRemoved]
  ]
  for (const [key, value] of entries) if (value > 0) stats[key] = value
  if (Object.keys(stats).length > 0) stats['contains-updates'] = true
  return stats
}

/**
 * Executes the statement to completion; writes go through `ctx.record`.
 * A failure while the rows are produced (division by zero, a type error, a
 * constraint) does not throw: it ends the result after the rows before it
 * (`failure`), as Neo4j streams those and fails at the PULL that reaches the
 * failing row. The caller must discard the statement's writes then.
 */
export function runQuery (statement: QueryStatement, ctx: WriteContext): QueryResult {
  const output: CypherValue[][] = []
  const returns = statement.clauses[statement.clauses.length - 1].kind === 'return'
  const columns = statement.columns
  const result = (): QueryResult => ({ keys: [...columns], rows: output, queryType: statement.queryType, stats: toQueryStats(ctx.counters) })
  try {
    let rows: Iterable<Row> = [{}]
    for (const clause of statement.clauses) rows = runClause(clause, rows, ctx)
    for (const row of rows) {
      if (returns) output.push(columns.map(column => toCypherValue(row[column] ?? null, ctx.graph)))
    }
    checkDeletedNodesAreDetached(ctx)
  } catch (error) {
    return { ...result(), failure: asFixtureError(error) }
  }
  return result()
}
