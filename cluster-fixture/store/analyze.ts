// Semantic checks that Neo4j makes before running anything, done once per
// query text: variables in scope, clause order, aggregation placement, known
// functions, CREATE/MERGE pattern rules. Also derives the facts the cluster
// layer needs up front: result columns, parameters, updating, query type.

import { FixtureError } from '../errors.js'
import { AGGREGATE_FUNCTIONS, UPDATING_CLAUSES, type Clause, type Expr, type PathPattern, type Projection, type QueryStatement, type SetItem } from './ast.js'
import { functionArity } from './functions.js'

function syntaxError (message: string): FixtureError {
  return new FixtureError('SyntaxError', message)
}

/** Calls `visit` on every sub-expression, with the comprehension variables bound at that point. */
export function walkExpr (expr: Expr, visit: (expr: Expr, local: ReadonlySet<string>) => void, local: ReadonlySet<string> = new Set()): void {
  visit(expr, local)
  const walk = (child: Expr | null, inner = local): void => { if (child !== null) walkExpr(child, visit, inner) }
  switch (expr.kind) {
    case 'property': walk(expr.object); break
    case 'index': walk(expr.object); walk(expr.index); break
    case 'slice': walk(expr.object); walk(expr.from); walk(expr.to); break
    case 'list': expr.items.forEach(item => walk(item)); break
    case 'map': expr.entries.forEach(entry => walk(entry.value)); break
    case 'binary': walk(expr.left); walk(expr.right); break
    case 'not': case 'negate': case 'isNull': case 'hasLabels': walk(expr.operand); break
    case 'call': expr.args.forEach(arg => walk(arg)); break
    case 'case':
      walk(expr.operand)
      expr.branches.forEach(branch => { walk(branch.when); walk(branch.then) })
      walk(expr.otherwise)
      break
    case 'listComprehension': {
      walk(expr.source)
      const inner = new Set(local).add(expr.variable)
      walk(expr.where, inner)
      walk(expr.map, inner)
      break
    }
    default: break
  }
}

export function isAggregateCall (expr: Expr): boolean {
  return expr.kind === 'countStar' || (expr.kind === 'call' && AGGREGATE_FUNCTIONS.has(expr.name))
}

export function containsAggregate (expr: Expr): boolean {
  let found = false
  walkExpr(expr, e => { if (isAggregateCall(e)) found = true })
  return found
}

class Analysis {
  readonly parameters = new Set<string>()

  /** Checks variables, functions and (unless allowed) aggregates in an expression. */
  check (expr: Expr, scope: ReadonlySet<string>, aggregatesAllowed = false): void {
    walkExpr(expr, (e, local) => {
      switch (e.kind) {
        case 'variable':
          if (!scope.has(e.name) && !local.has(e.name)) throw syntaxError(`Variable \`${e.name}\` not defined`)
          break
        case 'param':
          this.parameters.add(e.name)
          break
        case 'countStar':
        case 'call': {
          if (e.kind === 'call') checkFunction(e.name, e.args.length, e.distinct)
          if (!isAggregateCall(e)) break
          if (!aggregatesAllowed) throw syntaxError(`Invalid use of aggregating function ${e.kind === 'call' ? e.text : 'count(*)'} in this context`)
          if (e.kind === 'call' && e.args.some(containsAggregate)) throw syntaxError('Can\'t use aggregate functions inside of aggregate functions.')
          break
        }
        default: break
      }
    })
  }
}

function checkFunction (name: string, argCount: number, distinct: boolean): void {
  const arity = functionArity(name)
  if (arity === undefined) throw syntaxError(`Unknown function '${name}' (the cluster fixture supports a subset of Cypher's functions)`)
  if (argCount < arity.min) throw syntaxError(`Insufficient parameters for function '${name}'`)
  if (argCount > arity.max) throw syntaxError(`Too many parameters for function '${name}'`)
  if (distinct && !AGGREGATE_FUNCTIONS.has(name)) throw syntaxError(`Invalid use of DISTINCT with function '${name}'`)
}

function patternVariables (pattern: PathPattern): string[] {
  const names: string[] = []
  for (const node of pattern.nodes) if (node.variable !== null) names.push(node.variable)
  for (const rel of pattern.relationships) if (rel.variable !== null) names.push(rel.variable)
  if (pattern.pathVariable !== null) names.push(pattern.pathVariable)
  return names
}

function checkPatternExpressions (analysis: Analysis, pattern: PathPattern, scope: ReadonlySet<string>): void {
  for (const part of [...pattern.nodes, ...pattern.relationships]) {
    if (part.properties !== null) analysis.check(part.properties, scope)
  }
}

/** CREATE and MERGE: new relationships need one type and (for CREATE) a direction; bound nodes take no labels or properties. */
function checkCreatablePattern (pattern: PathPattern, scope: Set<string>, clause: 'CREATE' | 'MERGE'): void {
  if (pattern.pathVariable !== null && scope.has(pattern.pathVariable)) throw syntaxError(`Variable \`${pattern.pathVariable}\` already declared`)
  const declaredHere = new Set<string>()
  for (const node of pattern.nodes) {
    if (node.variable !== null && declaredHere.has(node.variable) && (node.labels.length > 0 || node.properties !== null)) {
      throw syntaxError(`Can't create node \`${node.variable}\` with labels or properties here. The variable is already declared in this context`)
    }
    if (node.variable !== null && !scope.has(node.variable)) declaredHere.add(node.variable)
    if (node.variable !== null && scope.has(node.variable)) {
      if (node.labels.length > 0 || node.properties !== null) {
        throw syntaxError(`Can't create node \`${node.variable}\` with labels or properties here. The variable is already declared in this context`)
      }
      if (pattern.nodes.length === 1) throw syntaxError(`Variable \`${node.variable}\` already declared`)
    }
  }
  for (const rel of pattern.relationships) {
    if (rel.variable !== null && scope.has(rel.variable)) throw syntaxError(`Can't create relationship \`${rel.variable}\`: the variable is already declared in this context`)
    if (rel.types.length !== 1) {
      throw syntaxError(`Exactly one relationship type must be specified for ${clause}. Did you forget to prefix your relationship type with a ':'?`)
    }
    if (clause === 'CREATE' && rel.direction === 'both') throw syntaxError('Only directed relationships are supported in CREATE')
  }
}

function checkSetItems (analysis: Analysis, items: SetItem[], scope: ReadonlySet<string>): void {
  for (const item of items) {
    if (item.kind === 'setProperty') { analysis.check(item.target, scope); analysis.check(item.value, scope) }
    if (item.kind === 'setProperties') { analysis.check({ kind: 'variable', name: item.variable }, scope); analysis.check(item.value, scope) }
    if (item.kind === 'setLabels') analysis.check({ kind: 'variable', name: item.variable }, scope)
  }
}

function checkSkipLimit (analysis: Analysis, expr: Expr | null, what: 'SKIP' | 'LIMIT'): void {
  if (expr === null) return
  walkExpr(expr, e => { if (e.kind === 'variable') throw syntaxError(`It is not allowed to refer to variables in ${what}`) })
  analysis.check(expr, new Set())
  if (expr.kind === 'literal' && (typeof expr.value !== 'bigint' || expr.value < 0n)) {
    throw syntaxError(`Invalid input. '${String(expr.value)}' is not a valid value. Must be a non-negative integer.`)
  }
}

/** Returns the scope after the projection and its output columns. */
function checkProjection (analysis: Analysis, projection: Projection, scope: Set<string>, clause: 'WITH' | 'RETURN'): { scope: Set<string>, columns: string[] } {
  if (projection.star && scope.size === 0) throw syntaxError(`${clause} * is not allowed when there are no variables in scope`)
  const columns = projection.star ? [...scope].sort() : []
  let aggregating = false
  for (const item of projection.items) {
    analysis.check(item.expr, scope, true)
    if (containsAggregate(item.expr)) aggregating = true
    if (columns.includes(item.name)) {
      throw syntaxError(clause === 'RETURN' ? 'Multiple result columns with the same name are not supported' : `Variable \`${item.name}\` already declared`)
    }
    columns.push(item.name)
  }
  const projected = new Set(columns)
  const sortScope = projection.distinct || aggregating ? projected : new Set([...scope, ...projected])
  for (const sort of projection.orderBy) {
    const matchesItem = projection.items.some(item => item.name === sort.text)
    analysis.check(sort.expr, matchesItem ? new Set([...sortScope, ...scope]) : sortScope, matchesItem)
  }
  checkSkipLimit(analysis, projection.skip, 'SKIP')
  checkSkipLimit(analysis, projection.limit, 'LIMIT')
  return { scope: projected, columns }
}

function checkClause (analysis: Analysis, clause: Clause, scope: Set<string>): Set<string> {
  switch (clause.kind) {
    case 'match': {
      const next = new Set(scope)
      for (const pattern of clause.patterns) {
        if (pattern.pathVariable !== null && next.has(pattern.pathVariable)) throw syntaxError(`Variable \`${pattern.pathVariable}\` already declared`)
        patternVariables(pattern).forEach(name => next.add(name))
      }
      clause.patterns.forEach(pattern => checkPatternExpressions(analysis, pattern, next))
      if (clause.where !== null) analysis.check(clause.where, next)
      return next
    }
    case 'create': {
      const next = new Set(scope)
      for (const pattern of clause.patterns) {
        checkCreatablePattern(pattern, next, 'CREATE')
        checkPatternExpressions(analysis, pattern, next)
        patternVariables(pattern).forEach(name => next.add(name))
      }
      return next
    }
    case 'merge': {
      checkCreatablePattern(clause.pattern, scope, 'MERGE')
      const next = new Set(scope)
      patternVariables(clause.pattern).forEach(name => next.add(name))
      checkPatternExpressions(analysis, clause.pattern, scope)
      checkSetItems(analysis, clause.onCreate, next)
      checkSetItems(analysis, clause.onMatch, next)
      return next
    }
    case 'set':
      checkSetItems(analysis, clause.items, scope)
      return scope
    case 'remove':
      for (const item of clause.items) {
        analysis.check(item.kind === 'removeProperty' ? item.target : { kind: 'variable', name: item.variable }, scope)
      }
      return scope
    case 'delete':
      clause.targets.forEach(target => analysis.check(target, scope))
      return scope
    case 'unwind':
      analysis.check(clause.expr, scope)
      if (scope.has(clause.variable)) throw syntaxError(`Variable \`${clause.variable}\` already declared`)
      return new Set(scope).add(clause.variable)
    case 'with': {
      const result = checkProjection(analysis, clause.projection, scope, 'WITH')
      if (clause.where !== null) analysis.check(clause.where, result.scope)
      return result.scope
    }
    case 'return':
      return checkProjection(analysis, clause.projection, scope, 'RETURN').scope
  }
}

const CLAUSE_NAMES: Record<Clause['kind'], string> = {
  match: 'MATCH', create: 'CREATE', merge: 'MERGE', set: 'SET', remove: 'REMOVE', delete: 'DELETE', unwind: 'UNWIND', with: 'WITH', return: 'RETURN'
}

export function analyzeQuery (text: string, clauses: Clause[]): QueryStatement {
  const analysis = new Analysis()
  let scope = new Set<string>()
  let columns: string[] = []
  clauses.forEach((clause, index) => {
    if (clause.kind === 'return' && index !== clauses.length - 1) throw syntaxError('RETURN can only be used at the end of the query')
    if (clause.kind === 'return') columns = checkProjection(analysis, clause.projection, scope, 'RETURN').columns
    else scope = checkClause(analysis, clause, scope)
  })
  const last = clauses[clauses.length - 1]
  const updating = clauses.some(clause => UPDATING_CLAUSES.has(clause.kind))
  if (last.kind !== 'return' && !UPDATING_CLAUSES.has(last.kind)) {
    throw syntaxError(`Query cannot conclude with ${CLAUSE_NAMES[last.kind]} (must be a RETURN clause or an update clause)`)
  }
  const queryType = !updating ? 'r' : columns.length === 0 ? 'w' : 'rw'
  return { kind: 'query', text, clauses, updating, queryType, columns, parameters: [...analysis.parameters] }
}
