// Graph patterns: `p = (a:Label {k: v})-[r:TYPE|OTHER {k: v}]->(b)<-[:T]-(c)`.
// Only fixed-length patterns; variable-length and quantified paths are named
// as unsupported.

import type { Direction, NodePattern, PathPattern, RelationshipPattern } from './ast.js'
import { parseExpression, parseMapLiteral } from './parse-expression.js'
import type { TokenStream } from './token-stream.js'

export function parsePathPatterns (s: TokenStream): PathPattern[] {
  const patterns: PathPattern[] = []
  do { patterns.push(parsePathPattern(s)) } while (s.acceptOp(','))
  return patterns
}

export function parsePathPattern (s: TokenStream): PathPattern {
  let pathVariable: string | null = null
  if (s.isName() && s.isOp('=', 1)) {
    pathVariable = s.next().value as string
    s.next()
  }
  if (s.isKeyword('SHORTESTPATH') || s.isKeyword('ALLSHORTESTPATHS') || s.isKeyword('SHORTEST') ||
    s.isKeyword('ALL') || s.isKeyword('ANY')) {
    throw s.unsupported(`${s.peek().text.toUpperCase()} path selectors`)
  }
  const nodes = [parseNodePattern(s)]
  const relationships: RelationshipPattern[] = []
  while (s.isOp('-') || (s.isOp('<') && s.isOp('-', 1))) {
    relationships.push(parseRelationshipPattern(s))
    nodes.push(parseNodePattern(s))
  }
  if (s.isOp('{') || s.isOp('*') || s.isOp('+')) throw s.unsupported('quantified path patterns')
  return { pathVariable, nodes, relationships }
}

function parseNodePattern (s: TokenStream): NodePattern {
  if (!s.isOp('(')) throw s.unexpected('a node pattern \'(\'')
  s.next()
  if (s.isOp('(')) throw s.unsupported('quantified path patterns')
  let variable: string | null = null
  if (s.isName() && !s.isKeyword('WHERE')) variable = s.next().value as string
  if (s.isKeyword('IS') && variable !== null) throw s.unsupported('label expressions with IS')
  const labels = parseLabels(s, 'a label name')
  const properties = parsePropertiesIfAny(s)
  if (s.isKeyword('WHERE')) throw s.unsupported('WHERE inside a node pattern')
  s.expectOp(')')
  return { variable, labels, properties }
}

function parseLabels (s: TokenStream, what: string): string[] {
  const labels: string[] = []
  while (s.acceptOp(':')) {
    labels.push(s.expectName(what))
    if (s.isOp('|')) throw s.unsupported('label expressions with |')
  }
  return labels
}

function parsePropertiesIfAny (s: TokenStream): NodePattern['properties'] {
  if (s.isOp('{')) return parseMapLiteral(s)
  if (s.peek().type === 'param') return parseExpression(s)
  return null
}

function parseRelationshipPattern (s: TokenStream): RelationshipPattern {
  const pointsLeft = s.acceptOp('<')
  s.expectOp('-')
  let variable: string | null = null
  let types: string[] = []
  let properties: RelationshipPattern['properties'] = null
  if (s.acceptOp('[')) {
    if (s.isName() && !s.isKeyword('WHERE')) variable = s.next().value as string
    if (s.acceptOp(':')) {
      types.push(s.expectName('a relationship type name'))
      while (s.acceptOp('|')) {
        s.acceptOp(':')
        types.push(s.expectName('a relationship type name'))
      }
    }
    if (s.isOp('*')) throw s.unsupported('variable-length relationship patterns (*)')
    properties = parsePropertiesIfAny(s)
    if (s.isKeyword('WHERE')) throw s.unsupported('WHERE inside a relationship pattern')
    s.expectOp(']')
  }
  s.expectOp('-')
  const pointsRight = s.acceptOp('>')
  const direction: Direction = pointsLeft === pointsRight ? 'both' : pointsLeft ? 'in' : 'out'
  types = [...new Set(types)]
  return { variable, types, direction, properties }
}
