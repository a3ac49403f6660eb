// Bolt request and response messages (neo4j/docs-bolt `bolt/message.adoc`):
// their tags, which versions have them, and the checks that turn a decoded
// Structure into a typed request. A request of the wrong shape is a protocol
// violation: a fatal Request.Invalid (FAILURE, then the connection closes).
// A field of the right shape with a value the protocol does not allow (a
// Float for an Integer, mode "x") is a Request.Invalid that leaves the
// connection open in the FAILED state, as in Neo4j (strict-rules.ts).

import { FixtureError } from '../errors.js'
import { type PackMap, type PackValue, Structure } from './packstream.js'
import { invalidInput, wrongType } from './request-errors.js'
import type { StrictJudge } from './strict-rules.js'
import { type BoltVersion, features } from './versions.js'

export const REQUEST = {
  HELLO: 0x01,
  GOODBYE: 0x02,
  RESET: 0x0F,
  RUN: 0x10,
  BEGIN: 0x11,
  COMMIT: 0x12,
  ROLLBACK: 0x13,
  DISCARD: 0x2F,
  PULL: 0x3F,
  TELEMETRY: 0x54,
  ROUTE: 0x66,
  LOGON: 0x6A,
  LOGOFF: 0x6B
} as const

export const RESPONSE = {
  SUCCESS: 0x70,
  RECORD: 0x71,
  IGNORED: 0x7E,
  FAILURE: 0x7F
} as const

export type RequestName = keyof typeof REQUEST

const NAMES_BY_TAG = new Map<number, RequestName>(Object.entries(REQUEST).map(([name, tag]) => [tag, name as RequestName]))

/** Fields each request has; ROUTE and RUN have 3, the rest fixed small counts. */
const FIELD_COUNTS: Record<RequestName, number> = {
  HELLO: 1, GOODBYE: 0, RESET: 0, RUN: 3, BEGIN: 1, COMMIT: 0, ROLLBACK: 0, DISCARD: 1, PULL: 1, TELEMETRY: 1, ROUTE: 3, LOGON: 1, LOGOFF: 0
}

/** The request's name in `version`, or null for a tag that version does not have. */
export function requestName (tag: number, version: BoltVersion): RequestName | null {
  const name = NAMES_BY_TAG.get(tag)
  if (name === undefined) return null
  if ((name === 'LOGON' || name === 'LOGOFF') && !features.logon(version)) return null
  if (name === 'TELEMETRY' && !features.telemetry(version)) return null
  return name
}

/** Name for statistics, whatever the version. */
export function statsName (tag: number): string {
  return NAMES_BY_TAG.get(tag) ?? 'UNKNOWN'
}

export function protocolViolation (message: string): FixtureError {
  return new FixtureError('RequestInvalid', message, { fatal: true })
}

export function checkFieldCount (name: RequestName, request: Structure): void {
  const expected = FIELD_COUNTS[name]
  if (request.fields.length !== expected) {
    throw protocolViolation(`${name} must have ${expected} field(s), not ${request.fields.length}`)
  }
}

export function isPackMap (value: PackValue | undefined): value is PackMap {
  return value !== null && typeof value === 'object' && !Array.isArray(value) &&
    !(value instanceof Uint8Array) && !(value instanceof Structure)
}

export function mapField (request: Structure, index: number, what: string): PackMap {
  const value = request.fields[index]
  if (!isPackMap(value)) throw protocolViolation(`${what} must be a Dictionary`)
  return value
}

export function stringField (request: Structure, index: number, what: string): string {
  const value = request.fields[index]
  if (typeof value !== 'string') throw protocolViolation(`${what} must be a String`)
  return value
}

// --- entries of the `extra` dictionaries ------------------------------------

export function optionalString (map: PackMap, key: string): string | null {
  const value = map[key]
  if (value === undefined || value === null) return null
  if (typeof value !== 'string') throw protocolViolation(`'${key}' must be a String`)
  return value
}

export function stringList (value: PackValue | undefined, what: string): string[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value) || !value.every(item => typeof item === 'string')) {
    throw protocolViolation(`${what} must be a List of Strings`)
  }
  return value as string[]
}

export function optionalMap (map: PackMap, key: string): PackMap | null {
  const value = map[key]
  if (value === undefined || value === null) return null
  if (!isPackMap(value)) throw protocolViolation(`'${key}' must be a Dictionary`)
  return value
}

/**
 * An Integer entry. A Float is a breach of 'integer-fields' (the classic
 * "JS number sent as Float" client bug); a lenient judge takes it when it
 * has an integral value.
 */
export function optionalInteger (map: PackMap, key: string, judge: StrictJudge): number | null {
  const value = map[key]
  if (value === undefined || value === null) return null
  if (typeof value === 'bigint') return Number(value)
  if (typeof value === 'number') {
    judge.breach('integer-fields', () => wrongType(key, value, 'INTEGER'))
    if (Number.isInteger(value)) return value
  }
  throw wrongType(key, value, 'INTEGER')
}

/** The transaction settings BEGIN and auto-commit RUN share. */
export interface TxExtra {
  bookmarks: string[]
  txTimeoutMs: number | null
  metadata: PackMap
  mode: 'READ' | 'WRITE'
  database: string | null
  impersonatedUser: string | null
}

export function parseTxExtra (extra: PackMap, judge: StrictJudge): TxExtra {
  const mode = optionalString(extra, 'mode')
  if (mode !== null && mode !== 'r' && mode !== 'w') {
    // Lenient: an unknown mode is taken as the default, WRITE.
    judge.breach('access-mode', () => invalidInput('mode', mode, ["'r'", "'w'"]))
  }
  const database = optionalString(extra, 'db')
  const txTimeoutMs = optionalInteger(extra, 'tx_timeout', judge)
  if (txTimeoutMs !== null && txTimeoutMs < 0) throw protocolViolation("'tx_timeout' must not be negative")
  return {
    bookmarks: stringList(extra.bookmarks, "'bookmarks'"),
    txTimeoutMs,
    metadata: optionalMap(extra, 'tx_metadata') ?? {},
    mode: mode === 'r' ? 'READ' : 'WRITE',
    database: database === '' ? null : database,
    impersonatedUser: optionalString(extra, 'imp_user')
    // notifications_* filters are accepted and ignored: the fixture sends no notifications.
  }
}

/** PULL / DISCARD `{n, qid}`: n = −1 means all; qid −1 (or absent) means the last query. */
export function parseStreamExtra (name: 'PULL' | 'DISCARD', extra: PackMap, judge: StrictJudge): { n: number, qid: number } {
  const n = optionalInteger(extra, 'n', judge) ?? -1
  const qid = optionalInteger(extra, 'qid', judge) ?? -1
  if (n === 0 || n < -1) throw new FixtureError('RequestInvalid', `${name}: 'n' must be a positive Integer or -1, not ${n}`)
  return { n, qid }
}
