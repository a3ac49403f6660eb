// The Neo.ClientError.Request.Invalid failures of the Bolt layer, shaped as
// Neo4j 5 sends them on Bolt 5.7+ (docs-bolt message.adoc; GQL statuses from
// neo4j/docs-status-codes):
// - a message the current state cannot take: 08N06 "protocol error", caused by
//   08N10 "invalid server state"; fatal (the connection closes);
// - a field of the wrong type: 22G03 "invalid value type", caused by 22N01
//   "invalid type" (the TELEMETRY "oh no!" example); the connection stays
//   open in the FAILED state;
// - a field with a value outside its domain: 08N06, caused by 22N04 "invalid
//   input value"; the connection stays open in the FAILED state.

import { FixtureError, GqlCause } from '../errors.js'
import { type PackValue, Structure } from './packstream.js'

export function stateViolation (message: string, state: string): FixtureError {
  const detail = `Message ${message} cannot be handled by session in the '${state}' state.`
  return new FixtureError('RequestInvalid', `Message '${message}' cannot be handled by a session in the ${state} state.`, {
    fatal: true,
    cause: new GqlCause('08N10', 'connection exception - invalid server state', detail)
  })
}

export type PackTypeName = 'INTEGER' | 'FLOAT' | 'STRING' | 'BOOLEAN' | 'NULL' | 'BYTES' | 'LIST' | 'MAP' | 'STRUCTURE'

export function packTypeName (value: PackValue | undefined): PackTypeName {
  if (value === null || value === undefined) return 'NULL'
  if (typeof value === 'bigint') return 'INTEGER'
  if (typeof value === 'number') return 'FLOAT'
  if (typeof value === 'string') return 'STRING'
  if (typeof value === 'boolean') return 'BOOLEAN'
  if (value instanceof Uint8Array) return 'BYTES'
  if (Array.isArray(value)) return 'LIST'
  if (value instanceof Structure) return 'STRUCTURE'
  return 'MAP'
}

function show (value: PackValue | undefined): string {
  if (typeof value === 'number') return Number.isInteger(value) ? value.toFixed(1) : String(value)
  if (typeof value === 'bigint') return value.toString()
  if (typeof value === 'string') return `'${value.length > 40 ? value.slice(0, 40) + '…' : value}'`
  if (value === null || value === undefined) return 'null'
  return packTypeName(value).toLowerCase()
}

/** A request field of the wrong PackStream type (e.g. tx_timeout sent as the Float 5000.0). */
export function wrongType (field: string, value: PackValue | undefined, expected: PackTypeName, options: { fatal?: boolean } = {}): FixtureError {
  const actual = packTypeName(value)
  return new FixtureError('RequestInvalidType', `Illegal value for field "${field}": expected ${expected}, got ${actual} ${show(value)}`, {
    fatal: options.fatal,
    cause: new GqlCause('22N01', 'data exception - invalid type',
      `Expected the value ${show(value)} to be of type ${expected}, but was of type ${actual}.`)
  })
}

/** A request field whose value is outside what the protocol allows (e.g. mode "x", TELEMETRY api 9). */
export function invalidInput (field: string, value: PackValue | undefined, expected: readonly string[], options: { fatal?: boolean } = {}): FixtureError {
  const list = expected.join(', ')
  return new FixtureError('RequestInvalid', `Illegal value for field "${field}": ${show(value)} is not one of ${list}`, {
    fatal: options.fatal,
    cause: new GqlCause('22N04', 'data exception - invalid input value', `Invalid input ${show(value)} for '${field}'. Expected ${list}.`)
  })
}

/** A RUN inside an explicit transaction that repeats transaction settings (they belong in BEGIN). */
export function extraInsideTransaction (keys: readonly string[]): FixtureError {
  const named = keys.map(key => `'${key}'`).join(', ')
  return new FixtureError('RequestInvalid',
    `Illegal value for field "extra": a RUN inside an explicit transaction carries no extra data (the transaction's settings go in BEGIN), got ${named}`, {
      cause: new GqlCause('22N04', 'data exception - invalid input value', `Invalid input {${keys.join(', ')}} for 'extra'. Expected {}.`)
    })
}
