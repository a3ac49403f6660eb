// The committed property graph of one database copy on one member, and the
// mutation ops (the redo log) that build it. A member's graph is built only by
// `GraphStore.apply` of ops taken from the replicated log, so two members that
// applied the same ops hold equal graphs: every op carries concrete ids and
// values (never "now" or "a new id"), which makes replay deterministic.

import { FixtureError } from '../errors.js'
import type { PropertyValue } from '../values.js'
import { GraphData, indexKey, type NodeRecord, type RelRecord } from './graph-data.js'

export type { NodeRecord, RelRecord } from './graph-data.js'

/**
 * One change to a graph. Plain data holding property values (bigint, number,
 * string, boolean, temporal/point class instances, lists of those): keep ops
 * immutable once recorded; members share the same objects in-process.
 */
export type MutationOp =
  | { op: 'createNode', id: number, labels: string[], props: Record<string, PropertyValue> }
  | { op: 'deleteNode', id: number }
  | { op: 'setNodeProperty', id: number, key: string, value: PropertyValue }
  | { op: 'removeNodeProperty', id: number, key: string }
  | { op: 'addLabel', id: number, label: string }
  | { op: 'removeLabel', id: number, label: string }
  | { op: 'createRelationship', id: number, type: string, start: number, end: number, props: Record<string, PropertyValue> }
  | { op: 'deleteRelationship', id: number }
  | { op: 'setRelationshipProperty', id: number, key: string, value: PropertyValue }
  | { op: 'removeRelationshipProperty', id: number, key: string }

/** What the query executor reads: the committed store, or a transaction's overlay on it. */
export interface GraphReader {
  readonly databaseName: string
  node: (id: number) => NodeRecord | undefined
  relationship: (id: number) => RelRecord | undefined
  allNodes: () => Iterable<NodeRecord>
  nodesWithLabel: (label: string) => Iterable<NodeRecord>
  /** Nodes with the label whose property `key` equals `value`; null when the value is not indexed (scan instead). */
  nodesWithProperty: (label: string, key: string, value: PropertyValue) => Iterable<NodeRecord> | null
  relationshipsOf: (nodeId: number, direction: 'out' | 'in') => Iterable<RelRecord>
}

/** The mutations an op log is replayed through (the store, or an overlay). */
export interface MutableGraph {
  createNode: (id: number, labels: readonly string[], props: Record<string, PropertyValue>) => void
  deleteNode: (id: number) => void
  setNodeProperty: (id: number, key: string, value: PropertyValue | undefined) => void
  setNodeLabel: (id: number, label: string, present: boolean) => void
  createRelationship: (id: number, type: string, start: number, end: number, props: Record<string, PropertyValue>) => void
  deleteRelationship: (id: number) => void
  setRelationshipProperty: (id: number, key: string, value: PropertyValue | undefined) => void
}

export function applyOp (graph: MutableGraph, op: MutationOp): void {
  switch (op.op) {
    case 'createNode': graph.createNode(op.id, op.labels, op.props); break
    case 'deleteNode': graph.deleteNode(op.id); break
    case 'setNodeProperty': graph.setNodeProperty(op.id, op.key, op.value); break
    case 'removeNodeProperty': graph.setNodeProperty(op.id, op.key, undefined); break
    case 'addLabel': graph.setNodeLabel(op.id, op.label, true); break
    case 'removeLabel': graph.setNodeLabel(op.id, op.label, false); break
    case 'createRelationship': graph.createRelationship(op.id, op.type, op.start, op.end, op.props); break
    case 'deleteRelationship': graph.deleteRelationship(op.id); break
    case 'setRelationshipProperty': graph.setRelationshipProperty(op.id, op.key, op.value); break
    case 'removeRelationshipProperty': graph.setRelationshipProperty(op.id, op.key, undefined); break
  }
}

export function newNodeRecord (id: number, labels: Iterable<string>, props: Record<string, PropertyValue>): NodeRecord {
  return { id, labels: new Set(labels), props: new Map(Object.entries(props)) }
}

export function lookupByIndex (data: GraphData, label: string, key: string, value: PropertyValue): ReadonlySet<number> | number | null {
  const valueKey = indexKey(value)
  return valueKey === undefined ? null : data.nodeIdsWithProperty(label, key, valueKey)
}

function* idsToRecords<T> (ids: ReadonlySet<number> | number, records: Map<number, T>): Iterable<T> {
  if (typeof ids === 'number') {
    const record = records.get(ids)
    if (record !== undefined) yield record
    return
  }
  for (const id of ids) {
    const record = records.get(id)
    if (record !== undefined) yield record
  }
}

/** A plain, id-ordered description of a graph's content: two stores hold equal graphs iff their snapshots are deep-equal. */
export interface GraphSnapshot {
  nodes: Array<{ id: number, labels: string[], props: Record<string, PropertyValue> }>
  relationships: Array<{ id: number, type: string, start: number, end: number, props: Record<string, PropertyValue> }>
  nextNodeId: number
  nextRelationshipId: number
}

export class GraphStore implements GraphReader, MutableGraph {
  /** Records and indexes; read directly by the transaction overlay. */
  readonly data = new GraphData()
  private nextNode = 0
  private nextRel = 0
  private appliedOps = 0

  constructor (readonly databaseName: string) {}

  /** A store holding a snapshot's content (e.g. to install a Raft snapshot instead of replaying a compacted log). */
  static fromSnapshot (databaseName: string, snapshot: GraphSnapshot): GraphStore {
    const store = new GraphStore(databaseName)
    for (const node of snapshot.nodes) store.createNode(node.id, node.labels, node.props)
    for (const rel of snapshot.relationships) store.createRelationship(rel.id, rel.type, rel.start, rel.end, rel.props)
    store.nextNode = Math.max(store.nextNode, snapshot.nextNodeId)
    store.nextRel = Math.max(store.nextRel, snapshot.nextRelationshipId)
    return store
  }

  get nodeCount (): number { return this.data.nodes.size }
  get relationshipCount (): number { return this.data.rels.size }
  /** Ids below these were used by a committed op; new transactions allocate from here. */
  get nextNodeId (): number { return this.nextNode }
  get nextRelationshipId (): number { return this.nextRel }
  /** Total ops applied since creation (handy in logs and tests). */
  get appliedOpCount (): number { return this.appliedOps }

  /**
   * Applies committed ops in order. Deterministic; never throws for ops that a
   * transaction produced against an equal store. An op that does not fit
   * (unknown id, duplicate id) means the logs diverged: it throws a
   * DatabaseError and the ops before it stay applied.
   */
  apply (ops: readonly MutationOp[]): void {
    for (const op of ops) {
      applyOp(this, op)
      this.appliedOps++
    }
  }

  // ----------------------------------------------------------- GraphReader

  node (id: number): NodeRecord | undefined { return this.data.nodes.get(id) }
  relationship (id: number): RelRecord | undefined { return this.data.rels.get(id) }
  allNodes (): Iterable<NodeRecord> { return this.data.nodes.values() }
  nodesWithLabel (label: string): Iterable<NodeRecord> { return idsToRecords(this.data.nodeIdsWithLabel(label), this.data.nodes) }

  nodesWithProperty (label: string, key: string, value: PropertyValue): Iterable<NodeRecord> | null {
    const ids = lookupByIndex(this.data, label, key, value)
    return ids === null ? null : idsToRecords(ids, this.data.nodes)
  }

  relationshipsOf (nodeId: number, direction: 'out' | 'in'): Iterable<RelRecord> {
    return idsToRecords(this.data.relIds(nodeId, direction), this.data.rels)
  }

  snapshot (): GraphSnapshot {
    const byId = (a: { id: number }, b: { id: number }): number => a.id - b.id
    return {
      nodes: [...this.data.nodes.values()].sort(byId).map(node => ({
        id: node.id, labels: [...node.labels].sort(), props: sortedProps(node.props)
      })),
      relationships: [...this.data.rels.values()].sort(byId).map(rel => ({
        id: rel.id, type: rel.type, start: rel.start, end: rel.end, props: sortedProps(rel.props)
      })),
      nextNodeId: this.nextNode,
      nextRelationshipId: this.nextRel
    }
  }

  // ----------------------------------------------------------- MutableGraph

  createNode (id: number, labels: readonly string[], props: Record<string, PropertyValue>): void {
    if (this.data.nodes.has(id)) throw diverged(`node ${id} already exists`)
    this.data.putNode(newNodeRecord(id, labels, props))
    if (id >= this.nextNode) this.nextNode = id + 1
  }

  deleteNode (id: number): void {
    if (!this.data.nodes.has(id)) throw diverged(`node ${id} does not exist`)
    this.data.removeNode(id)
  }

  setNodeProperty (id: number, key: string, value: PropertyValue | undefined): void {
    this.data.setNodeProperty(this.existingNode(id), key, value)
  }

  setNodeLabel (id: number, label: string, present: boolean): void {
    const node = this.existingNode(id)
    if (present) this.data.addLabel(node, label)
    else this.data.removeLabel(node, label)
  }

  createRelationship (id: number, type: string, start: number, end: number, props: Record<string, PropertyValue>): void {
    if (this.data.rels.has(id)) throw diverged(`relationship ${id} already exists`)
    this.existingNode(start)
    this.existingNode(end)
    this.data.putRel({ id, type, start, end, props: new Map(Object.entries(props)) })
    if (id >= this.nextRel) this.nextRel = id + 1
  }

  deleteRelationship (id: number): void {
    if (!this.data.rels.has(id)) throw diverged(`relationship ${id} does not exist`)
    this.data.removeRel(id)
  }

  setRelationshipProperty (id: number, key: string, value: PropertyValue | undefined): void {
    const rel = this.data.rels.get(id)
    if (rel === undefined) throw diverged(`relationship ${id} does not exist`)
    this.data.setRelProperty(rel, key, value)
  }

  private existingNode (id: number): NodeRecord {
    const node = this.data.nodes.get(id)
    if (node === undefined) throw diverged(`node ${id} does not exist`)
    return node
  }
}

function sortedProps (props: Map<string, PropertyValue>): Record<string, PropertyValue> {
  return Object.fromEntries([...props.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

function diverged (what: string): FixtureError {
  return new FixtureError('GeneralUnknownError', `A replicated operation does not fit this copy of the database: ${what}`)
}
