// A transaction's private view of a database: the live committed store plus
// the transaction's own changes, which nobody else sees until the cluster
// layer commits the ops and every member applies them to its store.
//
// Changes live in a second GraphData layer ("touched"): nodes and
// relationships the transaction created, and copy-on-write copies of committed
// ones it modified. Reads take the touched copy when there is one, skip what
// the transaction deleted, and otherwise read the store. Both layers are
// indexed the same way, so label and property lookups stay index lookups.

import type { PropertyValue } from '../values.js'
import { GraphData, type NodeRecord, type RelRecord } from './graph-data.js'
import { lookupByIndex, newNodeRecord, type GraphReader, type GraphStore, type MutableGraph } from './graph.js'

/** Stands in for the layer of a transaction that has not written anything yet. */
const EMPTY_LAYER = new GraphData()

export class Overlay implements GraphReader, MutableGraph {
  /** Allocated on the first write: most transactions only read. */
  private layer: GraphData | null = null
  private readonly deletedNodes = new Set<number>()
  private readonly deletedRels = new Set<number>()
  private nextNode = 0
  private nextRel = 0

  constructor (readonly base: GraphStore) {}

  get databaseName (): string { return this.base.databaseName }

  private get touched (): GraphData {
    return this.layer ?? EMPTY_LAYER
  }

  private get writable (): GraphData {
    return (this.layer ??= new GraphData())
  }

  /** Ids for new entities: above everything committed and everything this transaction allocated. */
  allocateNodeId (): number {
    const id = Math.max(this.nextNode, this.base.nextNodeId)
    this.nextNode = id + 1
    return id
  }

  allocateRelationshipId (): number {
    const id = Math.max(this.nextRel, this.base.nextRelationshipId)
    this.nextRel = id + 1
    return id
  }

  // ----------------------------------------------------------- GraphReader

  node (id: number): NodeRecord | undefined {
    if (this.deletedNodes.has(id)) return undefined
    return this.touched.nodes.get(id) ?? this.base.data.nodes.get(id)
  }

  relationship (id: number): RelRecord | undefined {
    if (this.deletedRels.has(id)) return undefined
    return this.touched.rels.get(id) ?? this.base.data.rels.get(id)
  }

  /** Whether the transaction deleted this node (it may have existed in the store or only in this transaction). */
  isDeletedNode (id: number): boolean { return this.deletedNodes.has(id) }
  isDeletedRelationship (id: number): boolean { return this.deletedRels.has(id) }

  * allNodes (): Iterable<NodeRecord> {
    for (const node of this.base.data.nodes.values()) {
      if (!this.shadowsNode(node.id)) yield node
    }
    yield * this.touched.nodes.values()
  }

  * nodesWithLabel (label: string): Iterable<NodeRecord> {
    yield * this.baseNodes(this.base.data.nodeIdsWithLabel(label))
    yield * this.touchedNodes(this.touched.nodeIdsWithLabel(label))
  }

  nodesWithProperty (label: string, key: string, value: PropertyValue): Iterable<NodeRecord> | null {
    const inBase = lookupByIndex(this.base.data, label, key, value)
    const inTouched = lookupByIndex(this.touched, label, key, value)
    if (inBase === null || inTouched === null) return null
    return this.concat(this.baseNodes(inBase), this.touchedNodes(inTouched))
  }

  * relationshipsOf (nodeId: number, direction: 'out' | 'in'): Iterable<RelRecord> {
    for (const id of this.base.data.relIds(nodeId, direction)) {
      if (this.touched.rels.has(id) || this.deletedRels.has(id)) continue
      const rel = this.base.data.rels.get(id)
      if (rel !== undefined) yield rel
    }
    for (const id of this.touched.relIds(nodeId, direction)) {
      const rel = this.touched.rels.get(id)
      if (rel !== undefined) yield rel
    }
  }

  private * concat<T> (first: Iterable<T>, second: Iterable<T>): Iterable<T> {
    yield * first
    yield * second
  }

  private shadowsNode (id: number): boolean {
    return this.touched.nodes.has(id) || this.deletedNodes.has(id)
  }

  private * baseNodes (ids: ReadonlySet<number> | number): Iterable<NodeRecord> {
    for (const id of typeof ids === 'number' ? [ids] : ids) {
      if (this.shadowsNode(id)) continue
      const node = this.base.data.nodes.get(id)
      if (node !== undefined) yield node
    }
  }

  private * touchedNodes (ids: ReadonlySet<number> | number): Iterable<NodeRecord> {
    for (const id of typeof ids === 'number' ? [ids] : ids) {
      const node = this.touched.nodes.get(id)
      if (node !== undefined) yield node
    }
  }

  // ----------------------------------------------------------- MutableGraph

  createNode (id: number, labels: readonly string[], props: Record<string, PropertyValue>): void {
    this.writable.putNode(newNodeRecord(id, labels, props))
    if (id >= this.nextNode) this.nextNode = id + 1
  }

  deleteNode (id: number): void {
    this.layer?.removeNode(id)
    this.deletedNodes.add(id)
  }

  setNodeProperty (id: number, key: string, value: PropertyValue | undefined): void {
    this.writable.setNodeProperty(this.writableNode(id), key, value)
  }

  setNodeLabel (id: number, label: string, present: boolean): void {
    const node = this.writableNode(id)
    if (present) this.writable.addLabel(node, label)
    else this.writable.removeLabel(node, label)
  }

  createRelationship (id: number, type: string, start: number, end: number, props: Record<string, PropertyValue>): void {
    this.writable.putRel({ id, type, start, end, props: new Map(Object.entries(props)) })
    if (id >= this.nextRel) this.nextRel = id + 1
  }

  deleteRelationship (id: number): void {
    this.layer?.removeRel(id)
    this.deletedRels.add(id)
  }

  setRelationshipProperty (id: number, key: string, value: PropertyValue | undefined): void {
    this.writable.setRelProperty(this.writableRel(id), key, value)
  }

  /** The touched copy of a node, copying the committed record on first write. */
  private writableNode (id: number): NodeRecord {
    const own = this.touched.nodes.get(id)
    if (own !== undefined) return own
    const committed = this.base.data.nodes.get(id)
    if (committed === undefined || this.deletedNodes.has(id)) throw new Error(`node ${id} is not in this transaction's view`)
    const copy: NodeRecord = { id, labels: new Set(committed.labels), props: new Map(committed.props) }
    this.writable.putNode(copy)
    return copy
  }

  private writableRel (id: number): RelRecord {
    const own = this.touched.rels.get(id)
    if (own !== undefined) return own
    const committed = this.base.data.rels.get(id)
    if (committed === undefined || this.deletedRels.has(id)) throw new Error(`relationship ${id} is not in this transaction's view`)
    const copy: RelRecord = { ...committed, props: new Map(committed.props) }
    this.writable.putRel(copy)
    return copy
  }
}
