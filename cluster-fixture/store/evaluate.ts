// Evaluates an expression against one row, with Cypher's three-valued logic
// (null propagates; WHERE keeps only true) and its type rules.

import { FixtureError } from '../errors.js'
import { DurationValue, NodeValue, PointValue, RelationshipValue } from '../values.js'
import type { Expr } from './ast.js'
import { add, divide, modulo, multiply, negate, power, subtract } from './arithmetic.js'
import { compare, equals } from './compare.js'
import { callFunction, deleted, type FunctionContext } from './functions.js'
import { isTemporal, temporalComponent } from './temporal.js'
import { isValueMap, NodeRef, RelRef, setEntry, typeMismatch, type Row, type Value, type ValueMap } from './runtime-values.js'

export interface EvalContext extends FunctionContext {
  readonly params: ValueMap
  /** Values of the aggregate calls for the group being projected (set by the projection step). */
  aggregates?: ReadonlyMap<Expr, Value>
}

const regexCache = new Map<string, RegExp>()
const REGEX_CACHE_LIMIT = 200

function compileRegex (pattern: string): RegExp {
  let regex = regexCache.get(pattern)
  if (regex !== undefined) return regex
  try {
    // Java regexes (Cypher's) mostly read the same in JavaScript; `=~` must match the whole string.
    regex = new RegExp(`^(?:${pattern})$`, 'u')
  } catch (error) {
    throw new FixtureError('ArgumentError', `Invalid Regex: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (regexCache.size >= REGEX_CACHE_LIMIT) regexCache.clear()
  regexCache.set(pattern, regex)
  return regex
}

export function asBoolean (value: Value): boolean | null {
  if (value === null || typeof value === 'boolean') return value
  throw typeMismatch('Boolean', value)
}

/** WHERE semantics: only true passes; null and false do not. */
export function isTrue (value: Value): boolean {
  return asBoolean(value) === true
}

export function propertyOf (object: Value, key: string, ctx: EvalContext): Value {
  if (object === null) return null
  if (object instanceof NodeRef) {
    const node = ctx.graph.node(object.id) ?? deleted('Node', object.id)
    return node.props.get(key) ?? null
  }
  if (object instanceof RelRef) {
    const rel = ctx.graph.relationship(object.id) ?? deleted('Relationship', object.id)
    return rel.props.get(key) ?? null
  }
  if (isValueMap(object)) return Object.hasOwn(object, key) ? object[key] : null
  if (object instanceof NodeValue || object instanceof RelationshipValue) return Object.hasOwn(object.properties, key) ? object.properties[key] : null
  if (isTemporal(object)) {
    const component = temporalComponent(object, key)
    if (component !== undefined) return component
  }
  if (object instanceof PointValue) {
    if (key === 'x' || key === 'longitude') return object.x
    if (key === 'y' || key === 'latitude') return object.y
    if (key === 'z' || key === 'height') return object.z ?? null
    if (key === 'srid') return BigInt(object.srid)
  }
  if (object instanceof DurationValue) {
    if (key === 'months') return object.months
    if (key === 'days') return object.days
    if (key === 'seconds') return object.seconds
    if (key === 'nanoseconds') return BigInt(object.nanoseconds)
  }
  throw typeMismatch(`a map, node or relationship to access property '${key}'`, object)
}

function listIndex (value: Value, what: string): number {
  if (typeof value === 'bigint') return Number(value)
  if (typeof value === 'number' && Number.isInteger(value)) return value
  throw typeMismatch(`Integer for the ${what}`, value)
}

function evaluateIndex (object: Value, index: Value, ctx: EvalContext): Value {
  if (object === null || index === null) return null
  if (Array.isArray(object)) {
    const i = listIndex(index, 'list index')
    const at = i < 0 ? object.length + i : i
    return at >= 0 && at < object.length ? object[at] : null
  }
  if (typeof index === 'string') return propertyOf(object, index, ctx)
  throw typeMismatch('a List indexed by an Integer, or a Map/Node/Relationship indexed by a String', object)
}

function evaluateSlice (object: Value, from: Value | undefined, to: Value | undefined): Value {
  if (object === null || from === null || to === null) return null
  if (!Array.isArray(object)) throw typeMismatch('List', object)
  const bound = (value: Value | undefined, fallback: number): number => {
    if (value === undefined) return fallback
    const i = listIndex(value, 'slice bound')
    return i < 0 ? Math.max(0, object.length + i) : Math.min(i, object.length)
  }
  return object.slice(bound(from, 0), bound(to, object.length))
}

function logical (op: 'AND' | 'OR' | 'XOR', left: Expr, right: Expr, row: Row, ctx: EvalContext): Value {
  const a = asBoolean(evaluate(left, row, ctx))
  if (op === 'AND' && a === false) return false
  if (op === 'OR' && a === true) return true
  const b = asBoolean(evaluate(right, row, ctx))
  if (op === 'AND') return b === false ? false : a === null || b === null ? null : true
  if (op === 'OR') return b === true ? true : a === null || b === null ? null : false
  return a === null || b === null ? null : a !== b
}

function inList (item: Value, list: Value): Value {
  if (list === null) return null
  if (!Array.isArray(list)) throw typeMismatch('List for the right side of IN', list)
  let sawNull = false
  for (const element of list) {
    const result = equals(item, element)
    if (result === true) return true
    if (result === null) sawNull = true
  }
  return sawNull ? null : false
}

function stringPredicate (op: 'STARTS WITH' | 'ENDS WITH' | 'CONTAINS' | '=~', a: Value, b: Value): Value {
  if (typeof a !== 'string' || typeof b !== 'string') return null
  switch (op) {
    case 'STARTS WITH': return a.startsWith(b)
    case 'ENDS WITH': return a.endsWith(b)
    case 'CONTAINS': return a.includes(b)
    case '=~': return compileRegex(b).test(a)
  }
}

function comparison (op: '<' | '<=' | '>' | '>=', a: Value, b: Value): Value {
  const c = compare(a, b)
  if (c === null) return null
  if (Number.isNaN(c)) return false
  switch (op) {
    case '<': return c < 0
    case '<=': return c <= 0
    case '>': return c > 0
    case '>=': return c >= 0
  }
}

export function evaluate (expr: Expr, row: Row, ctx: EvalContext): Value {
  switch (expr.kind) {
    case 'literal': return expr.value
    case 'param': return ctx.params[expr.name] ?? null
    case 'variable': return row[expr.name] ?? null
    case 'property': return propertyOf(evaluate(expr.object, row, ctx), expr.key, ctx)
    case 'index': return evaluateIndex(evaluate(expr.object, row, ctx), evaluate(expr.index, row, ctx), ctx)
    case 'slice':
      return evaluateSlice(evaluate(expr.object, row, ctx),
        expr.from === null ? undefined : evaluate(expr.from, row, ctx),
        expr.to === null ? undefined : evaluate(expr.to, row, ctx))
    case 'list': return expr.items.map(item => evaluate(item, row, ctx))
    case 'map': {
      const map: ValueMap = {}
      for (const entry of expr.entries) setEntry(map, entry.key, evaluate(entry.value, row, ctx))
      return map
    }
    case 'not': {
      const value = asBoolean(evaluate(expr.operand, row, ctx))
      return value === null ? null : !value
    }
    case 'negate': return negate(evaluate(expr.operand, row, ctx))
    case 'isNull': return (evaluate(expr.operand, row, ctx) === null) !== expr.negated
    case 'hasLabels': {
      const value = evaluate(expr.operand, row, ctx)
      if (value === null) return null
      if (value instanceof NodeValue) return expr.labels.every(label => value.labels.includes(label))
      if (!(value instanceof NodeRef)) throw typeMismatch('Node', value)
      const node = ctx.graph.node(value.id) ?? deleted('Node', value.id)
      return expr.labels.every(label => node.labels.has(label))
    }
    case 'countStar':
    case 'call': {
      const aggregated = ctx.aggregates?.get(expr)
      if (aggregated !== undefined) return aggregated
      if (expr.kind === 'countStar') throw new FixtureError('SyntaxError', 'Invalid use of aggregating function count(*) in this context')
      return callFunction(expr.name, expr.args.map(arg => evaluate(arg, row, ctx)), ctx)
    }
    case 'case': return evaluateCase(expr, row, ctx)
    case 'listComprehension': {
      const source = evaluate(expr.source, row, ctx)
      if (source === null) return null
      if (!Array.isArray(source)) throw typeMismatch('List', source)
      const result: Value[] = []
      const inner: Row = Object.create(row) as Row
      for (const item of source) {
        inner[expr.variable] = item
        if (expr.where !== null && !isTrue(evaluate(expr.where, inner, ctx))) continue
        result.push(expr.map === null ? item : evaluate(expr.map, inner, ctx))
      }
      return result
    }
    case 'binary': return evaluateBinary(expr, row, ctx)
  }
}

function evaluateCase (expr: Extract<Expr, { kind: 'case' }>, row: Row, ctx: EvalContext): Value {
  const operand = expr.operand === null ? undefined : evaluate(expr.operand, row, ctx)
  for (const branch of expr.branches) {
    const when = evaluate(branch.when, row, ctx)
    const taken = operand === undefined ? isTrue(when) : equals(operand, when) === true
    if (taken) return evaluate(branch.then, row, ctx)
  }
  return expr.otherwise === null ? null : evaluate(expr.otherwise, row, ctx)
}

function evaluateBinary (expr: Extract<Expr, { kind: 'binary' }>, row: Row, ctx: EvalContext): Value {
  const op = expr.op
  if (op === 'AND' || op === 'OR' || op === 'XOR') return logical(op, expr.left, expr.right, row, ctx)
  const a = evaluate(expr.left, row, ctx)
  const b = evaluate(expr.right, row, ctx)
  switch (op) {
    case '+': return add(a, b)
    case '-': return subtract(a, b)
    case '*': return multiply(a, b)
    case '/': return divide(a, b)
    case '%': return modulo(a, b)
    case '^': return power(a, b)
    case '=': return equals(a, b)
    case '<>': {
      const result = equals(a, b)
      return result === null ? null : !result
    }
    case '<': case '<=': case '>': case '>=': return comparison(op, a, b)
    case 'IN': return inList(a, b)
    case 'STARTS WITH': case 'ENDS WITH': case 'CONTAINS': case '=~': return stringPredicate(op, a, b)
  }
}
