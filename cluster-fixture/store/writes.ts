// The updating clauses: CREATE, MERGE, SET, REMOVE, DELETE / DETACH DELETE.
// Each one first takes all its input rows (so a write never feeds the read
// that produced it), then turns every change into a MutationOp that is
// applied to the transaction's overlay and appended to its redo log.

import { FixtureError } from '../errors.js'
import { DurationValue, NodeValue, PointValue, RelationshipValue, type PropertyValue } from '../values.js'
import type { Clause, NodePattern, PathPattern, RelationshipPattern, RemoveItem, SetItem } from './ast.js'
import { evaluate, type EvalContext } from './evaluate.js'
import { deleted } from './functions.js'
import type { MutationOp } from './graph.js'
import { evaluatePropertyMap, matchPath } from './match.js'
import type { Overlay } from './overlay.js'
import { isTemporal } from './temporal.js'
import { isValueMap, NodeRef, PathRef, RelRef, typeMismatch, typeName, type Row, type Value, type ValueMap } from './runtime-values.js'

export interface StatementCounters {
  nodesCreated: number
  nodesDeleted: number
  relationshipsCreated: number
  relationshipsDeleted: number
  propertiesSet: number
  labelsAdded: number
  labelsRemoved: number
}

export interface WriteContext extends EvalContext {
  readonly graph: Overlay
  /** Applies the op to the overlay and appends it to the transaction's log. */
  readonly record: (op: MutationOp) => void
  readonly counters: StatementCounters
  /** Nodes deleted without DETACH: they must have no relationships left when the statement ends. */
  readonly deletedWithoutDetach: Set<number>
}

// ------------------------------------------------------------- properties

function isStorableScalar (value: Value): boolean {
  return typeof value === 'bigint' || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean' ||
    isTemporal(value) || value instanceof DurationValue || value instanceof PointValue
}

/** The value to store, or undefined for null (which removes the property). */
export function toPropertyValue (value: Value, key: string): PropertyValue | undefined {
  if (value === null) return undefined
  if (isStorableScalar(value)) return value as PropertyValue
  if (value instanceof Uint8Array) return Uint8Array.from(value)
  if (Array.isArray(value)) {
    if (value.some(item => item === null)) throw new FixtureError('TypeError', `Collections containing null values can not be stored in properties (property '${key}').`)
    if (!value.every(isStorableScalar)) {
      throw new FixtureError('TypeError', `Property values can only be of primitive types or arrays thereof (property '${key}' got a list of ${value.map(typeName).join(', ')}).`)
    }
    const kinds = new Set(value.map(typeName))
    if (kinds.size > 1) throw new FixtureError('TypeError', `Collections containing mixed types can not be stored in properties (property '${key}').`)
    return [...value] as PropertyValue
  }
  throw new FixtureError('TypeError', `Property values can only be of primitive types or arrays thereof (property '${key}' got a ${typeName(value)}).`)
}

function storableProps (map: ValueMap | undefined): Record<string, PropertyValue> {
  const entries: Array<[string, PropertyValue]> = []
  for (const key in map) {
    const value = toPropertyValue(map[key], key)
    if (value !== undefined) entries.push([key, value])
  }
  // fromEntries defines own properties, so even a key named __proto__ is kept as data.
  return Object.fromEntries(entries)
}

function liveNode (ref: NodeRef, ctx: WriteContext): void {
  if (ctx.graph.node(ref.id) === undefined) deleted('Node', ref.id)
}

// ----------------------------------------------------------------- CREATE

function createNode (pattern: NodePattern, row: Row, ctx: WriteContext): NodeRef {
  const props = storableProps(evaluatePropertyMap(pattern.properties, row, ctx))
  const labels = [...new Set(pattern.labels)]
  const id = ctx.graph.allocateNodeId()
  ctx.record({ op: 'createNode', id, labels, props })
  ctx.counters.nodesCreated++
  ctx.counters.labelsAdded += labels.length
  ctx.counters.propertiesSet += Object.keys(props).length
  return new NodeRef(id)
}

function createRelationship (pattern: RelationshipPattern, from: NodeRef, to: NodeRef, row: Row, ctx: WriteContext): RelRef {
  const props = storableProps(evaluatePropertyMap(pattern.properties, row, ctx))
  const [start, end] = pattern.direction === 'in' ? [to, from] : [from, to]
  const id = ctx.graph.allocateRelationshipId()
  ctx.record({ op: 'createRelationship', id, type: pattern.types[0], start: start.id, end: end.id, props })
  ctx.counters.relationshipsCreated++
  ctx.counters.propertiesSet += Object.keys(props).length
  return new RelRef(id)
}

/** Creates the parts of a path that are not bound yet; returns the row extended with the new variables. */
function createPath (pattern: PathPattern, row: Row, ctx: WriteContext): Row {
  const out: Row = { ...row }
  const nodes: NodeRef[] = []
  for (const node of pattern.nodes) {
    if (node.variable !== null && Object.hasOwn(out, node.variable)) {
      const bound = out[node.variable]
      if (bound === null) {
        throw new FixtureError('SemanticError', `Failed to create relationship, node \`${node.variable}\` is missing (it is null)`)
      }
      if (!(bound instanceof NodeRef)) throw typeMismatch(`Node for \`${node.variable}\``, bound)
      liveNode(bound, ctx)
      nodes.push(bound)
    } else {
      const created = createNode(node, out, ctx)
      if (node.variable !== null) out[node.variable] = created
      nodes.push(created)
    }
  }
  const rels: RelRef[] = []
  pattern.relationships.forEach((rel, i) => {
    const created = createRelationship(rel, nodes[i], nodes[i + 1], out, ctx)
    if (rel.variable !== null) out[rel.variable] = created
    rels.push(created)
  })
  if (pattern.pathVariable !== null) out[pattern.pathVariable] = new PathRef(nodes, rels)
  return out
}

export function createClause (input: Iterable<Row>, clause: Extract<Clause, { kind: 'create' }>, ctx: WriteContext): Row[] {
  return Array.from(input).map(row => {
    let out = row
    for (const pattern of clause.patterns) out = createPath(pattern, out, ctx)
    return out
  })
}

// ------------------------------------------------------------------ MERGE

function rejectNullProperties (pattern: PathPattern, row: Row, ctx: WriteContext): void {
  const check = (part: NodePattern | RelationshipPattern, what: string): void => {
    const props = evaluatePropertyMap(part.properties, row, ctx)
    for (const key in props) {
      if (props[key] === null) {
        throw new FixtureError('SemanticError', `Cannot merge the following ${what} because of null property value for '${key}'`)
      }
    }
  }
  pattern.nodes.forEach(node => check(node, 'node'))
  pattern.relationships.forEach(rel => check(rel, 'relationship'))
}

export function mergeClause (input: Iterable<Row>, clause: Extract<Clause, { kind: 'merge' }>, ctx: WriteContext): Row[] {
  const output: Row[] = []
  for (const row of Array.from(input)) {
    rejectNullProperties(clause.pattern, row, ctx)
    const matches = Array.from(matchPath(clause.pattern, row, ctx, new Set()))
    if (matches.length > 0) {
      for (const matched of matches) {
        applySetItems(clause.onMatch, matched, ctx)
        output.push(matched)
      }
    } else {
      const created = createPath(clause.pattern, row, ctx)
      applySetItems(clause.onCreate, created, ctx)
      output.push(created)
    }
  }
  return output
}

// ------------------------------------------------------------- SET/REMOVE

function entityProps (target: NodeRef | RelRef, ctx: WriteContext): ReadonlyMap<string, PropertyValue> {
  if (target instanceof NodeRef) return (ctx.graph.node(target.id) ?? deleted('Node', target.id)).props
  return (ctx.graph.relationship(target.id) ?? deleted('Relationship', target.id)).props
}

function writeProperty (target: NodeRef | RelRef, key: string, value: PropertyValue | undefined, ctx: WriteContext): void {
  const isNode = target instanceof NodeRef
  if (value === undefined) {
    if (!entityProps(target, ctx).has(key)) return
    ctx.record(isNode ? { op: 'removeNodeProperty', id: target.id, key } : { op: 'removeRelationshipProperty', id: target.id, key })
  } else {
    entityProps(target, ctx)
    ctx.record(isNode ? { op: 'setNodeProperty', id: target.id, key, value } : { op: 'setRelationshipProperty', id: target.id, key, value })
  }
  ctx.counters.propertiesSet++
}

function asEntity (value: Value, what: string): NodeRef | RelRef | null {
  if (value === null || value instanceof NodeRef || value instanceof RelRef) return value
  throw typeMismatch(`Node or Relationship for ${what}`, value)
}

/** The map on the right of `SET n = …` / `SET n += …`: a map, or another entity's properties. */
function sourceMap (value: Value, ctx: WriteContext): ValueMap {
  if (value === null) return {}
  if (isValueMap(value)) return value
  if (value instanceof NodeRef || value instanceof RelRef) return Object.fromEntries(entityProps(value, ctx))
  if (value instanceof NodeValue || value instanceof RelationshipValue) return value.properties as ValueMap
  throw typeMismatch('Map, Node or Relationship on the right of SET … = / +=', value)
}

function applySetItem (item: SetItem, row: Row, ctx: WriteContext): void {
  switch (item.kind) {
    case 'setProperty': {
      const target = asEntity(evaluate(item.target, row, ctx), `SET … .${item.key}`)
      const value = toPropertyValue(evaluate(item.value, row, ctx), item.key)
      if (target !== null) writeProperty(target, item.key, value, ctx)
      return
    }
    case 'setProperties': {
      const target = asEntity(row[item.variable] ?? null, `SET ${item.variable} ${item.replace ? '=' : '+='} …`)
      const source = sourceMap(evaluate(item.value, row, ctx), ctx)
      if (target === null) return
      if (item.replace) {
        for (const key of [...entityProps(target, ctx).keys()]) {
          if (!Object.hasOwn(source, key) || source[key] === null) writeProperty(target, key, undefined, ctx)
        }
      }
      for (const key in source) writeProperty(target, key, toPropertyValue(source[key], key), ctx)
      return
    }
    case 'setLabels': {
      const target = row[item.variable] ?? null
      if (target === null) return
      if (!(target instanceof NodeRef)) throw typeMismatch('Node for SET … :Label', target)
      const node = ctx.graph.node(target.id) ?? deleted('Node', target.id)
      for (const label of item.labels) {
        if (node.labels.has(label)) continue
        ctx.record({ op: 'addLabel', id: target.id, label })
        ctx.counters.labelsAdded++
      }
    }
  }
}

export function applySetItems (items: SetItem[], row: Row, ctx: WriteContext): void {
  for (const item of items) applySetItem(item, row, ctx)
}

function applyRemoveItem (item: RemoveItem, row: Row, ctx: WriteContext): void {
  if (item.kind === 'removeProperty') {
    const target = asEntity(evaluate(item.target, row, ctx), `REMOVE … .${item.key}`)
    if (target !== null) writeProperty(target, item.key, undefined, ctx)
    return
  }
  const target = row[item.variable] ?? null
  if (target === null) return
  if (!(target instanceof NodeRef)) throw typeMismatch('Node for REMOVE … :Label', target)
  const node = ctx.graph.node(target.id) ?? deleted('Node', target.id)
  for (const label of item.labels) {
    if (!node.labels.has(label)) continue
    ctx.record({ op: 'removeLabel', id: target.id, label })
    ctx.counters.labelsRemoved++
  }
}

export function setClause (input: Iterable<Row>, clause: Extract<Clause, { kind: 'set' }>, ctx: WriteContext): Row[] {
  const rows = Array.from(input)
  for (const row of rows) applySetItems(clause.items, row, ctx)
  return rows
}

export function removeClause (input: Iterable<Row>, clause: Extract<Clause, { kind: 'remove' }>, ctx: WriteContext): Row[] {
  const rows = Array.from(input)
  for (const row of rows) for (const item of clause.items) applyRemoveItem(item, row, ctx)
  return rows
}

// ----------------------------------------------------------------- DELETE

function deleteRelationship (id: number, ctx: WriteContext): void {
  if (ctx.graph.relationship(id) === undefined) return // already deleted in this transaction
  ctx.record({ op: 'deleteRelationship', id })
  ctx.counters.relationshipsDeleted++
}

function deleteNode (id: number, detach: boolean, ctx: WriteContext): void {
  if (ctx.graph.node(id) === undefined) return
  if (detach) {
    const rels = [...ctx.graph.relationshipsOf(id, 'out'), ...ctx.graph.relationshipsOf(id, 'in')]
    for (const rel of rels) deleteRelationship(rel.id, ctx)
  } else {
    ctx.deletedWithoutDetach.add(id)
  }
  ctx.record({ op: 'deleteNode', id })
  ctx.counters.nodesDeleted++
}

function deleteValue (value: Value, detach: boolean, ctx: WriteContext): void {
  if (value === null) return
  if (value instanceof NodeRef) deleteNode(value.id, detach, ctx)
  else if (value instanceof RelRef) deleteRelationship(value.id, ctx)
  else if (value instanceof PathRef) {
    for (const rel of value.relationships) deleteRelationship(rel.id, ctx)
    for (const node of value.nodes) deleteNode(node.id, detach, ctx)
  } else if (Array.isArray(value)) {
    for (const item of value) deleteValue(item, detach, ctx)
  } else {
    throw new FixtureError('TypeError', `Expected a Node, Relationship or Path, but got a ${typeName(value)}`)
  }
}

export function deleteClause (input: Iterable<Row>, clause: Extract<Clause, { kind: 'delete' }>, ctx: WriteContext): Row[] {
  const rows = Array.from(input)
  for (const row of rows) {
    for (const target of clause.targets) deleteValue(evaluate(target, row, ctx), clause.detach, ctx)
  }
  return rows
}

/** Neo4j refuses to leave relationships without their nodes. */
export function checkDeletedNodesAreDetached (ctx: WriteContext): void {
  for (const id of ctx.deletedWithoutDetach) {
    const remaining = ctx.graph.relationshipsOf(id, 'out')[Symbol.iterator]().next().done === false ||
      ctx.graph.relationshipsOf(id, 'in')[Symbol.iterator]().next().done === false
    if (remaining) {
      throw new FixtureError('ConstraintValidationFailed',
        `Cannot delete node<${id}>, because it still has relationships. To delete this node, you must first delete its relationships.`)
    }
  }
}
