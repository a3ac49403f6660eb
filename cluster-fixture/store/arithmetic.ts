// Arithmetic with Cypher's number semantics: Integer op Integer stays an
// Integer (64-bit, overflow is an error, `/` truncates toward zero), anything
// with a Float is a Float, `^` is always a Float. `+` also concatenates
// strings and lists. null in, null out.

import { FixtureError } from '../errors.js'
import { isTemporal, formatTemporal } from './temporal.js'
import { typeName, type Value } from './runtime-values.js'

const INT64_MIN = -(1n << 63n)
const INT64_MAX = (1n << 63n) - 1n

export function checkedInteger (value: bigint): bigint {
  if (value < INT64_MIN || value > INT64_MAX) throw new FixtureError('NumericOutOfRange', 'long overflow')
  return value
}

function isNumber (value: Value): value is bigint | number {
  return typeof value === 'bigint' || typeof value === 'number'
}

function mismatch (verb: string, a: Value, b: Value): FixtureError {
  return new FixtureError('TypeError', `Cannot ${verb} \`${typeName(a)}\` and \`${typeName(b)}\``)
}

/** How Cypher prints a Float in toString() and string concatenation: 1.0, 0.5, 1.0E20, NaN. */
export function formatFloat (value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity'
  const abs = Math.abs(value)
  if (abs !== 0 && (abs >= 1e7 || abs < 1e-3)) {
    const [mantissa, exponent] = value.toExponential().split('e')
    return `${mantissa.includes('.') ? mantissa : mantissa + '.0'}E${exponent.replace('+', '')}`
  }
  const text = String(value)
  return text.includes('.') ? text : text + '.0'
}

/** The string form used when `+` joins a string with another value. */
function concatenationText (value: Value): string | null {
  if (typeof value === 'string') return value
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'number') return formatFloat(value)
  if (typeof value === 'boolean') return String(value)
  if (isTemporal(value)) return formatTemporal(value)
  return null
}

export function add (a: Value, b: Value): Value {
  if (Array.isArray(a)) return Array.isArray(b) ? [...a, ...b] : [...a, b]
  if (Array.isArray(b)) return [a, ...b]
  if (a === null || b === null) return null
  if (typeof a === 'bigint' && typeof b === 'bigint') return checkedInteger(a + b)
  if (isNumber(a) && isNumber(b)) return Number(a) + Number(b)
  if (typeof a === 'string' || typeof b === 'string') {
    const left = concatenationText(a)
    const right = concatenationText(b)
    if (left !== null && right !== null) return left + right
  }
  throw mismatch('add', a, b)
}

export function subtract (a: Value, b: Value): Value {
  if (a === null || b === null) return null
  if (typeof a === 'bigint' && typeof b === 'bigint') return checkedInteger(a - b)
  if (isNumber(a) && isNumber(b)) return Number(a) - Number(b)
  throw mismatch('subtract', a, b)
}

export function multiply (a: Value, b: Value): Value {
  if (a === null || b === null) return null
  if (typeof a === 'bigint' && typeof b === 'bigint') return checkedInteger(a * b)
  if (isNumber(a) && isNumber(b)) return Number(a) * Number(b)
  throw mismatch('multiply', a, b)
}

export function divide (a: Value, b: Value): Value {
  if (a === null || b === null) return null
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if (b === 0n) throw new FixtureError('DivisionByZero', '/ by zero')
    return checkedInteger(a / b)
  }
  if (isNumber(a) && isNumber(b)) return Number(a) / Number(b)
  throw mismatch('divide', a, b)
}

export function modulo (a: Value, b: Value): Value {
  if (a === null || b === null) return null
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if (b === 0n) throw new FixtureError('DivisionByZero', '/ by zero')
    return a % b
  }
  if (isNumber(a) && isNumber(b)) return Number(a) % Number(b)
  throw mismatch('take the modulo of', a, b)
}

export function power (a: Value, b: Value): Value {
  if (a === null || b === null) return null
  if (isNumber(a) && isNumber(b)) return Number(a) ** Number(b)
  throw mismatch('raise', a, b)
}

export function negate (a: Value): Value {
  if (a === null) return null
  if (typeof a === 'bigint') return checkedInteger(-a)
  if (typeof a === 'number') return -a
  throw new FixtureError('TypeError', `Type mismatch: expected Integer or Float but was ${typeName(a)}`)
}
