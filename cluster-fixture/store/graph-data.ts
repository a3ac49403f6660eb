// Records and indexes of one layer of a property graph: the committed store
// is one layer; a transaction's overlay keeps another for what it touched.
// Indexes: label → nodes, (label, key, value) → nodes, node → relationships
// (both directions). Adjacency is kept per relationship, not per node, so a
// node deleted earlier in a statement than its relationships stays consistent.

import type { PropertyValue } from '../values.js'

export interface NodeRecord {
  readonly id: number
  readonly labels: Set<string>
  readonly props: Map<string, PropertyValue>
}

export interface RelRecord {
  readonly id: number
  readonly type: string
  readonly start: number
  readonly end: number
  readonly props: Map<string, PropertyValue>
}

const EMPTY: ReadonlySet<number> = new Set()

/**
 * The key under which a property value is indexed, or undefined when the
 * value is not indexed (NaN, lists, temporal values…: lookups for those scan
 * the label instead). Integral floats share the integer's key because Cypher
 * compares numbers by value (`{id: 1.0}` matches a stored `1`).
 */
export function indexKey (value: PropertyValue): string | undefined {
  switch (typeof value) {
    case 'bigint': return 'i' + value.toString()
    case 'number':
      if (Number.isNaN(value)) return undefined
      return Number.isInteger(value) ? 'i' + BigInt(value).toString() : 'f' + String(value)
    case 'string': return 's' + value
    case 'boolean': return value ? 'bt' : 'bf'
    default: return undefined
  }
}

export class GraphData {
  readonly nodes = new Map<number, NodeRecord>()
  readonly rels = new Map<number, RelRecord>()
  private readonly byLabel = new Map<string, Set<number>>()
  /** `label \0 key \0 indexKey` → node id, or a set when several nodes share the value (most keys are unique). */
  private readonly byProperty = new Map<string, number | Set<number>>()
  private readonly outgoing = new Map<number, Set<number>>()
  private readonly incoming = new Map<number, Set<number>>()

  // ------------------------------------------------------------------ reads

  nodeIdsWithLabel (label: string): ReadonlySet<number> {
    return this.byLabel.get(label) ?? EMPTY
  }

  nodeIdsWithProperty (label: string, key: string, valueKey: string): ReadonlySet<number> | number {
    return this.byProperty.get(propertySlot(label, key, valueKey)) ?? EMPTY
  }

  relIds (nodeId: number, direction: 'out' | 'in'): ReadonlySet<number> {
    return (direction === 'out' ? this.outgoing : this.incoming).get(nodeId) ?? EMPTY
  }

  // ----------------------------------------------------------------- writes

  putNode (node: NodeRecord): void {
    this.nodes.set(node.id, node)
    for (const label of node.labels) this.indexLabel(node, label)
  }

  removeNode (id: number): void {
    const node = this.nodes.get(id)
    if (node === undefined) return
    for (const label of node.labels) this.unindexLabel(node, label)
    this.nodes.delete(id)
  }

  setNodeProperty (node: NodeRecord, key: string, value: PropertyValue | undefined): void {
    const old = node.props.get(key)
    for (const label of node.labels) {
      if (old !== undefined) this.unindexProperty(label, key, old, node.id)
      if (value !== undefined) this.indexProperty(label, key, value, node.id)
    }
    if (value === undefined) node.props.delete(key)
    else node.props.set(key, value)
  }

  addLabel (node: NodeRecord, label: string): void {
    if (node.labels.has(label)) return
    node.labels.add(label)
    this.indexLabel(node, label)
  }

  removeLabel (node: NodeRecord, label: string): void {
    if (!node.labels.has(label)) return
    this.unindexLabel(node, label)
    node.labels.delete(label)
  }

  putRel (rel: RelRecord): void {
    this.rels.set(rel.id, rel)
    addTo(this.outgoing, rel.start, rel.id)
    addTo(this.incoming, rel.end, rel.id)
  }

  removeRel (id: number): void {
    const rel = this.rels.get(id)
    if (rel === undefined) return
    removeFrom(this.outgoing, rel.start, id)
    removeFrom(this.incoming, rel.end, id)
    this.rels.delete(id)
  }

  setRelProperty (rel: RelRecord, key: string, value: PropertyValue | undefined): void {
    if (value === undefined) rel.props.delete(key)
    else rel.props.set(key, value)
  }

  // --------------------------------------------------------------- indexing

  private indexLabel (node: NodeRecord, label: string): void {
    addTo(this.byLabel, label, node.id)
    for (const [key, value] of node.props) this.indexProperty(label, key, value, node.id)
  }

  private unindexLabel (node: NodeRecord, label: string): void {
    removeFrom(this.byLabel, label, node.id)
    for (const [key, value] of node.props) this.unindexProperty(label, key, value, node.id)
  }

  private indexProperty (label: string, key: string, value: PropertyValue, id: number): void {
    const valueKey = indexKey(value)
    if (valueKey === undefined) return
    const slot = propertySlot(label, key, valueKey)
    const current = this.byProperty.get(slot)
    if (current === undefined) this.byProperty.set(slot, id)
    else if (typeof current === 'number') {
      if (current !== id) this.byProperty.set(slot, new Set([current, id]))
    } else current.add(id)
  }

  private unindexProperty (label: string, key: string, value: PropertyValue, id: number): void {
    const valueKey = indexKey(value)
    if (valueKey === undefined) return
    const slot = propertySlot(label, key, valueKey)
    const current = this.byProperty.get(slot)
    if (current === undefined) return
    if (typeof current === 'number') {
      if (current === id) this.byProperty.delete(slot)
      return
    }
    current.delete(id)
    if (current.size === 1) this.byProperty.set(slot, current.values().next().value as number)
  }
}

function propertySlot (label: string, key: string, valueKey: string): string {
  return label + '\u0000' + key + '\u0000' + valueKey
}

function addTo<K> (map: Map<K, Set<number>>, key: K, id: number): void {
  const set = map.get(key)
  if (set === undefined) map.set(key, new Set([id]))
  else set.add(id)
}

function removeFrom<K> (map: Map<K, Set<number>>, key: K, id: number): void {
  const set = map.get(key)
  if (set === undefined) return
  set.delete(id)
  if (set.size === 0) map.delete(key)
}
