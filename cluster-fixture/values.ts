// Cypher values as the fixture holds them, shared by the query engine (store/)
// and the Bolt layer (bolt/), which converts them to and from PackStream.
//
// Integers are `bigint` and floats are `number`: Cypher keeps the two apart
// (`RETURN 1` is an Integer, `RETURN 1.0` a Float) and so must we. Clients that
// send plain JS numbers send PackStream Floats; the engine compares numbers by
// value (`1 = 1.0` is true) so such parameters still match integer properties.

export type CypherValue =
  | null
  | boolean
  | bigint
  | number
  | string
  | Uint8Array
  | CypherList
  | CypherMap
  | NodeValue
  | RelationshipValue
  | PathValue
  | TemporalValue
  | DurationValue
  | PointValue

export type CypherList = CypherValue[]
export interface CypherMap { [key: string]: CypherValue }

/** Property values stored on nodes and relationships (no graph entities, no maps). */
export type PropertyValue = Exclude<CypherValue, CypherMap | NodeValue | RelationshipValue | PathValue>

export class NodeValue {
  constructor (
    readonly id: bigint,
    readonly elementId: string,
    readonly labels: readonly string[],
    readonly properties: Readonly<CypherMap>
  ) {}
}

export class RelationshipValue {
  constructor (
    readonly id: bigint,
    readonly elementId: string,
    readonly type: string,
    readonly startId: bigint,
    readonly startElementId: string,
    readonly endId: bigint,
    readonly endElementId: string,
    readonly properties: Readonly<CypherMap>
  ) {}
}

/** nodes.length === relationships.length + 1; relationships[i] joins nodes[i] and nodes[i + 1] (either direction). */
export class PathValue {
  constructor (
    readonly nodes: readonly NodeValue[],
    readonly relationships: readonly RelationshipValue[]
  ) {}
}

/** Days since 1970-01-01. */
export class DateValue {
  constructor (readonly epochDays: bigint) {}
}

/** Nanoseconds since midnight. */
export class LocalTimeValue {
  constructor (readonly nanosOfDay: bigint) {}
}

export class TimeValue {
  constructor (readonly nanosOfDay: bigint, readonly offsetSeconds: number) {}
}

/** Wall-clock seconds since the epoch, as if the local time were UTC. */
export class LocalDateTimeValue {
  constructor (readonly epochSeconds: bigint, readonly nanoseconds: number) {}
}

/** An instant (UTC seconds + nanos) shown at an offset, or in a named zone when zoneId is set. */
export class DateTimeValue {
  constructor (
    readonly epochSeconds: bigint,
    readonly nanoseconds: number,
    readonly offsetSeconds: number,
    readonly zoneId: string | null = null
  ) {}

  static fromMillis (ms: number): DateTimeValue {
    const seconds = Math.floor(ms / 1000)
    return new DateTimeValue(BigInt(seconds), (ms - seconds * 1000) * 1_000_000, 0)
  }

  toMillis (): number {
    return Number(this.epochSeconds) * 1000 + Math.floor(this.nanoseconds / 1_000_000)
  }
}

export class DurationValue {
  constructor (
    readonly months: bigint,
    readonly days: bigint,
    readonly seconds: bigint,
    readonly nanoseconds: number
  ) {}
}

export class PointValue {
  constructor (
    readonly srid: number,
    readonly x: number,
    readonly y: number,
    readonly z?: number
  ) {}
}

export type TemporalValue =
  | DateValue
  | LocalTimeValue
  | TimeValue
  | LocalDateTimeValue
  | DateTimeValue

export function isCypherMap (value: CypherValue): value is CypherMap {
  return value !== null &&
    typeof value === 'object' &&
    Object.getPrototypeOf(value) === Object.prototype
}
