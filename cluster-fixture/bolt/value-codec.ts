// Cypher values (values.ts) to and from Bolt's value structures
// (neo4j/docs-bolt `bolt/structure-semantics.adoc`), per negotiated version:
// element ids exist from 5.0 on, and DateTime moved from local seconds
// (tags 46/66, kept by 4.4 unless the client asked for the "utc" patch) to UTC
// seconds (49/69).
//
// Results are written straight into the message buffer, with no intermediate
// Structure objects. Incoming parameters arrive as PackValues; only their
// temporal and spatial structures need converting, which happens in place.
// Graph entities are not accepted as parameters (Neo4j refuses them too).

import { FixtureError } from '../errors.js'
import {
  type CypherMap, type CypherValue, DateTimeValue, DateValue, DurationValue, LocalDateTimeValue, LocalTimeValue,
  NodeValue, PathValue, PointValue, RelationshipValue, TimeValue
} from '../values.js'
import { type PackMap, type PackStreamWriter, type PackValue, PackStreamError, Structure, setOwn } from './packstream.js'
import { offsetSecondsAt, utcSecondsForLocal } from './zone-offsets.js'

export const TAG = {
  NODE: 0x4E,
  RELATIONSHIP: 0x52,
  UNBOUND_RELATIONSHIP: 0x72,
  PATH: 0x50,
  DATE: 0x44,
  TIME: 0x54,
  LOCAL_TIME: 0x74,
  LOCAL_DATE_TIME: 0x64,
  DATE_TIME: 0x49,
  DATE_TIME_ZONE_ID: 0x69,
  LEGACY_DATE_TIME: 0x46,
  LEGACY_DATE_TIME_ZONE_ID: 0x66,
  DURATION: 0x45,
  POINT_2D: 0x58,
  POINT_3D: 0x59
} as const

export interface CodecOptions {
  /** Bolt ≥ 5.0: Node, Relationship and UnboundRelationship carry element ids. */
  elementIds: boolean
  /** Bolt ≥ 5.0, or 4.4 with the "utc" patch: DateTime as UTC seconds (49/69). */
  utcDateTime: boolean
}

const MAX_VALUE_DEPTH = 64
const MAX_OFFSET_SECONDS = 18 * 3600

/** Writes one Cypher value. Throws PackStreamError for values Bolt cannot carry (e.g. nesting beyond 64 levels). */
export function writeCypherValue (writer: PackStreamWriter, value: CypherValue | undefined, options: CodecOptions, depth = 0): void {
  if (value === null || value === undefined) return writer.writeNull()
  switch (typeof value) {
    case 'bigint': return writer.writeInteger(value)
    case 'number': return writer.writeFloat(value)
    case 'string': return writer.writeString(value)
    case 'boolean': return writer.writeBoolean(value)
    case 'object': break
    default: throw new PackStreamError(`A ${typeof value} is not a Cypher value`)
  }
  if (depth >= MAX_VALUE_DEPTH) throw new PackStreamError(`Value nested deeper than ${MAX_VALUE_DEPTH} levels`)
  if (Array.isArray(value)) {
    writer.writeListHeader(value.length)
    for (const item of value) writeCypherValue(writer, item, options, depth + 1)
    return
  }
  if (value instanceof Uint8Array) return writer.writeBytes(value)
  if (value instanceof NodeValue) return writeNode(writer, value, options, depth)
  if (value instanceof RelationshipValue) return writeRelationship(writer, value, options, depth)
  if (value instanceof PathValue) return writePath(writer, value, options, depth)
  if (value instanceof DateTimeValue) return writeDateTime(writer, value, options)
  if (value instanceof DateValue) {
    writer.writeStructureHeader(1, TAG.DATE)
    return writer.writeInteger(value.epochDays)
  }
  if (value instanceof TimeValue) {
    writer.writeStructureHeader(2, TAG.TIME)
    writer.writeInteger(value.nanosOfDay)
    return writer.writeSmallInteger(value.offsetSeconds)
  }
  if (value instanceof LocalTimeValue) {
    writer.writeStructureHeader(1, TAG.LOCAL_TIME)
    return writer.writeInteger(value.nanosOfDay)
  }
  if (value instanceof LocalDateTimeValue) {
    writer.writeStructureHeader(2, TAG.LOCAL_DATE_TIME)
    writer.writeInteger(value.epochSeconds)
    return writer.writeSmallInteger(value.nanoseconds)
  }
  if (value instanceof DurationValue) {
    writer.writeStructureHeader(4, TAG.DURATION)
    writer.writeInteger(value.months)
    writer.writeInteger(value.days)
    writer.writeInteger(value.seconds)
    return writer.writeSmallInteger(value.nanoseconds)
  }
  if (value instanceof PointValue) {
    const is3d = value.z !== undefined
    writer.writeStructureHeader(is3d ? 4 : 3, is3d ? TAG.POINT_3D : TAG.POINT_2D)
    writer.writeSmallInteger(value.srid)
    writer.writeFloat(value.x)
    writer.writeFloat(value.y)
    if (is3d) writer.writeFloat(value.z as number)
    return
  }
  writeMap(writer, value as CypherMap, options, depth)
}

export function writeMap (writer: PackStreamWriter, map: Readonly<CypherMap>, options: CodecOptions, depth = 0): void {
  const keys = Object.keys(map)
  writer.writeMapHeader(keys.length)
  for (const key of keys) {
    writer.writeString(key)
    writeCypherValue(writer, map[key], options, depth + 1)
  }
}

function writeNode (writer: PackStreamWriter, node: NodeValue, options: CodecOptions, depth: number): void {
  writer.writeStructureHeader(options.elementIds ? 4 : 3, TAG.NODE)
  writer.writeInteger(node.id)
  writer.writeListHeader(node.labels.length)
  for (const label of node.labels) writer.writeString(label)
  writeMap(writer, node.properties, options, depth + 1)
  if (options.elementIds) writer.writeString(node.elementId)
}

function writeRelationship (writer: PackStreamWriter, rel: RelationshipValue, options: CodecOptions, depth: number): void {
  writer.writeStructureHeader(options.elementIds ? 8 : 5, TAG.RELATIONSHIP)
  writer.writeInteger(rel.id)
  writer.writeInteger(rel.startId)
  writer.writeInteger(rel.endId)
  writer.writeString(rel.type)
  writeMap(writer, rel.properties, options, depth + 1)
  if (options.elementIds) {
    writer.writeString(rel.elementId)
    writer.writeString(rel.startElementId)
    writer.writeString(rel.endElementId)
  }
}

function writeUnboundRelationship (writer: PackStreamWriter, rel: RelationshipValue, options: CodecOptions, depth: number): void {
  writer.writeStructureHeader(options.elementIds ? 4 : 3, TAG.UNBOUND_RELATIONSHIP)
  writer.writeInteger(rel.id)
  writer.writeString(rel.type)
  writeMap(writer, rel.properties, options, depth + 1)
  if (options.elementIds) writer.writeString(rel.elementId)
}

/**
 * Path: the distinct nodes, the distinct relationships (unbound), and a
 * sequence alternating a relationship index (1-based; negative when the step
 * walks the relationship against its direction) and the next node's index.
 * The first node of the path is always nodes[0].
 */
function writePath (writer: PackStreamWriter, path: PathValue, options: CodecOptions, depth: number): void {
  if (path.nodes.length !== path.relationships.length + 1) {
    throw new PackStreamError(`A path with ${path.relationships.length} relationship(s) needs ${path.relationships.length + 1} node(s), not ${path.nodes.length}`)
  }
  const nodeIndex = new Map<string, number>()
  const nodes: NodeValue[] = []
  for (const node of path.nodes) {
    if (!nodeIndex.has(node.elementId)) {
      nodeIndex.set(node.elementId, nodes.length)
      nodes.push(node)
    }
  }
  const relIndex = new Map<string, number>()
  const rels: RelationshipValue[] = []
  const indices: number[] = []
  path.relationships.forEach((rel, step) => {
    let index = relIndex.get(rel.elementId)
    if (index === undefined) {
      index = rels.length
      relIndex.set(rel.elementId, index)
      rels.push(rel)
    }
    const forward = rel.startElementId === path.nodes[step].elementId
    indices.push(forward ? index + 1 : -(index + 1), nodeIndex.get(path.nodes[step + 1].elementId) as number)
  })
  writer.writeStructureHeader(3, TAG.PATH)
  writer.writeListHeader(nodes.length)
  for (const node of nodes) writeNode(writer, node, options, depth + 1)
  writer.writeListHeader(rels.length)
  for (const rel of rels) writeUnboundRelationship(writer, rel, options, depth + 1)
  writer.writeListHeader(indices.length)
  for (const i of indices) writer.writeSmallInteger(i)
}

function writeDateTime (writer: PackStreamWriter, value: DateTimeValue, options: CodecOptions): void {
  const seconds = options.utcDateTime ? value.epochSeconds : value.epochSeconds + BigInt(value.offsetSeconds)
  if (value.zoneId !== null) {
    writer.writeStructureHeader(3, options.utcDateTime ? TAG.DATE_TIME_ZONE_ID : TAG.LEGACY_DATE_TIME_ZONE_ID)
    writer.writeInteger(seconds)
    writer.writeSmallInteger(value.nanoseconds)
    writer.writeString(value.zoneId)
  } else {
    writer.writeStructureHeader(3, options.utcDateTime ? TAG.DATE_TIME : TAG.LEGACY_DATE_TIME)
    writer.writeInteger(seconds)
    writer.writeSmallInteger(value.nanoseconds)
    writer.writeSmallInteger(value.offsetSeconds)
  }
}

// ---------------------------------------------------------------------------
// Incoming values

function invalid (message: string): FixtureError {
  return new FixtureError('RequestInvalid', message)
}

/**
 * Turns a decoded parameter value into a Cypher value, in place (maps and
 * lists are reused). Throws a non-fatal FixtureError (Request.Invalid) for
 * graph entities and malformed or unknown structures.
 */
export function toCypherValue (value: PackValue, options: CodecOptions): CypherValue {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value
  if (value instanceof Structure) return structureToValue(value, options)
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item = value[i]
      if (item !== null && typeof item === 'object') value[i] = toCypherValue(item, options) as PackValue
    }
    return value as CypherValue[]
  }
  return toCypherMap(value, options)
}

export function toCypherMap (map: PackMap, options: CodecOptions): CypherMap {
  for (const key of Object.keys(map)) {
    const item = map[key]
    if (item !== null && typeof item === 'object') setOwn(map, key, toCypherValue(item, options) as PackValue)
  }
  return map as CypherMap
}

function integerField (s: Structure, index: number, what: string): bigint {
  const field = s.fields[index]
  if (typeof field !== 'bigint') throw invalid(`${what}: field ${index + 1} must be an Integer`)
  return field
}

function smallIntegerField (s: Structure, index: number, what: string, min: number, max: number): number {
  const field = integerField(s, index, what)
  if (field < BigInt(min) || field > BigInt(max)) throw invalid(`${what}: field ${index + 1} must be within ${min}..${max}`)
  return Number(field)
}

function floatField (s: Structure, index: number, what: string): number {
  const field = s.fields[index]
  if (typeof field === 'number') return field
  if (typeof field === 'bigint') return Number(field)
  throw invalid(`${what}: field ${index + 1} must be a Float`)
}

function stringField (s: Structure, index: number, what: string): string {
  const field = s.fields[index]
  if (typeof field !== 'string') throw invalid(`${what}: field ${index + 1} must be a String`)
  return field
}

function expectFields (s: Structure, count: number, what: string): void {
  if (s.fields.length !== count) throw invalid(`${what} must have ${count} field(s), not ${s.fields.length}`)
}

const NANOS_PER_SECOND_MAX = 999_999_999

function zoneOffset (zoneId: string, epochSeconds: bigint, what: string): number {
  try {
    return offsetSecondsAt(zoneId, Number(epochSeconds))
  } catch {
    throw invalid(`${what}: unknown time zone '${zoneId}'`)
  }
}

function structureToValue (s: Structure, options: CodecOptions): CypherValue {
  switch (s.tag) {
    case TAG.DATE:
      expectFields(s, 1, 'Date')
      return new DateValue(integerField(s, 0, 'Date'))
    case TAG.TIME:
      expectFields(s, 2, 'Time')
      return new TimeValue(integerField(s, 0, 'Time'), smallIntegerField(s, 1, 'Time', -MAX_OFFSET_SECONDS, MAX_OFFSET_SECONDS))
    case TAG.LOCAL_TIME:
      expectFields(s, 1, 'LocalTime')
      return new LocalTimeValue(integerField(s, 0, 'LocalTime'))
    case TAG.LOCAL_DATE_TIME:
      expectFields(s, 2, 'LocalDateTime')
      return new LocalDateTimeValue(integerField(s, 0, 'LocalDateTime'), smallIntegerField(s, 1, 'LocalDateTime', 0, NANOS_PER_SECOND_MAX))
    case TAG.DURATION:
      expectFields(s, 4, 'Duration')
      return new DurationValue(
        integerField(s, 0, 'Duration'), integerField(s, 1, 'Duration'), integerField(s, 2, 'Duration'),
        smallIntegerField(s, 3, 'Duration', -NANOS_PER_SECOND_MAX, NANOS_PER_SECOND_MAX))
    case TAG.POINT_2D:
      expectFields(s, 3, 'Point2D')
      return new PointValue(smallIntegerField(s, 0, 'Point2D', 0, 0x7FFFFFFF), floatField(s, 1, 'Point2D'), floatField(s, 2, 'Point2D'))
    case TAG.POINT_3D:
      expectFields(s, 4, 'Point3D')
      return new PointValue(smallIntegerField(s, 0, 'Point3D', 0, 0x7FFFFFFF), floatField(s, 1, 'Point3D'), floatField(s, 2, 'Point3D'), floatField(s, 3, 'Point3D'))
    case TAG.DATE_TIME:
    case TAG.LEGACY_DATE_TIME:
      return offsetDateTime(s, options)
    case TAG.DATE_TIME_ZONE_ID:
    case TAG.LEGACY_DATE_TIME_ZONE_ID:
      return zonedDateTime(s, options)
    case TAG.NODE:
    case TAG.RELATIONSHIP:
    case TAG.UNBOUND_RELATIONSHIP:
    case TAG.PATH:
      throw invalid('Nodes, relationships and paths cannot be sent as parameters')
    default:
      throw invalid(`Unknown structure 0x${s.tag.toString(16).toUpperCase().padStart(2, '0')} in the parameters`)
  }
}

function checkDateTimeTag (s: Structure, options: CodecOptions, utcTag: number): void {
  const isUtcTag = s.tag === utcTag
  if (isUtcTag !== options.utcDateTime) {
    throw invalid(`DateTime structure 0x${s.tag.toString(16).toUpperCase()} is not valid in this protocol version`)
  }
}

function offsetDateTime (s: Structure, options: CodecOptions): DateTimeValue {
  checkDateTimeTag(s, options, TAG.DATE_TIME)
  expectFields(s, 3, 'DateTime')
  const seconds = integerField(s, 0, 'DateTime')
  const nanos = smallIntegerField(s, 1, 'DateTime', 0, NANOS_PER_SECOND_MAX)
  const offset = smallIntegerField(s, 2, 'DateTime', -MAX_OFFSET_SECONDS, MAX_OFFSET_SECONDS)
  const utcSeconds = options.utcDateTime ? seconds : seconds - BigInt(offset)
  return new DateTimeValue(utcSeconds, nanos, offset)
}

function zonedDateTime (s: Structure, options: CodecOptions): DateTimeValue {
  checkDateTimeTag(s, options, TAG.DATE_TIME_ZONE_ID)
  expectFields(s, 3, 'DateTimeZoneId')
  const seconds = integerField(s, 0, 'DateTimeZoneId')
  const nanos = smallIntegerField(s, 1, 'DateTimeZoneId', 0, NANOS_PER_SECOND_MAX)
  const zoneId = stringField(s, 2, 'DateTimeZoneId')
  if (options.utcDateTime) {
    return new DateTimeValue(seconds, nanos, zoneOffset(zoneId, seconds, 'DateTimeZoneId'), zoneId)
  }
  let utc: number
  try {
    utc = utcSecondsForLocal(zoneId, Number(seconds))
  } catch {
    throw invalid(`DateTimeZoneId: unknown time zone '${zoneId}'`)
  }
  const utcSeconds = BigInt(utc)
  return new DateTimeValue(utcSeconds, nanos, Number(seconds - utcSeconds), zoneId)
}
