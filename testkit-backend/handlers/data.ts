// Typed reads of a request's data. A missing or mistyped field is a
// BackendProblem naming the request and the field, never a TypeError deep
// inside a handler.

import { BackendProblem } from '../protocol/problems.js'
import { toNative, toNativeMap } from '../protocol/cypher-values.js'

export type Data = Record<string, unknown>

export class Fields {
  constructor (private readonly request: string, private readonly data: Data) {}

  has (key: string): boolean {
    return this.data[key] !== undefined && this.data[key] !== null
  }

  raw (key: string): unknown {
    return this.data[key]
  }

  /** An id testkit echoes back (number or string). */
  id (key: string): unknown {
    const v = this.data[key]
    if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'bigint') throw this.problem(key, 'an id')
    return v
  }

  string (key: string): string {
    const v = this.data[key]
    if (typeof v !== 'string') throw this.problem(key, 'a string')
    return v
  }

  optionalString (key: string): string | undefined {
    return this.has(key) ? this.string(key) : undefined
  }

  optionalNumber (key: string): number | undefined {
    if (!this.has(key)) return undefined
    const v = this.data[key]
    if (typeof v === 'bigint') return Number(v)
    if (typeof v !== 'number') throw this.problem(key, 'a number')
    return v
  }

  optionalBoolean (key: string): boolean | undefined {
    if (!this.has(key)) return undefined
    const v = this.data[key]
    if (typeof v !== 'boolean') throw this.problem(key, 'a boolean')
    return v
  }

  optionalStrings (key: string): string[] | undefined {
    if (!this.has(key)) return undefined
    const v = this.data[key]
    if (!Array.isArray(v) || !v.every(s => typeof s === 'string')) throw this.problem(key, 'a list of strings')
    return v as string[]
  }

  optionalObject (key: string): Data | undefined {
    if (!this.has(key)) return undefined
    const v = this.data[key]
    if (typeof v !== 'object' || Array.isArray(v)) throw this.problem(key, 'an object')
    return v as Data
  }

  /** Query parameters: a map of Cypher values. */
  params (key = 'params'): Record<string, unknown> | undefined {
    return toNativeMap(this.data[key])
  }

  /**
   * Transaction metadata. Recent testkit sends Cypher values, older branches
   * plain JSON; both are accepted.
   */
  metadata (key = 'txMeta'): Record<string, unknown> | undefined {
    const v = this.optionalObject(key)
    if (v === undefined) return undefined
    const out: Record<string, unknown> = {}
    for (const [k, entry] of Object.entries(v)) {
      const isCypher = entry !== null && typeof entry === 'object' && !Array.isArray(entry) &&
        typeof (entry as { name?: unknown }).name === 'string' && (entry as { name: string }).name.startsWith('Cypher')
      out[k] = isCypher ? toNative(entry) : entry
    }
    return out
  }

  /** `{ metadata, timeout }` for the driver's transaction config; undefined fields are left out. */
  transactionConfig (data: Fields = this): { metadata?: Record<string, unknown>, timeout?: number } {
    const config: { metadata?: Record<string, unknown>, timeout?: number } = {}
    const metadata = data.metadata()
    if (metadata !== undefined) config.metadata = metadata
    const timeout = data.optionalNumber('timeout')
    if (timeout !== undefined) config.timeout = timeout
    return config
  }

  private problem (key: string, expected: string): BackendProblem {
    const got = this.data[key]
    return new BackendProblem(`${this.request}: field '${key}' must be ${expected}, got ${got === undefined ? 'nothing' : JSON.stringify(typeof got === 'bigint' ? String(got) : got)}`)
  }
}
