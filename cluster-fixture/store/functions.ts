// Cypher's scalar functions in the fixture's subset, by lower-cased name with
// their arity (checked when the query is analysed). Aggregating functions are
// listed for arity only; aggregation.ts computes them.

import { randomUUID } from 'node:crypto'
import { FixtureError } from '../errors.js'
import { DurationValue, NodeValue, PathValue, PointValue, RelationshipValue } from '../values.js'
import { checkedInteger, formatFloat } from './arithmetic.js'
import type { GraphReader } from './graph.js'
import { formatTemporal, isTemporal, makeDate, makeDateTime, makeLocalDateTime } from './temporal.js'
import {
  isValueMap, nodeElementId, NodeRef, PathRef, relationshipElementId, RelRef, setEntry, typeMismatch, type Value, type ValueMap
} from './runtime-values.js'

export interface FunctionContext {
  readonly graph: GraphReader
  /** The statement's clock in ms: every datetime()/timestamp() of one statement sees the same instant. */
  readonly now: number
}

type Implementation = (args: Value[], ctx: FunctionContext) => Value

interface FunctionSpec { min: number, max: number, impl?: Implementation }

const MAX_RANGE_LENGTH = 10_000_000

function argumentError (message: string): FixtureError {
  return new FixtureError('ArgumentError', message)
}

/** Wraps a one-argument function so that null in gives null out. */
function nullSafe (fn: (value: Exclude<Value, null>, ctx: FunctionContext) => Value): Implementation {
  return ([value], ctx) => (value === null ? null : fn(value, ctx))
}

function asString (value: Value, fn: string): string {
  if (typeof value !== 'string') throw typeMismatch(`String for ${fn}()`, value)
  return value
}

function asInteger (value: Value, fn: string): bigint {
  if (typeof value === 'bigint') return value
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value)
  throw typeMismatch(`Integer for ${fn}()`, value)
}

function asNumber (value: Value, fn: string): number {
  if (typeof value === 'bigint' || typeof value === 'number') return Number(value)
  throw typeMismatch(`a number for ${fn}()`, value)
}

function asList (value: Value, fn: string): Value[] {
  if (!Array.isArray(value)) throw typeMismatch(`List for ${fn}()`, value)
  return value
}

function entityProperties (value: Value, ctx: FunctionContext, fn: string): ReadonlyMap<string, Value> | null {
  if (value instanceof NodeRef) return ctx.graph.node(value.id)?.props ?? deleted('Node', value.id)
  if (value instanceof RelRef) return ctx.graph.relationship(value.id)?.props ?? deleted('Relationship', value.id)
  if (value instanceof NodeValue || value instanceof RelationshipValue) return new Map(Object.entries(value.properties))
  if (isValueMap(value)) return new Map(Object.entries(value))
  if (value === null) return null
  throw typeMismatch(`Node, Relationship or Map for ${fn}()`, value)
}

export function deleted (kind: 'Node' | 'Relationship', id: number): never {
  throw new FixtureError('EntityNotFound', `${kind} with id ${id} has been deleted in this transaction`)
}

export function toStringValue (value: Value): Value {
  if (value === null) return null
  if (typeof value === 'string') return value
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value)
  if (typeof value === 'number') return formatFloat(value)
  if (isTemporal(value)) return formatTemporal(value)
  if (value instanceof PointValue) return `point({srid:${value.srid}, x:${value.x}, y:${value.y}${value.z !== undefined ? `, z:${value.z}` : ''}})`
  throw new FixtureError('TypeError', `Invalid input for function 'toString()': Expected a String, Number, Boolean, Temporal or Duration, got: ${String(value)}`)
}

function toIntegerValue (value: Value): Value {
  if (value === null) return null
  if (typeof value === 'bigint') return value
  if (typeof value === 'boolean') return value ? 1n : 0n
  if (typeof value === 'number') return Number.isFinite(value) ? checkedInteger(BigInt(Math.trunc(value))) : null
  if (typeof value === 'string') {
    const text = value.trim()
    if (/^[+-]?\d+$/.test(text)) return checkedInteger(BigInt(text))
    const float = Number(text)
    return text !== '' && Number.isFinite(float) ? checkedInteger(BigInt(Math.trunc(float))) : null
  }
  throw new FixtureError('TypeError', `Invalid input for function 'toInteger()': Expected a String, Float, Integer or Boolean, got: ${String(value)}`)
}

function toFloatValue (value: Value): Value {
  if (value === null) return null
  if (typeof value === 'number') return value
  if (typeof value === 'bigint') return Number(value)
  if (typeof value === 'string') {
    const text = value.trim()
    const float = Number(text)
    return text !== '' && !Number.isNaN(float) ? float : (text === 'NaN' ? NaN : null)
  }
  throw new FixtureError('TypeError', `Invalid input for function 'toFloat()': Expected a String, Float or Integer, got: ${String(value)}`)
}

function toBooleanValue (value: Value): Value {
  if (value === null || typeof value === 'boolean') return value
  if (typeof value === 'string') {
    const text = value.trim().toLowerCase()
    return text === 'true' ? true : text === 'false' ? false : null
  }
  if (typeof value === 'bigint') return value !== 0n
  throw new FixtureError('TypeError', `Invalid input for function 'toBoolean()': Expected a String, Integer or Boolean, got: ${String(value)}`)
}

/** The `…OrNull` variants return null instead of failing. */
function orNull (fn: (value: Value) => Value): Implementation {
  return ([value]) => {
    try { return fn(value) } catch { return null }
  }
}

function range ([startArg, endArg, stepArg]: Value[]): Value {
  const start = asInteger(startArg, 'range')
  const end = asInteger(endArg, 'range')
  const step = stepArg === undefined ? 1n : asInteger(stepArg, 'range')
  if (step === 0n) throw argumentError('step argument to range() can\'t be 0')
  const length = (end - start) / step + 1n
  if (length <= 0n) return []
  if (length > BigInt(MAX_RANGE_LENGTH)) throw argumentError(`range() would create more than ${MAX_RANGE_LENGTH} elements, more than the cluster fixture allows`)
  const result: bigint[] = new Array(Number(length))
  for (let i = 0, value = start; i < result.length; i++, value += step) result[i] = value
  return result
}

function substring ([original, startArg, lengthArg]: Value[]): Value {
  if (original === null) return null
  const text = asString(original, 'substring')
  const start = Number(asInteger(startArg, 'substring'))
  if (start < 0) throw argumentError('Invalid input for function \'substring()\': start must be non-negative')
  if (lengthArg === undefined || lengthArg === null) return text.slice(start)
  const length = Number(asInteger(lengthArg, 'substring'))
  if (length < 0) throw argumentError('Invalid input for function \'substring()\': length must be non-negative')
  return text.slice(start, start + length)
}

function roundHalfUp (value: number, precision: number): number {
  const factor = 10 ** precision
  // Cypher rounds half away from zero for positive precision… and HALF_UP (toward +∞) with none, like Java's Math.round.
  if (precision === 0) return Math.floor(value + 0.5)
  return Math.sign(value) * Math.round(Math.abs(value) * factor) / factor
}

const FUNCTIONS: Record<string, FunctionSpec> = {
  // Aggregations (computed by aggregation.ts).
  count: { min: 1, max: 1 },
  collect: { min: 1, max: 1 },
  sum: { min: 1, max: 1 },
  avg: { min: 1, max: 1 },
  min: { min: 1, max: 1 },
  max: { min: 1, max: 1 },

  // Graph entities.
  id: {
    min: 1, max: 1, impl: nullSafe(value => {
      if (value instanceof NodeRef || value instanceof RelRef) return BigInt(value.id)
      if (value instanceof NodeValue || value instanceof RelationshipValue) return value.id
      throw typeMismatch('Node or Relationship', value)
    })
  },
  elementid: {
    min: 1, max: 1, impl: nullSafe((value, ctx) => {
      if (value instanceof NodeRef) return nodeElementId(ctx.graph.databaseName, value.id)
      if (value instanceof RelRef) return relationshipElementId(ctx.graph.databaseName, value.id)
      if (value instanceof NodeValue || value instanceof RelationshipValue) return value.elementId
      throw typeMismatch('Node or Relationship', value)
    })
  },
  labels: {
    min: 1, max: 1, impl: nullSafe((value, ctx) => {
      if (value instanceof NodeRef) return [...(ctx.graph.node(value.id)?.labels ?? deleted('Node', value.id))]
      if (value instanceof NodeValue) return [...value.labels]
      throw typeMismatch('Node', value)
    })
  },
  type: {
    min: 1, max: 1, impl: nullSafe((value, ctx) => {
      if (value instanceof RelRef) return (ctx.graph.relationship(value.id) ?? deleted('Relationship', value.id)).type
      if (value instanceof RelationshipValue) return value.type
      throw typeMismatch('Relationship', value)
    })
  },
  keys: { min: 1, max: 1, impl: ([value], ctx) => { const props = entityProperties(value, ctx, 'keys'); return props === null ? null : [...props.keys()] } },
  properties: {
    min: 1, max: 1, impl: ([value], ctx) => {
      const props = entityProperties(value, ctx, 'properties')
      if (props === null) return null
      const map: ValueMap = {}
      for (const [key, item] of props) setEntry(map, key, item)
      return map
    }
  },
  startnode: {
    min: 1, max: 1, impl: nullSafe((value, ctx) => {
      if (!(value instanceof RelRef)) throw typeMismatch('Relationship', value)
      return new NodeRef((ctx.graph.relationship(value.id) ?? deleted('Relationship', value.id)).start)
    })
  },
  endnode: {
    min: 1, max: 1, impl: nullSafe((value, ctx) => {
      if (!(value instanceof RelRef)) throw typeMismatch('Relationship', value)
      return new NodeRef((ctx.graph.relationship(value.id) ?? deleted('Relationship', value.id)).end)
    })
  },
  nodes: { min: 1, max: 1, impl: nullSafe(value => { if (value instanceof PathRef || value instanceof PathValue) return [...value.nodes]; throw typeMismatch('Path', value) }) },
  relationships: { min: 1, max: 1, impl: nullSafe(value => { if (value instanceof PathRef || value instanceof PathValue) return [...value.relationships]; throw typeMismatch('Path', value) }) },
  length: {
    min: 1, max: 1, impl: nullSafe(value => {
      if (value instanceof PathRef || value instanceof PathValue) return BigInt(value.relationships.length)
      throw typeMismatch('Path', value)
    })
  },

  // Lists, strings, maps.
  size: {
    min: 1, max: 1, impl: nullSafe(value => {
      if (typeof value === 'string') return BigInt([...value].length)
      if (Array.isArray(value)) return BigInt(value.length)
      throw typeMismatch('String or List', value)
    })
  },
  isempty: {
    min: 1, max: 1, impl: nullSafe(value => {
      if (typeof value === 'string' || Array.isArray(value)) return value.length === 0
      if (isValueMap(value)) return Object.keys(value).length === 0
      throw typeMismatch('String, List or Map', value)
    })
  },
  head: { min: 1, max: 1, impl: nullSafe(value => asList(value, 'head')[0] ?? null) },
  last: { min: 1, max: 1, impl: nullSafe(value => { const list = asList(value, 'last'); return list[list.length - 1] ?? null }) },
  tail: { min: 1, max: 1, impl: nullSafe(value => asList(value, 'tail').slice(1)) },
  reverse: {
    min: 1, max: 1, impl: nullSafe(value => {
      if (typeof value === 'string') return [...value].reverse().join('')
      return [...asList(value, 'reverse')].reverse()
    })
  },
  range: { min: 2, max: 3, impl: range },
  coalesce: { min: 1, max: Infinity, impl: args => args.find(arg => arg !== null) ?? null },
  tostring: { min: 1, max: 1, impl: ([value]) => toStringValue(value) },
  tostringornull: { min: 1, max: 1, impl: orNull(toStringValue) },
  tointeger: { min: 1, max: 1, impl: ([value]) => toIntegerValue(value) },
  tointegerornull: { min: 1, max: 1, impl: orNull(toIntegerValue) },
  tofloat: { min: 1, max: 1, impl: ([value]) => toFloatValue(value) },
  tofloatornull: { min: 1, max: 1, impl: orNull(toFloatValue) },
  toboolean: { min: 1, max: 1, impl: ([value]) => toBooleanValue(value) },
  tobooleanornull: { min: 1, max: 1, impl: orNull(toBooleanValue) },
  toupper: { min: 1, max: 1, impl: nullSafe(value => asString(value, 'toUpper').toUpperCase()) },
  tolower: { min: 1, max: 1, impl: nullSafe(value => asString(value, 'toLower').toLowerCase()) },
  trim: { min: 1, max: 1, impl: nullSafe(value => asString(value, 'trim').trim()) },
  ltrim: { min: 1, max: 1, impl: nullSafe(value => asString(value, 'ltrim').trimStart()) },
  rtrim: { min: 1, max: 1, impl: nullSafe(value => asString(value, 'rtrim').trimEnd()) },
  replace: {
    min: 3, max: 3, impl: ([text, search, replacement]) => {
      if (text === null || search === null || replacement === null) return null
      return asString(text, 'replace').split(asString(search, 'replace')).join(asString(replacement, 'replace'))
    }
  },
  split: {
    min: 2, max: 2, impl: ([text, separator]) => {
      if (text === null || separator === null) return null
      return asString(text, 'split').split(asString(separator, 'split'))
    }
  },
  substring: { min: 2, max: 3, impl: substring },
  left: { min: 2, max: 2, impl: ([text, n]) => (text === null ? null : asString(text, 'left').slice(0, Number(asInteger(n, 'left')))) },
  right: {
    min: 2, max: 2, impl: ([text, n]) => {
      if (text === null) return null
      const count = Number(asInteger(n, 'right'))
      const value = asString(text, 'right')
      return count === 0 ? '' : value.slice(-count)
    }
  },

  // Numbers.
  abs: { min: 1, max: 1, impl: nullSafe(value => (typeof value === 'bigint' ? checkedInteger(value < 0n ? -value : value) : Math.abs(asNumber(value, 'abs')))) },
  ceil: { min: 1, max: 1, impl: nullSafe(value => Math.ceil(asNumber(value, 'ceil'))) },
  floor: { min: 1, max: 1, impl: nullSafe(value => Math.floor(asNumber(value, 'floor'))) },
  round: {
    min: 1, max: 2, impl: ([value, precision]) => {
      if (value === null) return null
      return roundHalfUp(asNumber(value, 'round'), precision === undefined || precision === null ? 0 : Number(asInteger(precision, 'round')))
    }
  },
  sign: { min: 1, max: 1, impl: nullSafe(value => (typeof value === 'bigint' ? BigInt(value > 0n ? 1 : value < 0n ? -1 : 0) : BigInt(Math.sign(asNumber(value, 'sign'))))) },
  sqrt: { min: 1, max: 1, impl: nullSafe(value => Math.sqrt(asNumber(value, 'sqrt'))) },
  exp: { min: 1, max: 1, impl: nullSafe(value => Math.exp(asNumber(value, 'exp'))) },
  log: { min: 1, max: 1, impl: nullSafe(value => Math.log(asNumber(value, 'log'))) },
  log10: { min: 1, max: 1, impl: nullSafe(value => Math.log10(asNumber(value, 'log10'))) },
  pi: { min: 0, max: 0, impl: () => Math.PI },
  e: { min: 0, max: 0, impl: () => Math.E },
  rand: { min: 0, max: 0, impl: () => Math.random() },

  // Time and identity. Values computed here that end up in properties are
  // recorded in the replicated ops, so every member stores the same value.
  timestamp: { min: 0, max: 0, impl: (_, ctx) => BigInt(ctx.now) },
  datetime: { min: 0, max: 1, impl: ([arg], ctx) => makeDateTime(arg, ctx.now) },
  localdatetime: { min: 0, max: 1, impl: ([arg], ctx) => makeLocalDateTime(arg, ctx.now) },
  date: { min: 0, max: 1, impl: ([arg], ctx) => makeDate(arg, ctx.now) },
  randomuuid: { min: 0, max: 0, impl: () => randomUUID() },
  duration: {
    min: 1, max: 1, impl: nullSafe(value => {
      if (!isValueMap(value)) throw new FixtureError('SyntaxError', 'Not supported by the cluster fixture: duration() from a string')
      const part = (key: string): bigint => (value[key] === undefined || value[key] === null ? 0n : asInteger(value[key], 'duration'))
      return new DurationValue(part('years') * 12n + part('months'), part('weeks') * 7n + part('days'),
        part('hours') * 3600n + part('minutes') * 60n + part('seconds'), Number(part('milliseconds') * 1_000_000n + part('nanoseconds')))
    })
  }
}

export function functionArity (name: string): { min: number, max: number } | undefined {
  return Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined
}

export function callFunction (name: string, args: Value[], ctx: FunctionContext): Value {
  const impl = FUNCTIONS[name]?.impl
  if (impl === undefined) throw new FixtureError('SyntaxError', `Unknown function '${name}'`)
  return impl(args, ctx)
}
