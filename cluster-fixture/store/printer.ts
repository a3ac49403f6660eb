// Prints syntax trees back to Cypher text that parses to the same tree (every
// name backquoted, every operation parenthesised). Used by the round-trip
// property tests of the parser, and handy when debugging a plan.

import type { Clause, Expr, NodePattern, PathPattern, Projection, RelationshipPattern, RemoveItem, SetItem, SortItem } from './ast.js'
import { formatFloat } from './arithmetic.js'

export function printName (name: string): string {
  return '`' + name.replaceAll('`', '``') + '`'
}

const STRING_ESCAPES: Record<string, string> = { '\\': '\\\\', '\'': '\\\'', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' }

function printString (value: string): string {
  return '\'' + value.replace(/[\\'\n\r\t\b\f]/g, ch => STRING_ESCAPES[ch]) + '\''
}

function printLiteral (value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'boolean') return String(value)
  if (typeof value === 'bigint') return value < 0n ? `(${value})` : String(value)
  if (typeof value === 'number') {
    const text = formatFloat(value).replace('E', 'e')
    return value < 0 ? `(${text})` : text
  }
  if (typeof value === 'string') return printString(value)
  throw new Error(`cannot print literal ${String(value)}`)
}

export function printExpr (expr: Expr): string {
  switch (expr.kind) {
    case 'literal': return printLiteral(expr.value)
    case 'param': return '$' + printName(expr.name)
    case 'variable': return printName(expr.name)
    case 'property': return `(${printExpr(expr.object)}).${printName(expr.key)}`
    case 'index': return `(${printExpr(expr.object)})[${printExpr(expr.index)}]`
    case 'slice': return `(${printExpr(expr.object)})[${expr.from ? printExpr(expr.from) : ''}..${expr.to ? printExpr(expr.to) : ''}]`
    case 'list': return `[${expr.items.map(printExpr).join(', ')}]`
    case 'map': return `{${expr.entries.map(entry => `${printName(entry.key)}: ${printExpr(entry.value)}`).join(', ')}}`
    case 'binary': {
      // `(x:L) - [1]` would read as the relationship pattern `(x:L)-[…`: keep a list after '-' in parentheses.
      const right = printExpr(expr.right)
      return `(${printExpr(expr.left)} ${expr.op} ${expr.op === '-' && right.startsWith('[') ? `(${right})` : right})`
    }
    case 'not': return `(NOT ${printExpr(expr.operand)})`
    case 'negate': return `(-(${printExpr(expr.operand)}))`
    case 'isNull': return `(${printExpr(expr.operand)} IS ${expr.negated ? 'NOT ' : ''}NULL)`
    case 'hasLabels': return `((${printExpr(expr.operand)})${expr.labels.map(label => ':' + printName(label)).join('')})`
    case 'call': return `${expr.name}(${expr.distinct ? 'DISTINCT ' : ''}${expr.args.map(printExpr).join(', ')})`
    case 'countStar': return 'count(*)'
    case 'case': {
      const branches = expr.branches.map(branch => ` WHEN ${printExpr(branch.when)} THEN ${printExpr(branch.then)}`).join('')
      return `CASE${expr.operand ? ' ' + printExpr(expr.operand) : ''}${branches}${expr.otherwise ? ' ELSE ' + printExpr(expr.otherwise) : ''} END`
    }
    case 'listComprehension':
      return `[${printName(expr.variable)} IN ${printExpr(expr.source)}${expr.where ? ' WHERE ' + printExpr(expr.where) : ''}${expr.map ? ' | ' + printExpr(expr.map) : ''}]`
  }
}

function printNode (node: NodePattern): string {
  const variable = node.variable !== null ? printName(node.variable) : ''
  const labels = node.labels.map(label => ':' + printName(label)).join('')
  const props = node.properties ? ' ' + printExpr(node.properties) : ''
  return `(${variable}${labels}${props})`
}

function printRelationship (rel: RelationshipPattern): string {
  const variable = rel.variable !== null ? printName(rel.variable) : ''
  const types = rel.types.length > 0 ? ':' + rel.types.map(printName).join('|') : ''
  const props = rel.properties ? ' ' + printExpr(rel.properties) : ''
  return `${rel.direction === 'in' ? '<' : ''}-[${variable}${types}${props}]-${rel.direction === 'out' ? '>' : ''}`
}

export function printPattern (pattern: PathPattern): string {
  let text = pattern.pathVariable !== null ? `${printName(pattern.pathVariable)} = ` : ''
  text += printNode(pattern.nodes[0])
  pattern.relationships.forEach((rel, i) => { text += printRelationship(rel) + printNode(pattern.nodes[i + 1]) })
  return text
}

function printSort (items: SortItem[]): string {
  return items.length === 0 ? '' : ' ORDER BY ' + items.map(item => printExpr(item.expr) + (item.descending ? ' DESC' : '')).join(', ')
}

function printProjection (projection: Projection): string {
  const items = projection.items.map(item => item.aliased ? `${printExpr(item.expr)} AS ${printName(item.name)}` : printExpr(item.expr))
  if (projection.star) items.unshift('*')
  return (projection.distinct ? 'DISTINCT ' : '') + items.join(', ') + printSort(projection.orderBy) +
    (projection.skip ? ' SKIP ' + printExpr(projection.skip) : '') + (projection.limit ? ' LIMIT ' + printExpr(projection.limit) : '')
}

function printSetItem (item: SetItem): string {
  switch (item.kind) {
    case 'setProperty': return `(${printExpr(item.target)}).${printName(item.key)} = ${printExpr(item.value)}`
    case 'setProperties': return `${printName(item.variable)} ${item.replace ? '=' : '+='} ${printExpr(item.value)}`
    case 'setLabels': return printName(item.variable) + item.labels.map(label => ':' + printName(label)).join('')
  }
}

function printRemoveItem (item: RemoveItem): string {
  return item.kind === 'removeProperty'
    ? `(${printExpr(item.target)}).${printName(item.key)}`
    : printName(item.variable) + item.labels.map(label => ':' + printName(label)).join('')
}

export function printClause (clause: Clause): string {
  switch (clause.kind) {
    case 'match':
      return `${clause.optional ? 'OPTIONAL ' : ''}MATCH ${clause.patterns.map(printPattern).join(', ')}${clause.where ? ' WHERE ' + printExpr(clause.where) : ''}`
    case 'create': return `CREATE ${clause.patterns.map(printPattern).join(', ')}`
    case 'merge':
      return `MERGE ${printPattern(clause.pattern)}` +
        (clause.onCreate.length > 0 ? ' ON CREATE SET ' + clause.onCreate.map(printSetItem).join(', ') : '') +
        (clause.onMatch.length > 0 ? ' ON MATCH SET ' + clause.onMatch.map(printSetItem).join(', ') : '')
    case 'set': return 'SET ' + clause.items.map(printSetItem).join(', ')
    case 'remove': return 'REMOVE ' + clause.items.map(printRemoveItem).join(', ')
    case 'delete': return `${clause.detach ? 'DETACH ' : ''}DELETE ${clause.targets.map(printExpr).join(', ')}`
    case 'unwind': return `UNWIND ${printExpr(clause.expr)} AS ${printName(clause.variable)}`
    case 'with': return `WITH ${printProjection(clause.projection)}${clause.where ? ' WHERE ' + printExpr(clause.where) : ''}`
    case 'return': return `RETURN ${printProjection(clause.projection)}`
  }
}

export function printQuery (clauses: Clause[]): string {
  return clauses.map(printClause).join('\n')
}
