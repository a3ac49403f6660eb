// Values as the executor holds them while a statement runs. Graph entities are
// references (ids) rather than snapshots, so that `MATCH (n) SET n.x = 1
// RETURN n` returns the node as changed by the statement; they become
// NodeValue / RelationshipValue / PathValue only when a row is returned.

import { FixtureError } from '../errors.js'
import {
  DateTimeValue, DateValue, DurationValue, LocalDateTimeValue, LocalTimeValue, NodeValue, PathValue, PointValue,
  RelationshipValue, TimeValue, type CypherMap, type CypherValue, type TemporalValue
} from '../values.js'
import type { GraphReader, NodeRecord, RelRecord } from './graph.js'

export class NodeRef {
  constructor (readonly id: number) {}
}

export class RelRef {
  constructor (readonly id: number) {}
}

export class PathRef {
  constructor (readonly nodes: readonly NodeRef[], readonly relationships: readonly RelRef[]) {}
}

export type Value =
  | null | boolean | bigint | number | string | Uint8Array
  | Value[] | ValueMap
  | NodeRef | RelRef | PathRef
  | NodeValue | RelationshipValue | PathValue
  | TemporalValue | DurationValue | PointValue

export interface ValueMap { [key: string]: Value }

/** A variable binding row: variable name → value. */
export type Row = Record<string, Value>

/** Sets a map entry; a key named `__proto__` becomes an ordinary entry instead of changing the prototype. */
export function setEntry<T> (map: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true })
  else map[key] = value
}

export function isValueMap (value: Value): value is ValueMap {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype
}

/** Cypher's name for the value's type, used in error messages. */
export function typeName (value: Value): string {
  if (value === null) return 'Null'
  switch (typeof value) {
    case 'boolean': return 'Boolean'
    case 'bigint': return 'Integer'
    case 'number': return 'Float'
    case 'string': return 'String'
    default: break
  }
  if (Array.isArray(value)) return 'List'
  if (value instanceof Uint8Array) return 'ByteArray'
  if (value instanceof NodeRef || value instanceof NodeValue) return 'Node'
  if (value instanceof RelRef || value instanceof RelationshipValue) return 'Relationship'
  if (value instanceof PathRef || value instanceof PathValue) return 'Path'
  if (value instanceof DateTimeValue) return 'DateTime'
  if (value instanceof LocalDateTimeValue) return 'LocalDateTime'
  if (value instanceof DateValue) return 'Date'
  if (value instanceof TimeValue) return 'Time'
  if (value instanceof LocalTimeValue) return 'LocalTime'
  if (value instanceof DurationValue) return 'Duration'
  if (value instanceof PointValue) return 'Point'
  return 'Map'
}

export function typeMismatch (expected: string, value: Value): FixtureError {
  return new FixtureError('TypeError', `Type mismatch: expected ${expected} but was ${typeName(value)}`)
}

export function nodeElementId (database: string, id: number): string {
  return `4:${database}:${id}`
}

export function relationshipElementId (database: string, id: number): string {
  return `5:${database}:${id}`
}

function propsToMap (props: ReadonlyMap<string, CypherValue>): CypherMap {
  return Object.fromEntries(props)
}

export function nodeValue (database: string, id: number, record: NodeRecord | undefined): NodeValue {
  // A node deleted earlier in the transaction is returned as an empty shell, with its id.
  return new NodeValue(BigInt(id), nodeElementId(database, id), record ? [...record.labels] : [], record ? propsToMap(record.props) : {})
}

export function relationshipValue (database: string, id: number, record: RelRecord | undefined): RelationshipValue {
  const start = record?.start ?? -1
  const end = record?.end ?? -1
  return new RelationshipValue(
    BigInt(id), relationshipElementId(database, id), record?.type ?? '',
    BigInt(start), nodeElementId(database, start), BigInt(end), nodeElementId(database, end),
    record ? propsToMap(record.props) : {})
}

/** Converts an executor value into the shape the Bolt layer sends. */
export function toCypherValue (value: Value, graph: GraphReader): CypherValue {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return value.map(item => toCypherValue(item, graph))
  if (value instanceof NodeRef) return nodeValue(graph.databaseName, value.id, graph.node(value.id))
  if (value instanceof RelRef) return relationshipValue(graph.databaseName, value.id, graph.relationship(value.id))
  if (value instanceof PathRef) {
    return new PathValue(
      value.nodes.map(node => nodeValue(graph.databaseName, node.id, graph.node(node.id))),
      value.relationships.map(rel => relationshipValue(graph.databaseName, rel.id, graph.relationship(rel.id))))
  }
  if (isValueMap(value)) {
    const result: CypherMap = {}
    for (const key of Object.keys(value)) setEntry(result, key, toCypherValue(value[key], graph))
    return result
  }
  return value as CypherValue
}
