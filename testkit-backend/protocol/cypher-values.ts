// Cypher values between testkit's JSON form ({"name": "CypherInt", "data":
// {"value": 1}}, nutkit/protocol/cypher.py) and the driver's values (the ones
// neo4j-driver-core hydrates: Integer or bigint, Node, temporal types, ...).
// Field names must match nutkit's constructors exactly: testkit builds its
// objects with `Class(**data)`, so an extra key breaks the test.

import {
  Date as CypherDate, DateTime, Duration, int, Integer, isDate, isDateTime, isDuration, isInt, isLocalDateTime, isLocalTime,
  isNode, isPath, isPoint, isRelationship, isTime, LocalDateTime, LocalTime, Point, Time, isVector
} from '../../lib/index.js'
import { BackendProblem } from './problems.js'

export interface CypherJson { readonly name: string, readonly data: Record<string, unknown> }

// Spatial reference ids (Neo4j's): 2D and 3D Cartesian, 2D and 3D WGS-84.
const SRID = { cartesian: [7203, 9157], wgs84: [4326, 4979] } as const

const FLOAT_SPECIALS: Record<string, number> = { NaN: Number.NaN, '+Infinity': Infinity, Infinity, '-Infinity': -Infinity }

function value (name: string, v: unknown): CypherJson {
  return { name, data: { value: v } }
}

/** A driver integer (bigint, core Integer, or a whole number) as a bigint, so 64-bit values survive. */
export function toBigInt (v: unknown): bigint {
  if (typeof v === 'bigint') return v
  if (isInt(v)) return BigInt((v as Integer).toString())
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v)
  throw new BackendProblem(`expected an integer, got ${typeof v}`)
}

/** A small driver integer (temporal fields, offsets) as a JS number. */
function toNumber (v: unknown): number {
  return Number(toBigInt(v))
}

function floatJson (v: number): CypherJson {
  if (Number.isNaN(v)) return value('CypherFloat', 'NaN')
  if (v === Infinity) return value('CypherFloat', '+Infinity')
  if (v === -Infinity) return value('CypherFloat', '-Infinity')
  return value('CypherFloat', v)
}

function bytesJson (bytes: ArrayLike<number>): CypherJson {
  const hex: string[] = []
  for (let i = 0; i < bytes.length; i++) hex.push(((bytes[i] ?? 0) & 0xff).toString(16).padStart(2, '0'))
  return value('CypherBytes', hex.join(' '))
}

function nodeJson (node: { identity: unknown, labels: string[], properties: Record<string, unknown>, elementId: string }): CypherJson {
  return {
    name: 'CypherNode',
    data: { id: toCypher(node.identity), labels: toCypher(node.labels), props: toCypher(node.properties), elementId: toCypher(node.elementId) }
  }
}

interface DriverRelationship {
  identity: unknown, start: unknown, end: unknown, type: string, properties: Record<string, unknown>
  elementId: string, startNodeElementId: string, endNodeElementId: string
}

function relationshipJson (rel: DriverRelationship): CypherJson {
  return {
    name: 'CypherRelationship',
    data: {
      id: toCypher(rel.identity),
      startNodeId: toCypher(rel.start),
      endNodeId: toCypher(rel.end),
      type: toCypher(rel.type),
      props: toCypher(rel.properties),
      elementId: toCypher(rel.elementId),
      startNodeElementId: toCypher(rel.startNodeElementId),
      endNodeElementId: toCypher(rel.endNodeElementId)
    }
  }
}

interface DriverPath { start: unknown, segments: Array<{ relationship: unknown, end: unknown }> }

function pathJson (path: DriverPath): CypherJson {
  const nodes = [path.start, ...path.segments.map(s => s.end)]
  const relationships = path.segments.map(s => s.relationship)
  return { name: 'CypherPath', data: { nodes: toCypher(nodes), relationships: toCypher(relationships) } }
}

function pointJson (p: Point): CypherJson {
  const srid = toNumber(p.srid)
  const system = (SRID.wgs84 as readonly number[]).includes(srid) ? 'wgs84' : 'cartesian'
  return { name: 'CypherPoint', data: { system, x: p.x, y: p.y, z: p.z ?? null } }
}

/** A driver value (record field, parameter echo, diagnostic record entry) in testkit's form. */
export function toCypher (v: unknown): CypherJson {
  if (v === null || v === undefined) return value('CypherNull', null)
  switch (typeof v) {
    case 'boolean': return value('CypherBool', v)
    case 'string': return value('CypherString', v)
    case 'bigint': return value('CypherInt', v)
    // Integers come back as bigint or Integer (lossless); a plain number is a Cypher Float.
    case 'number': return floatJson(v)
    case 'object': break
    default: throw new BackendProblem(`cannot encode a ${typeof v} as a Cypher value`)
  }
  if (isInt(v)) return value('CypherInt', toBigInt(v))
  if (Array.isArray(v)) return value('CypherList', v.map(toCypher))
  if (v instanceof Int8Array || v instanceof Uint8Array) return bytesJson(v)
  if (isNode(v)) return nodeJson(v as never)
  if (isRelationship(v)) return relationshipJson(v as never)
  if (isPath(v)) return pathJson(v as never)
  if (isPoint(v)) return pointJson(v)
  if (isDate(v)) return { name: 'CypherDate', data: { year: toNumber(v.year), month: toNumber(v.month), day: toNumber(v.day) } }
  if (isLocalTime(v)) return { name: 'CypherTime', data: { ...timeFields(v), utc_offset_s: null } }
  if (isTime(v)) return { name: 'CypherTime', data: { ...timeFields(v), utc_offset_s: toNumber(v.timeZoneOffsetSeconds) } }
  if (isLocalDateTime(v)) return { name: 'CypherDateTime', data: { ...dateTimeFields(v), utc_offset_s: null, timezone_id: null } }
  if (isDateTime(v)) {
    return {
      name: 'CypherDateTime',
      data: {
        ...dateTimeFields(v),
        utc_offset_s: v.timeZoneOffsetSeconds === undefined || v.timeZoneOffsetSeconds === null ? null : toNumber(v.timeZoneOffsetSeconds),
        timezone_id: v.timeZoneId ?? null
      }
    }
  }
  if (isDuration(v)) {
    return { name: 'CypherDuration', data: { months: toBigInt(v.months), days: toBigInt(v.days), seconds: toBigInt(v.seconds), nanoseconds: toNumber(v.nanoseconds) } }
  }
  if (isVector(v)) throw new BackendProblem('vector values have no form in this testkit protocol version')
  const map: Record<string, CypherJson> = {}
  for (const [key, entry] of Object.entries(v)) map[key] = toCypher(entry)
  return value('CypherMap', map)
}

function timeFields (t: { hour: unknown, minute: unknown, second: unknown, nanosecond: unknown }): Record<string, number> {
  return { hour: toNumber(t.hour), minute: toNumber(t.minute), second: toNumber(t.second), nanosecond: toNumber(t.nanosecond) }
}

function dateTimeFields (t: { year: unknown, month: unknown, day: unknown, hour: unknown, minute: unknown, second: unknown, nanosecond: unknown }): Record<string, number> {
  return { year: toNumber(t.year), month: toNumber(t.month), day: toNumber(t.day), ...timeFields(t) }
}

// ---------------------------------------------------------------------------
// testkit → driver

function isCypherJson (v: unknown): v is CypherJson {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as { name?: unknown }).name === 'string'
}

function field (data: Record<string, unknown>, key: string, type: 'string'): string
function field (data: Record<string, unknown>, key: string, type: 'integer'): number | bigint
function field (data: Record<string, unknown>, key: string, type: 'string' | 'integer'): unknown {
  const v = data[key]
  if (type === 'string' && typeof v === 'string') return v
  if (type === 'integer' && (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v)))) return v
  throw new BackendProblem(`Cypher value field '${key}' must be ${type === 'string' ? 'a string' : 'an integer'}, got ${JSON.stringify(typeof v === 'bigint' ? String(v) : v)}`)
}

function optionalInteger (data: Record<string, unknown>, key: string): number | bigint | undefined {
  return data[key] === null || data[key] === undefined ? undefined : field(data, key, 'integer')
}

function toInteger (v: number | bigint): Integer {
  return typeof v === 'bigint' ? Integer.fromString(v.toString()) : int(v)
}

function toFloat (v: unknown): number {
  if (typeof v === 'number') return v
  if (typeof v === 'bigint') return Number(v)
  if (typeof v === 'string' && Object.hasOwn(FLOAT_SPECIALS, v)) return FLOAT_SPECIALS[v] as number
  throw new BackendProblem(`CypherFloat value must be a number or "NaN", "+Infinity", "-Infinity", got ${JSON.stringify(v)}`)
}

function toBytes (v: unknown): Int8Array {
  if (typeof v !== 'string') throw new BackendProblem('CypherBytes value must be a string of hex pairs such as "00 ff"')
  const pairs = v.trim() === '' ? [] : v.trim().split(/\s+/)
  return Int8Array.from(pairs.map(pair => {
    if (!/^[0-9a-fA-F]{1,2}$/.test(pair)) throw new BackendProblem(`CypherBytes: '${pair}' is not a hex byte`)
    return Number.parseInt(pair, 16) << 24 >> 24
  }))
}

function toPoint (data: Record<string, unknown>): Point {
  const system = field(data, 'system', 'string')
  const ids = system === 'cartesian' ? SRID.cartesian : system === 'wgs84' ? SRID.wgs84 : undefined
  if (ids === undefined) throw new BackendProblem(`CypherPoint system must be "cartesian" or "wgs84", got ${JSON.stringify(system)}`)
  const z = data.z === null || data.z === undefined ? undefined : toFloat(data.z)
  return new Point(int(z === undefined ? ids[0] : ids[1]), toFloat(data.x), toFloat(data.y), z)
}

function toTime (data: Record<string, unknown>): LocalTime<Integer> | Time<Integer> {
  const parts = (['hour', 'minute', 'second', 'nanosecond'] as const).map(k => toInteger(field(data, k, 'integer'))) as [Integer, Integer, Integer, Integer]
  const offset = optionalInteger(data, 'utc_offset_s')
  return offset === undefined ? new LocalTime(...parts) : new Time(...parts, toInteger(offset))
}

function toDateTime (data: Record<string, unknown>): LocalDateTime<Integer> | DateTime<Integer> {
  const keys = ['year', 'month', 'day', 'hour', 'minute', 'second', 'nanosecond'] as const
  const parts = keys.map(k => toInteger(field(data, k, 'integer'))) as [Integer, Integer, Integer, Integer, Integer, Integer, Integer]
  const offset = optionalInteger(data, 'utc_offset_s')
  const zone = data.timezone_id === null || data.timezone_id === undefined ? undefined : field(data, 'timezone_id', 'string')
  if (offset === undefined && zone === undefined) return new LocalDateTime(...parts)
  return new DateTime(...parts, offset === undefined ? undefined : toInteger(offset), zone ?? null)
}

/** A testkit parameter (or tx metadata entry) as the driver value to send. */
export function toNative (v: unknown): unknown {
  if (!isCypherJson(v)) throw new BackendProblem(`expected a Cypher value {"name": "Cypher…", "data": {…}}, got ${JSON.stringify(typeof v === 'bigint' ? String(v) : v)}`)
  const data = (v.data ?? {}) as Record<string, unknown>
  switch (v.name) {
    case 'CypherNull': return null
    case 'CypherBool':
      if (typeof data.value !== 'boolean') throw new BackendProblem('CypherBool value must be a boolean')
      return data.value
    case 'CypherInt': return toInteger(field(data, 'value', 'integer'))
    case 'CypherFloat': return toFloat(data.value)
    case 'CypherString': return field(data, 'value', 'string')
    case 'CypherBytes': return toBytes(data.value)
    case 'CypherList':
      if (!Array.isArray(data.value)) throw new BackendProblem('CypherList value must be an array')
      return data.value.map(toNative)
    case 'CypherMap': return toNativeMap(data.value)
    case 'CypherPoint': return toPoint(data)
    case 'CypherDate': return new CypherDate(...(['year', 'month', 'day'] as const).map(k => toInteger(field(data, k, 'integer'))) as [Integer, Integer, Integer])
    case 'CypherTime': return toTime(data)
    case 'CypherDateTime': return toDateTime(data)
    case 'CypherDuration':
      return new Duration(...(['months', 'days', 'seconds', 'nanoseconds'] as const).map(k => toInteger(field(data, k, 'integer'))) as [Integer, Integer, Integer, Integer])
    default: throw new BackendProblem(`${v.name} cannot be sent as a query parameter`)
  }
}

/** A map of Cypher values (`params`, `txMeta`); null/undefined stays undefined. */
export function toNativeMap (v: unknown): Record<string, unknown> | undefined {
  if (v === null || v === undefined) return undefined
  if (typeof v !== 'object' || Array.isArray(v)) throw new BackendProblem('expected a map of Cypher values')
  const out: Record<string, unknown> = {}
  for (const [key, entry] of Object.entries(v)) out[key] = toNative(entry)
  return out
}
