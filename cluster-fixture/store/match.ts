// Pattern matching for MATCH, OPTIONAL MATCH and MERGE: fixed-length paths of
// node and relationship patterns. Each path starts at its most selective node
// (a bound variable, then a (label, key, value) index hit, then a label, then
// every node) and expands along relationships in both directions from there.
// Within one MATCH a relationship is bound at most once (Cypher's uniqueness).

import { FixtureError } from '../errors.js'
import type { PropertyValue } from '../values.js'
import type { Clause, Expr, NodePattern, PathPattern, RelationshipPattern } from './ast.js'
import { equals } from './compare.js'
import { evaluate, isTrue, type EvalContext } from './evaluate.js'
import type { NodeRecord, RelRecord } from './graph.js'
import { lookupsFor, NO_LOOKUPS, whereHints, type Lookups } from './where-hints.js'
import { isValueMap, NodeRef, PathRef, RelRef, typeMismatch, type Row, type ValueMap } from './runtime-values.js'

/** A pattern's property map evaluated for a row (undefined when the pattern has none). */
export function evaluatePropertyMap (expr: Expr | null, row: Row, ctx: EvalContext): ValueMap | undefined {
  if (expr === null) return undefined
  const value = evaluate(expr, row, ctx)
  if (!isValueMap(value)) throw typeMismatch('Map for the properties of a pattern', value)
  return value
}

function hasAllProperties (props: ReadonlyMap<string, PropertyValue>, wanted: ValueMap | undefined): boolean {
  if (wanted === undefined) return true
  for (const key in wanted) {
    const actual = props.get(key)
    if (actual === undefined || equals(actual, wanted[key]) !== true) return false
  }
  return true
}

interface PreparedPath {
  pattern: PathPattern
  nodeProps: Array<ValueMap | undefined>
  relProps: Array<ValueMap | undefined>
}

function prepare (pattern: PathPattern, row: Row, ctx: EvalContext): PreparedPath | null {
  const nodeProps: Array<ValueMap | undefined> = []
  const relProps: Array<ValueMap | undefined> = []
  for (const node of pattern.nodes) {
    const props = evaluatePropertyMap(node.properties, row, ctx)
    // `{k: null}` never matches: k = null is null, not true.
    if (props !== undefined && Object.values(props).some(v => v === null)) return null
    nodeProps.push(props)
  }
  for (const rel of pattern.relationships) {
    const props = evaluatePropertyMap(rel.properties, row, ctx)
    if (props !== undefined && Object.values(props).some(v => v === null)) return null
    relProps.push(props)
  }
  return { pattern, nodeProps, relProps }
}

/** The bound node for a pattern variable: a NodeRef, null (bound to null: matches nothing), or undefined (unbound). */
function boundNode (variable: string | null, row: Row): NodeRef | null | undefined {
  if (variable === null || !Object.hasOwn(row, variable)) return undefined
  const value = row[variable]
  if (value === null) return null
  if (value instanceof NodeRef) return value
  throw new FixtureError('TypeError', `Type mismatch: variable \`${variable}\` is used as a node but is not one`)
}

function nodeFits (node: NodeRecord, pattern: NodePattern, props: ValueMap | undefined): boolean {
  for (const label of pattern.labels) if (!node.labels.has(label)) return false
  return hasAllProperties(node.props, props)
}

/** Candidate start nodes for an unbound node pattern, using the best index available. */
function candidates (pattern: NodePattern, props: ValueMap | undefined, ctx: EvalContext): Iterable<NodeRecord> {
  if (pattern.labels.length > 0 && props !== undefined) {
    for (const key in props) {
      const value = props[key]
      if (Array.isArray(value) || isValueMap(value)) continue
      const hits = ctx.graph.nodesWithProperty(pattern.labels[0], key, value as PropertyValue)
      if (hits !== null) return hits
    }
  }
  if (pattern.labels.length > 0) return ctx.graph.nodesWithLabel(pattern.labels[0])
  return ctx.graph.allNodes()
}

/** Index of the node pattern to start from: bound or pinned by id first, then property-indexed (pattern map or WHERE), then labelled. */
function chooseAnchor (path: PreparedPath, row: Row, lookups: Lookups): number {
  let best = 0
  let bestScore = -1
  path.pattern.nodes.forEach((node, i) => {
    const pinned = boundNode(node.variable, row) !== undefined || (node.variable !== null && lookups.ids.has(node.variable))
    const indexed = node.labels.length > 0 && (path.nodeProps[i] !== undefined || (node.variable !== null && lookups.equalities.has(node.variable)))
    const score = pinned ? 3 : indexed ? 2 : node.labels.length > 0 ? 1 : 0
    if (score > bestScore) { best = i; bestScore = score }
  })
  return best
}

/** Relationships from `node` matching `pattern` when walking forward (left to right) or backward. */
function* expand (node: NodeRecord, pattern: RelationshipPattern, forward: boolean, ctx: EvalContext): Iterable<{ rel: RelRecord, other: number }> {
  const wantsOut = pattern.direction === 'both' || (pattern.direction === 'out') === forward
  const wantsIn = pattern.direction === 'both' || (pattern.direction === 'in') === forward
  if (wantsOut) for (const rel of ctx.graph.relationshipsOf(node.id, 'out')) yield { rel, other: rel.end }
  if (wantsIn) {
    for (const rel of ctx.graph.relationshipsOf(node.id, 'in')) {
      // A self-loop already came out of the 'out' side when both directions are wanted.
      if (wantsOut && rel.start === rel.end) continue
      yield { rel, other: rel.start }
    }
  }
}

function relFits (rel: RelRecord, pattern: RelationshipPattern, props: ValueMap | undefined, row: Row): boolean {
  if (pattern.types.length > 0 && !pattern.types.includes(rel.type)) return false
  if (pattern.variable !== null && Object.hasOwn(row, pattern.variable)) {
    const bound = row[pattern.variable]
    if (!(bound instanceof RelRef) || bound.id !== rel.id) return false
  }
  return hasAllProperties(rel.props, props)
}

/**
 * Every way to match one path pattern, extending `row`; `usedRels` enforces
 * relationship uniqueness. `lookups`: what the clause's WHERE pins down, to
 * start from an index instead of a scan (WHERE itself still filters).
 */
export function* matchPath (pattern: PathPattern, row: Row, ctx: EvalContext, usedRels: Set<number>, lookups: Lookups = NO_LOOKUPS): Iterable<Row> {
  const path = prepare(pattern, row, ctx)
  if (path === null) return
  const count = pattern.nodes.length
  const nodes: Array<NodeRecord | undefined> = new Array(count)
  const rels: RelRecord[] = new Array(count - 1)
  const anchor = chooseAnchor(path, row, lookups)

  // A node variable may repeat within the path, e.g. (a)-->(b)-->(a).
  const placedId = (variable: string | null, upTo: number, skip: number): number | undefined => {
    if (variable === null) return undefined
    for (let i = 0; i < upTo; i++) if (i !== skip && nodes[i] !== undefined && pattern.nodes[i].variable === variable) return nodes[i]!.id
    return undefined
  }
  const acceptsNode = (i: number, node: NodeRecord): boolean => {
    const variable = pattern.nodes[i].variable
    const pinned = boundNode(variable, row)
    if (pinned === null || (pinned !== undefined && pinned.id !== node.id)) return false
    if (variable !== null && lookups.ids.has(variable) && lookups.ids.get(variable) !== node.id) return false
    const earlier = placedId(pattern.nodes[i].variable, count, i)
    if (earlier !== undefined && earlier !== node.id) return false
    return nodeFits(node, pattern.nodes[i], path.nodeProps[i])
  }

  const finish = (): Row => {
    const out: Row = { ...row }
    pattern.nodes.forEach((p, i) => { if (p.variable !== null) out[p.variable] = new NodeRef(nodes[i]!.id) })
    pattern.relationships.forEach((p, i) => { if (p.variable !== null) out[p.variable] = new RelRef(rels[i].id) })
    if (pattern.pathVariable !== null) {
      out[pattern.pathVariable] = new PathRef(nodes.map(node => new NodeRef(node!.id)), rels.map(rel => new RelRef(rel.id)))
    }
    return out
  }

  function* step (i: number, forward: boolean): Iterable<Row> {
    // Walk right from the anchor to the end, then left from the anchor to the start.
    if (forward && i === count - 1) { yield * step(anchor, false); return }
    if (!forward && i === 0) { yield finish(); return }
    const relIndex = forward ? i : i - 1
    const nextIndex = forward ? i + 1 : i - 1
    for (const { rel, other } of expand(nodes[i]!, pattern.relationships[relIndex], forward, ctx)) {
      if (usedRels.has(rel.id) || !relFits(rel, pattern.relationships[relIndex], path!.relProps[relIndex], row)) continue
      const next = ctx.graph.node(other)
      if (next === undefined || !acceptsNode(nextIndex, next)) continue
      usedRels.add(rel.id)
      rels[relIndex] = rel
      nodes[nextIndex] = next
      try {
        yield * step(nextIndex, forward)
      } finally {
        usedRels.delete(rel.id)
        nodes[nextIndex] = undefined
      }
    }
  }

  const anchorVariable = pattern.nodes[anchor].variable
  const pinned = boundNode(anchorVariable, row)
  if (pinned === null) return
  const pinnedId = pinned?.id ?? (anchorVariable !== null ? lookups.ids.get(anchorVariable) : undefined)
  const lookupProps = path.nodeProps[anchor] ?? (anchorVariable !== null ? lookups.equalities.get(anchorVariable) : undefined)
  const starts = pinnedId !== undefined ? [ctx.graph.node(pinnedId)].filter(n => n !== undefined) : candidates(pattern.nodes[anchor], lookupProps, ctx)
  for (const start of starts) {
    if (!acceptsNode(anchor, start)) continue
    nodes[anchor] = start
    yield * step(anchor, true)
    nodes[anchor] = undefined
  }
}

function* matchAll (patterns: PathPattern[], index: number, row: Row, ctx: EvalContext, usedRels: Set<number>, lookups: Lookups): Iterable<Row> {
  if (index === patterns.length) { yield row; return }
  for (const extended of matchPath(patterns[index], row, ctx, usedRels, lookups)) {
    yield * matchAll(patterns, index + 1, extended, ctx, usedRels, lookups)
  }
}


function newVariables (patterns: PathPattern[], row: Row): string[] {
  const names = new Set<string>()
  for (const pattern of patterns) {
    for (const node of pattern.nodes) if (node.variable !== null) names.add(node.variable)
    for (const rel of pattern.relationships) if (rel.variable !== null) names.add(rel.variable)
    if (pattern.pathVariable !== null) names.add(pattern.pathVariable)
  }
  return [...names].filter(name => !Object.hasOwn(row, name))
}

/** MATCH / OPTIONAL MATCH over a stream of rows (lazy). */
export function* matchClause (input: Iterable<Row>, clause: Extract<Clause, { kind: 'match' }>, ctx: EvalContext): Iterable<Row> {
  const hints = whereHints(clause)
  for (const row of input) {
    let matched = false
    for (const out of matchAll(clause.patterns, 0, row, ctx, new Set(), lookupsFor(hints, row, ctx))) {
      if (clause.where !== null && !isTrue(evaluate(clause.where, out, ctx))) continue
      matched = true
      yield out
    }
    if (clause.optional && !matched) {
      const out: Row = { ...row }
      for (const name of newVariables(clause.patterns, row)) out[name] = null
      yield out
    }
  }
}
