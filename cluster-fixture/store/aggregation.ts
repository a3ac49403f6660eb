// Accumulators for count(*), count(x), collect(x), sum, avg, min, max, each
// with optional DISTINCT. Nulls are skipped (count(*) counts rows). An empty
// group gives 0 for count, [] for collect, 0 for sum and null otherwise.

import { FixtureError } from '../errors.js'
import type { Expr } from './ast.js'
import { checkedInteger } from './arithmetic.js'
import { equivalenceKey, orderCompare } from './compare.js'
import { typeName, type Value } from './runtime-values.js'

export interface Accumulator {
  add: (value: Value) => void
  result: () => Value
}

function numeric (value: Value, fn: string): bigint | number {
  if (typeof value === 'bigint' || typeof value === 'number') return value
  throw new FixtureError('TypeError', `${fn}() can only handle numerical values, but got ${typeName(value)}`)
}

function baseAccumulator (name: string): Accumulator {
  switch (name) {
    case 'count': {
      let count = 0n
      return { add: () => { count++ }, result: () => count }
    }
    case 'collect': {
      const items: Value[] = []
      return { add: value => { items.push(value) }, result: () => items }
    }
    case 'sum': {
      let integerSum = 0n
      let floatSum = 0
      let sawFloat = false
      return {
        add: value => {
          const n = numeric(value, 'sum')
          if (typeof n === 'bigint') integerSum = checkedInteger(integerSum + n)
          else { floatSum += n; sawFloat = true }
        },
        result: () => (sawFloat ? Number(integerSum) + floatSum : integerSum)
      }
    }
    case 'avg': {
      let total = 0
      let count = 0
      return {
        add: value => { total += Number(numeric(value, 'avg')); count++ },
        result: () => (count === 0 ? null : total / count)
      }
    }
    case 'min':
    case 'max': {
      let best: Value = null
      const sign = name === 'min' ? 1 : -1
      return {
        add: value => { if (best === null || sign * orderCompare(value, best) < 0) best = value },
        result: () => best
      }
    }
    default:
      throw new FixtureError('SyntaxError', `Unknown aggregating function '${name}'`)
  }
}

/** An accumulator for one aggregate call; `add` receives the evaluated argument (ignored for count(*)). */
export function createAccumulator (call: Expr): Accumulator {
  if (call.kind === 'countStar') {
    let rows = 0n
    return { add: () => { rows++ }, result: () => rows }
  }
  if (call.kind !== 'call') throw new Error('not an aggregate call')
  const inner = baseAccumulator(call.name)
  if (!call.distinct) {
    return { add: value => { if (value !== null) inner.add(value) }, result: inner.result }
  }
  const seen = new Set<string>()
  return {
    add: value => {
      if (value === null) return
      const key = equivalenceKey(value)
      if (seen.has(key)) return
      seen.add(key)
      inner.add(value)
    },
    result: inner.result
  }
}
