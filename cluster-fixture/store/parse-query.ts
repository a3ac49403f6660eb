// Clause-level parser for Cypher queries: MATCH, OPTIONAL MATCH, CREATE, MERGE,
// SET, REMOVE, DELETE, DETACH DELETE, UNWIND, WITH, RETURN. Clauses outside
// the subset fail with a SyntaxError that names them.

import type { Clause, Expr, Projection, ProjectionItem, RemoveItem, SetItem, SortItem } from './ast.js'
import { parseExpression } from './parse-expression.js'
import { parsePathPattern, parsePathPatterns } from './parse-pattern.js'
import type { TokenStream } from './token-stream.js'

/** Keywords that start valid Cypher the fixture does not implement, with how to name them. */
const UNSUPPORTED_CLAUSES: Record<string, string> = {
  CALL: 'CALL',
  FOREACH: 'FOREACH',
  LOAD: 'LOAD CSV',
  UNION: 'UNION',
  USE: 'USE',
  FINISH: 'FINISH',
  EXPLAIN: 'EXPLAIN',
  PROFILE: 'PROFILE',
  CYPHER: 'CYPHER query options',
  INSERT: 'INSERT',
  FILTER: 'FILTER',
  LET: 'LET',
  ORDER: 'ORDER BY as a clause',
  SKIP: 'SKIP as a clause',
  OFFSET: 'OFFSET as a clause',
  LIMIT: 'LIMIT as a clause',
  SHOW: 'this SHOW command',
  TERMINATE: 'TERMINATE',
  GRANT: 'GRANT',
  DENY: 'DENY',
  REVOKE: 'REVOKE',
  START: 'START',
  STOP: 'STOP',
  ALTER: 'ALTER',
  DROP: 'DROP',
  RENAME: 'RENAME',
  ENABLE: 'ENABLE',
  DEALLOCATE: 'DEALLOCATE',
  REALLOCATE: 'REALLOCATE',
  DRYRUN: 'DRYRUN'
}

const CLAUSE_LIST = 'MATCH, OPTIONAL MATCH, CREATE, MERGE, SET, REMOVE, DELETE, DETACH DELETE, UNWIND, WITH or RETURN'

export function parseClauses (s: TokenStream): Clause[] {
  const clauses: Clause[] = []
  while (!s.atEnd && !s.isOp(';')) {
    clauses.push(parseClause(s))
  }
  if (clauses.length === 0) throw s.unexpected(`a clause (${CLAUSE_LIST})`)
  s.acceptOp(';')
  if (!s.atEnd) {
    throw s.errorAt(s.peek().start, 'Expected exactly one statement per query but got more (several statements separated by ;)')
  }
  return clauses
}

function parseClause (s: TokenStream): Clause {
  const token = s.peek()
  const word = token.type === 'ident' ? token.text.toUpperCase() : ''
  switch (word) {
    case 'MATCH':
      s.next()
      return parseMatch(s, false)
    case 'OPTIONAL':
      s.next()
      s.expectKeywords('MATCH')
      return parseMatch(s, true)
    case 'CREATE':
      s.next()
      return { kind: 'create', patterns: parsePathPatterns(s) }
    case 'MERGE':
      s.next()
      return parseMerge(s)
    case 'SET':
      s.next()
      return { kind: 'set', items: parseSetItems(s) }
    case 'REMOVE':
      s.next()
      return { kind: 'remove', items: parseRemoveItems(s) }
    case 'DELETE':
      s.next()
      return { kind: 'delete', detach: false, targets: parseExpressionList(s) }
    case 'DETACH':
    case 'NODETACH':
      s.next()
      s.expectKeywords('DELETE')
      return { kind: 'delete', detach: word === 'DETACH', targets: parseExpressionList(s) }
    case 'UNWIND': {
      s.next()
      const expr = parseExpression(s)
      s.expectKeywords('AS')
      return { kind: 'unwind', expr, variable: s.expectName('a variable name') }
    }
    case 'WITH': {
      s.next()
      const projection = parseProjection(s, 'WITH')
      const where = s.acceptKeywords('WHERE') ? parseExpression(s) : null
      return { kind: 'with', projection, where }
    }
    case 'RETURN':
      s.next()
      return { kind: 'return', projection: parseProjection(s, 'RETURN') }
    default:
      if (word in UNSUPPORTED_CLAUSES) throw s.unsupported(UNSUPPORTED_CLAUSES[word])
      throw s.unexpected(`a clause (${CLAUSE_LIST})`)
  }
}

function parseMatch (s: TokenStream, optional: boolean): Clause {
  if (s.isKeyword('REPEATABLE') || s.isKeyword('DIFFERENT')) throw s.unsupported('MATCH modes')
  const patterns = parsePathPatterns(s)
  if (s.isKeyword('USING')) throw s.unsupported('planner hints (USING)')
  const where = s.acceptKeywords('WHERE') ? parseExpression(s) : null
  return { kind: 'match', optional, patterns, where }
}

function parseMerge (s: TokenStream): Clause {
  const pattern = parsePathPattern(s)
  const onCreate: SetItem[] = []
  const onMatch: SetItem[] = []
  while (s.isKeyword('ON')) {
    s.next()
    if (s.acceptKeywords('CREATE')) {
      s.expectKeywords('SET')
      onCreate.push(...parseSetItems(s))
    } else if (s.acceptKeywords('MATCH')) {
      s.expectKeywords('SET')
      onMatch.push(...parseSetItems(s))
    } else throw s.unexpected('CREATE or MATCH')
  }
  return { kind: 'merge', pattern, onCreate, onMatch }
}

function parseExpressionList (s: TokenStream): Expr[] {
  const exprs: Expr[] = []
  do { exprs.push(parseExpression(s)) } while (s.acceptOp(','))
  return exprs
}

/** `n.key` or `(expr).key`, chained: the object whose property is set, and the key. */
function parsePropertyTarget (s: TokenStream): { target: Expr, key: string } {
  let object: Expr
  if (s.acceptOp('(')) {
    object = parseExpression(s)
    s.expectOp(')')
  } else {
    object = { kind: 'variable', name: s.expectName('a variable name') }
  }
  if (s.isOp('[')) throw s.unsupported('dynamic property access in SET/REMOVE (n[key])')
  s.expectOp('.')
  let key = s.expectName('a property key name')
  while (s.acceptOp('.')) {
    object = { kind: 'property', object, key }
    key = s.expectName('a property key name')
  }
  return { target: object, key }
}

function parseLabelList (s: TokenStream): string[] {
  const labels: string[] = []
  while (s.acceptOp(':')) {
    labels.push(s.expectName('a label name'))
    if (s.isOp('|')) throw s.unsupported('label expressions with |')
  }
  return labels
}

function parseSetItems (s: TokenStream): SetItem[] {
  const items: SetItem[] = []
  do {
    if (s.isName() && s.isOp(':', 1)) {
      const variable = s.next().value as string
      items.push({ kind: 'setLabels', variable, labels: parseLabelList(s) })
    } else if (s.isName() && (s.isOp('=', 1) || s.isOp('+=', 1))) {
      const variable = s.next().value as string
      const replace = s.next().text === '='
      items.push({ kind: 'setProperties', variable, value: parseExpression(s), replace })
    } else if (s.isName() && s.isKeyword('IS', 1)) {
      throw s.unsupported('SET … IS Label')
    } else {
      const { target, key } = parsePropertyTarget(s)
      s.expectOp('=')
      items.push({ kind: 'setProperty', target, key, value: parseExpression(s) })
    }
  } while (s.acceptOp(','))
  return items
}

function parseRemoveItems (s: TokenStream): RemoveItem[] {
  const items: RemoveItem[] = []
  do {
    if (s.isName() && s.isOp(':', 1)) {
      const variable = s.next().value as string
      items.push({ kind: 'removeLabels', variable, labels: parseLabelList(s) })
    } else {
      items.push({ kind: 'removeProperty', ...parsePropertyTarget(s) })
    }
  } while (s.acceptOp(','))
  return items
}

export function parseProjection (s: TokenStream, clause: 'WITH' | 'RETURN'): Projection {
  const distinct = s.acceptKeywords('DISTINCT')
  let star = false
  const items: ProjectionItem[] = []
  if (s.acceptOp('*')) {
    star = true
    if (s.acceptOp(',')) items.push(...parseProjectionItems(s, clause))
  } else {
    items.push(...parseProjectionItems(s, clause))
  }
  const { orderBy, skip, limit } = parseOrderSkipLimit(s)
  return { distinct, star, items, orderBy, skip, limit }
}

function parseProjectionItems (s: TokenStream, clause: 'WITH' | 'RETURN'): ProjectionItem[] {
  const items: ProjectionItem[] = []
  do {
    const start = s.peek().start
    const expr = parseExpression(s)
    const text = s.text.slice(start, s.lastEnd)
    if (s.acceptKeywords('AS')) {
      items.push({ expr, name: s.expectName('a variable name after AS'), aliased: true })
    } else {
      if (clause === 'WITH' && expr.kind !== 'variable') {
        throw s.errorAt(start, 'Expression in WITH must be aliased (use AS)')
      }
      items.push({ expr, name: expr.kind === 'variable' ? expr.name : text, aliased: false })
    }
  } while (s.acceptOp(','))
  return items
}

export function parseOrderSkipLimit (s: TokenStream): { orderBy: SortItem[], skip: Expr | null, limit: Expr | null } {
  const orderBy: SortItem[] = []
  if (s.acceptKeywords('ORDER', 'BY')) {
    do {
      const start = s.peek().start
      const expr = parseExpression(s)
      const text = s.text.slice(start, s.lastEnd)
      let descending = false
      if (s.acceptKeywords('DESC') || s.acceptKeywords('DESCENDING')) descending = true
      else if (!s.acceptKeywords('ASC')) s.acceptKeywords('ASCENDING')
      orderBy.push({ expr, descending, text })
    } while (s.acceptOp(','))
  }
  const skip = s.acceptKeywords('SKIP') || s.acceptKeywords('OFFSET') ? parseExpression(s) : null
  const limit = s.acceptKeywords('LIMIT') ? parseExpression(s) : null
  return { orderBy, skip, limit }
}
