// Recursive-descent parser for Cypher expressions, lowest precedence first:
// OR < XOR < AND < NOT < comparison < string/list/null predicates < + - < * / %
// < ^ < unary +/- < postfix (property, index, slice, label test) < atoms.

import type { BinaryOperator, Expr } from './ast.js'
import type { TokenStream } from './token-stream.js'

const INT64_MAX = (1n << 63n) - 1n
const COMPARISON_OPS = new Set(['=', '<>', '!=', '<', '<=', '>', '>='])

/** Deeper nesting than this is refused before it can exhaust the call stack. */
const MAX_NESTING = 200

export function parseExpression (s: TokenStream): Expr {
  if (++s.depth > MAX_NESTING) throw s.errorAt(s.peek().start, `Expression nested more than ${MAX_NESTING} levels deep: too complex for the cluster fixture`)
  try {
    return parseOr(s)
  } finally {
    s.depth--
  }
}

function parseOr (s: TokenStream): Expr {
  let left = parseXor(s)
  while (s.acceptKeywords('OR')) left = { kind: 'binary', op: 'OR', left, right: parseXor(s) }
  return left
}

function parseXor (s: TokenStream): Expr {
  let left = parseAnd(s)
  while (s.acceptKeywords('XOR')) left = { kind: 'binary', op: 'XOR', left, right: parseAnd(s) }
  return left
}

function parseAnd (s: TokenStream): Expr {
  let left = parseNot(s)
  while (s.acceptKeywords('AND')) left = { kind: 'binary', op: 'AND', left, right: parseNot(s) }
  return left
}

function parseNot (s: TokenStream): Expr {
  if (s.acceptKeywords('NOT')) return { kind: 'not', operand: parseNot(s) }
  return parseComparison(s)
}

/** `a < b <= c` means `a < b AND b <= c`, as in Cypher. */
function parseComparison (s: TokenStream): Expr {
  const first = parsePredicate(s)
  let result: Expr | null = null
  let left = first
  while (s.peek().type === 'op' && COMPARISON_OPS.has(s.peek().text)) {
    const text = s.next().text
    const op = (text === '!=' ? '<>' : text) as BinaryOperator
    const right = parsePredicate(s)
    const comparison: Expr = { kind: 'binary', op, left, right }
    result = result === null ? comparison : { kind: 'binary', op: 'AND', left: result, right: comparison }
    left = right
  }
  return result ?? first
}

function parsePredicate (s: TokenStream): Expr {
  let left = parseAdditive(s)
  while (true) {
    if (s.acceptKeywords('STARTS', 'WITH')) left = { kind: 'binary', op: 'STARTS WITH', left, right: parseAdditive(s) }
    else if (s.acceptKeywords('ENDS', 'WITH')) left = { kind: 'binary', op: 'ENDS WITH', left, right: parseAdditive(s) }
    else if (s.acceptKeywords('CONTAINS')) left = { kind: 'binary', op: 'CONTAINS', left, right: parseAdditive(s) }
    else if (s.acceptKeywords('IN')) left = { kind: 'binary', op: 'IN', left, right: parseAdditive(s) }
    else if (s.acceptOp('=~')) left = { kind: 'binary', op: '=~', left, right: parseAdditive(s) }
    else if (s.isKeyword('IS')) {
      const at = s.peek().start
      s.next()
      const negated = s.acceptKeywords('NOT')
      if (!s.acceptKeywords('NULL')) {
        if (s.isOp(':') || s.isKeyword('TYPED')) throw s.unsupported('type predicate expressions (IS :: TYPE)', at)
        if (s.isKeyword('NORMALIZED') || s.isKeyword('NFC') || s.isKeyword('NFD')) throw s.unsupported('IS NORMALIZED', at)
        throw s.unexpected('NULL')
      }
      left = { kind: 'isNull', operand: left, negated }
    } else return left
  }
}

function parseAdditive (s: TokenStream): Expr {
  let left = parseMultiplicative(s)
  while (s.isOp('+') || s.isOp('-')) {
    const op = s.next().text as BinaryOperator
    left = { kind: 'binary', op, left, right: parseMultiplicative(s) }
  }
  return left
}

function parseMultiplicative (s: TokenStream): Expr {
  let left = parsePower(s)
  while (s.isOp('*') || s.isOp('/') || s.isOp('%')) {
    const op = s.next().text as BinaryOperator
    left = { kind: 'binary', op, left, right: parsePower(s) }
  }
  return left
}

/** `^` is left-associative in Cypher: 2 ^ 3 ^ 2 = 64. */
function parsePower (s: TokenStream): Expr {
  let left = parseUnary(s)
  while (s.acceptOp('^')) left = { kind: 'binary', op: '^', left, right: parseUnary(s) }
  return left
}

function parseUnary (s: TokenStream): Expr {
  if (s.isOp('-')) {
    const minus = s.next()
    const token = s.peek()
    // Fold `-<integer literal>` so that -9223372036854775808 is representable.
    if (token.type === 'int' && token.start === minus.end) {
      s.next()
      const value = -(token.value as bigint)
      if (value < -INT64_MAX - 1n) throw s.errorAt(minus.start, `integer is too large: -${token.text}`)
      return parsePostfix(s, { kind: 'literal', value })
    }
    if (token.type === 'float' && token.start === minus.end) {
      s.next()
      return parsePostfix(s, { kind: 'literal', value: -(token.value as number) })
    }
    return { kind: 'negate', operand: parseUnary(s) }
  }
  if (s.acceptOp('+')) return parseUnary(s)
  return parsePostfix(s, parseAtom(s))
}

function parsePostfix (s: TokenStream, base: Expr): Expr {
  let expr = base
  while (true) {
    if (s.isOp('.')) {
      s.next()
      expr = { kind: 'property', object: expr, key: s.expectName('a property key name') }
    } else if (s.isOp('[')) {
      s.next()
      if (s.acceptOp('..')) {
        const to = s.isOp(']') ? null : parseExpression(s)
        s.expectOp(']')
        expr = { kind: 'slice', object: expr, from: null, to }
        continue
      }
      const index = parseExpression(s)
      if (s.acceptOp('..')) {
        const to = s.isOp(']') ? null : parseExpression(s)
        s.expectOp(']')
        expr = { kind: 'slice', object: expr, from: index, to }
        continue
      }
      s.expectOp(']')
      expr = { kind: 'index', object: expr, index }
    } else if (s.isOp(':') && s.isName(1)) {
      const labels: string[] = []
      while (s.acceptOp(':')) labels.push(s.expectName('a label name'))
      if (s.isOp('|')) throw s.unsupported('label expressions with |')
      expr = { kind: 'hasLabels', operand: expr, labels }
    } else if (s.isOp('{') && expr.kind === 'variable') {
      throw s.unsupported('map projections (variable { .key, … })')
    } else return expr
  }
}

function parseAtom (s: TokenStream): Expr {
  const token = s.peek()
  switch (token.type) {
    case 'int': {
      s.next()
      const value = token.value as bigint
      if (value > INT64_MAX) throw s.errorAt(token.start, `integer is too large: ${token.text}`)
      return { kind: 'literal', value }
    }
    case 'float':
      s.next()
      if (!Number.isFinite(token.value as number)) throw s.errorAt(token.start, `floating point number is too large: ${token.text}`)
      return { kind: 'literal', value: token.value as number }
    case 'string':
      s.next()
      return { kind: 'literal', value: token.value as string }
    case 'param':
      s.next()
      return { kind: 'param', name: token.value as string }
    case 'qident':
      s.next()
      return { kind: 'variable', name: token.value as string }
    case 'ident':
      return parseWordAtom(s)
    case 'op':
      if (token.text === '(') {
        s.next()
        const inner = parseExpression(s)
        s.expectOp(')')
        if ((inner.kind === 'variable' || inner.kind === 'hasLabels') && looksLikeRelationship(s)) {
          throw s.unsupported('pattern expressions and pattern comprehensions (use MATCH)', token.start)
        }
        return inner
      }
      if (token.text === '[') return parseListOrComprehension(s)
      if (token.text === '{') return parseMapLiteral(s)
      break
    default:
      break
  }
  throw s.unexpected('an expression')
}

/** `(a)--`, `(a)-[`, `(a)<--`, `(a)<-[`: a pattern where an expression was expected. */
function looksLikeRelationship (s: TokenStream): boolean {
  if (s.isOp('-')) return s.isOp('-', 1) || s.isOp('[', 1)
  if (s.isOp('<')) return s.isOp('-', 1) && (s.isOp('-', 2) || s.isOp('[', 2))
  return false
}

function parseWordAtom (s: TokenStream): Expr {
  const token = s.peek()
  const upper = token.text.toUpperCase()
  if (upper === 'TRUE' || upper === 'FALSE') { s.next(); return { kind: 'literal', value: upper === 'TRUE' } }
  if (upper === 'NULL') { s.next(); return { kind: 'literal', value: null } }
  if (upper === 'CASE') return parseCase(s)
  if ((upper === 'EXISTS' || upper === 'COUNT' || upper === 'COLLECT') && s.isOp('{', 1)) {
    throw s.unsupported(`${upper} { … } subqueries`)
  }
  if (upper === 'ALL' || upper === 'ANY' || upper === 'NONE' || upper === 'SINGLE') {
    if (s.isOp('(', 1) && s.isName(2) && s.isKeyword('IN', 3)) throw s.unsupported(`list predicate ${upper}(… IN …)`)
  }
  if (upper === 'REDUCE' && s.isOp('(', 1)) throw s.unsupported('reduce()')
  if ((upper === 'SHORTESTPATH' || upper === 'ALLSHORTESTPATHS') && s.isOp('(', 1)) throw s.unsupported(token.text)
  // Namespaced function, e.g. apoc.coll.sum(x) or db.labels().
  let ahead = 1
  while (s.isOp('.', ahead) && s.isName(ahead + 1)) ahead += 2
  if (ahead > 1 && s.isOp('(', ahead)) {
    const name = []
    for (let i = 0; i < ahead; i += 2) name.push(s.peek(i).text)
    throw s.unsupported(`function ${name.join('.')}()`)
  }
  if (s.isOp('(', 1)) return parseCall(s)
  s.next()
  return { kind: 'variable', name: token.value as string }
}

function parseCall (s: TokenStream): Expr {
  const start = s.peek().start
  const name = (s.next().value as string).toLowerCase()
  s.expectOp('(')
  if (name === 'count' && s.isOp('*')) {
    s.next()
    s.expectOp(')')
    return { kind: 'countStar' }
  }
  const distinct = s.acceptKeywords('DISTINCT')
  const args: Expr[] = []
  if (!s.isOp(')')) {
    do { args.push(parseExpression(s)) } while (s.acceptOp(','))
  }
  s.expectOp(')')
  return { kind: 'call', name, distinct, args, text: s.text.slice(start, s.lastEnd) }
}

function parseCase (s: TokenStream): Expr {
  s.next()
  const operand = s.isKeyword('WHEN') ? null : parseExpression(s)
  const branches: Array<{ when: Expr, then: Expr }> = []
  while (s.acceptKeywords('WHEN')) {
    const when = parseExpression(s)
    s.expectKeywords('THEN')
    branches.push({ when, then: parseExpression(s) })
  }
  if (branches.length === 0) throw s.unexpected('WHEN')
  const otherwise = s.acceptKeywords('ELSE') ? parseExpression(s) : null
  s.expectKeywords('END')
  return { kind: 'case', operand, branches, otherwise }
}

function parseListOrComprehension (s: TokenStream): Expr {
  s.expectOp('[')
  if (s.isName() && s.isKeyword('IN', 1)) {
    const variable = s.next().value as string
    s.next()
    const source = parseExpression(s)
    const where = s.acceptKeywords('WHERE') ? parseExpression(s) : null
    const map = s.acceptOp('|') ? parseExpression(s) : null
    s.expectOp(']')
    return { kind: 'listComprehension', variable, source, where, map }
  }
  const items: Expr[] = []
  if (!s.isOp(']')) {
    do { items.push(parseExpression(s)) } while (s.acceptOp(','))
  }
  s.expectOp(']')
  return { kind: 'list', items }
}

export function parseMapLiteral (s: TokenStream): Expr {
  s.expectOp('{')
  const entries: Array<{ key: string, value: Expr }> = []
  if (!s.isOp('}')) {
    do {
      const key = s.expectName('a map key')
      s.expectOp(':')
      entries.push({ key, value: parseExpression(s) })
    } while (s.acceptOp(','))
  }
  s.expectOp('}')
  return { kind: 'map', entries }
}
