// Cypher's four notions of sameness and order:
// - equality (`=`, `<>`, IN, pattern property maps): three-valued, null-propagating;
// - comparability (`<`, `<=`, …): null for values of different kinds;
// - orderability (ORDER BY, min/max): a total order across all values;
// - equivalence (DISTINCT, grouping): like equality but null ≡ null, NaN ≡ NaN.
// Integers and Floats compare by value everywhere: 1 = 1.0.

import { DurationValue, NodeValue, PathValue, PointValue, RelationshipValue } from '../values.js'
import { isTemporal, temporalOrderKey } from './temporal.js'
import { isValueMap, NodeRef, PathRef, RelRef, type Value } from './runtime-values.js'

/** Three-way comparison of two numbers by value; NaN when either is NaN. */
export function compareNumbers (a: bigint | number, b: bigint | number): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : a === b ? 0 : NaN
  if (typeof a === 'number') return -compareNumbers(b, a)
  // a: bigint, b: number
  const f = b as number
  if (Number.isNaN(f)) return NaN
  if (f === Infinity) return -1
  if (f === -Infinity) return 1
  const floor = BigInt(Math.floor(f))
  if (a < floor) return -1
  if (a > floor) return 1
  return Number.isInteger(f) ? 0 : -1
}

function isNumber (value: Value): value is bigint | number {
  return typeof value === 'bigint' || typeof value === 'number'
}

function entityId (value: Value): { kind: 'node' | 'rel', id: number } | null {
  if (value instanceof NodeRef) return { kind: 'node', id: value.id }
  if (value instanceof NodeValue) return { kind: 'node', id: Number(value.id) }
  if (value instanceof RelRef) return { kind: 'rel', id: value.id }
  if (value instanceof RelationshipValue) return { kind: 'rel', id: Number(value.id) }
  return null
}

/** A path as the alternating list of its nodes and relationships (Cypher compares paths that way). */
function pathAsList (value: PathRef | PathValue): Value[] {
  const nodes: Value[] = value.nodes as Value[]
  const rels: Value[] = value.relationships as Value[]
  const list: Value[] = [nodes[0]]
  for (let i = 0; i < rels.length; i++) list.push(rels[i], nodes[i + 1])
  return list
}

function andAll (results: Iterable<boolean | null>): boolean | null {
  let sawNull = false
  for (const result of results) {
    if (result === false) return false
    if (result === null) sawNull = true
  }
  return sawNull ? null : true
}

/** Cypher `=`: true, false, or null when either side is (or contains, undecided) null. */
export function equals (a: Value, b: Value): boolean | null {
  if (a === null || b === null) return null
  if (isNumber(a) && isNumber(b)) return compareNumbers(a, b) === 0
  if (typeof a === 'string' || typeof b === 'string' || typeof a === 'boolean' || typeof b === 'boolean') return a === b
  const ea = entityId(a)
  const eb = entityId(b)
  if (ea !== null || eb !== null) return ea !== null && eb !== null && ea.kind === eb.kind && ea.id === eb.id
  const la = a instanceof PathRef || a instanceof PathValue ? pathAsList(a) : a
  const lb = b instanceof PathRef || b instanceof PathValue ? pathAsList(b) : b
  if (Array.isArray(la) && Array.isArray(lb)) {
    if (la.length !== lb.length) return false
    return andAll(la.map((item, i) => equals(item, lb[i])))
  }
  if (Array.isArray(la) || Array.isArray(lb)) return false
  if (isValueMap(a) && isValueMap(b)) {
    const keys = Object.keys(a)
    if (keys.length !== Object.keys(b).length || !keys.every(key => Object.hasOwn(b, key))) return false
    return andAll(keys.map(key => equals(a[key], b[key])))
  }
  if (isTemporal(a) && isTemporal(b)) {
    const ka = temporalOrderKey(a)
    const kb = temporalOrderKey(b)
    return ka.kind === kb.kind && ka.key === kb.key
  }
  if (a instanceof DurationValue && b instanceof DurationValue) {
    return a.months === b.months && a.days === b.days && a.seconds === b.seconds && a.nanoseconds === b.nanoseconds
  }
  if (a instanceof PointValue && b instanceof PointValue) return a.srid === b.srid && a.x === b.x && a.y === b.y && a.z === b.z
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((byte, i) => byte === b[i])
  return false
}

/**
 * Comparison for `<`, `<=`, `>`, `>=`: a negative, zero or positive number;
 * NaN when a NaN is involved (the operator yields false); null when the
 * values are not comparable (different kinds, nulls: the operator yields null).
 */
export function compare (a: Value, b: Value): number | null {
  if (a === null || b === null) return null
  if (isNumber(a) && isNumber(b)) return compareNumbers(a, b)
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b)
  if (isTemporal(a) && isTemporal(b)) {
    const ka = temporalOrderKey(a)
    const kb = temporalOrderKey(b)
    if (ka.kind !== kb.kind) return null
    return ka.key < kb.key ? -1 : ka.key > kb.key ? 1 : 0
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = compare(a[i], b[i])
      if (c === null || Number.isNaN(c)) return c
      if (c !== 0) return c
    }
    return a.length - b.length
  }
  return null
}

// Orderability: MAP < NODE < RELATIONSHIP < LIST < PATH < POINT < DATETIME <
// LOCALDATETIME < DATE < TIME < LOCALTIME < DURATION < STRING < BOOLEAN < NUMBER < NULL.
function orderRank (value: Value): number {
  if (value === null) return 15
  switch (typeof value) {
    case 'bigint': case 'number': return 14
    case 'boolean': return 13
    case 'string': return 12
    default: break
  }
  if (value instanceof DurationValue) return 11
  if (isTemporal(value)) return { DateTime: 6, LocalDateTime: 7, Date: 8, Time: 9, LocalTime: 10 }[temporalOrderKey(value).kind] ?? 10
  if (value instanceof PointValue) return 5
  if (value instanceof PathRef || value instanceof PathValue) return 4
  if (Array.isArray(value) || value instanceof Uint8Array) return 3
  if (value instanceof RelRef || value instanceof RelationshipValue) return 2
  if (value instanceof NodeRef || value instanceof NodeValue) return 1
  return 0
}

/** Total order for ORDER BY: ascending puts nulls last; NaN sorts above every other number. */
export function orderCompare (a: Value, b: Value): number {
  const ra = orderRank(a)
  const rb = orderRank(b)
  if (ra !== rb) return ra - rb
  switch (ra) {
    case 15: return 0
    case 14: {
      const na = Number.isNaN(a as number)
      const nb = Number.isNaN(b as number)
      if (na || nb) return Number(na) - Number(nb)
      return compareNumbers(a as bigint | number, b as bigint | number)
    }
    case 13: case 12: case 6: case 7: case 8: case 9: case 10: return compare(a, b) ?? 0
    case 11: {
      const da = a as DurationValue
      const db = b as DurationValue
      return compareBig(da.months, db.months) || compareBig(da.days, db.days) || compareBig(da.seconds, db.seconds) || da.nanoseconds - db.nanoseconds
    }
    case 5: {
      const pa = a as PointValue
      const pb = b as PointValue
      return pa.srid - pb.srid || pa.x - pb.x || pa.y - pb.y || (pa.z ?? 0) - (pb.z ?? 0)
    }
    case 4: return orderLists(pathAsList(a as PathRef), pathAsList(b as PathRef))
    case 3: return orderLists(a instanceof Uint8Array ? [...a].map(BigInt) : a as Value[], b instanceof Uint8Array ? [...b].map(BigInt) : b as Value[])
    case 2: case 1: return entityId(a)!.id - entityId(b)!.id
    default: {
      const ma = a as Record<string, Value>
      const mb = b as Record<string, Value>
      const ka = Object.keys(ma).sort()
      const kb = Object.keys(mb).sort()
      const byKeys = orderLists(ka, kb)
      if (byKeys !== 0) return byKeys
      return orderLists(ka.map(key => ma[key]), kb.map(key => mb[key]))
    }
  }
}

function compareBig (a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0
}

function orderLists (a: readonly Value[], b: readonly Value[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = orderCompare(a[i], b[i])
    if (c !== 0) return c
  }
  return a.length - b.length
}

/** A string that is equal for equivalent values (DISTINCT, grouping keys, collect(DISTINCT …)). */
export function equivalenceKey (value: Value): string {
  if (value === null) return 'n'
  switch (typeof value) {
    case 'bigint': return 'i' + value.toString()
    case 'number':
      return Number.isInteger(value) ? 'i' + BigInt(value).toString() : 'f' + String(value)
    case 'string': return 's' + JSON.stringify(value)
    case 'boolean': return value ? 'T' : 'F'
    default: break
  }
  const entity = entityId(value)
  if (entity !== null) return (entity.kind === 'node' ? 'N' : 'R') + entity.id
  if (value instanceof PathRef || value instanceof PathValue) return 'l[' + pathAsList(value).map(equivalenceKey).join(',') + ']'
  if (Array.isArray(value)) return 'l[' + value.map(equivalenceKey).join(',') + ']'
  if (isValueMap(value)) return 'm{' + Object.keys(value).sort().map(key => JSON.stringify(key) + ':' + equivalenceKey(value[key])).join(',') + '}'
  if (isTemporal(value)) {
    const { kind, key } = temporalOrderKey(value)
    return 't' + kind + key.toString()
  }
  if (value instanceof DurationValue) return `d${value.months},${value.days},${value.seconds},${value.nanoseconds}`
  if (value instanceof PointValue) return `p${value.srid},${value.x},${value.y},${value.z ?? ''}`
  if (value instanceof Uint8Array) return 'b' + [...value].join(',')
  return 'o'
}
