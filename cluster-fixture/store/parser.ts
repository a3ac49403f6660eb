// Entry point of the parser: query text → Statement (a Cypher query, analysed,
// or an administration command). Results are cached by text because drivers
// send the same few statements thousands of times with different parameters.

import { LRUCache } from 'lru-cache'
import { FixtureError, STATUS } from '../errors.js'
import type { Statement } from './ast.js'
import { analyzeQuery } from './analyze.js'
import { isAdminCommand, parseAdminCommand, unsupportedSchemaCommand } from './parse-admin.js'
import { parseClauses } from './parse-query.js'
import { TokenStream } from './token-stream.js'

export type { AdminStatement, QueryStatement, ShowTail, Statement } from './ast.js'

const CACHE_ENTRIES = 1000

/** Successful parses and SyntaxErrors alike: a client that repeats a bad query gets the same error fast. */
const cache = new LRUCache<string, Statement | FixtureError>({ max: CACHE_ENTRIES })

/** Parses (or fetches from the cache) one statement; throws FixtureError SyntaxError/ArgumentError. */
export function parseStatement (text: string): Statement {
  const cached = cache.get(text)
  if (cached !== undefined) {
    if (cached instanceof FixtureError) throw rethrowable(cached)
    return cached
  }
  try {
    const statement = parseUncached(text)
    cache.set(text, statement)
    return statement
  } catch (error) {
    if (error instanceof FixtureError) {
      cache.set(text, error)
      throw error
    }
    if (error instanceof RangeError) {
      // Call stack exhausted by a very long operator chain: the client's query, not our bug.
      throw new FixtureError('SyntaxError', 'The query is too deeply nested or too long an operator chain for the cluster fixture')
    }
    // A parser bug must not take the member down: report it as a database error.
    throw new FixtureError('GeneralUnknownError', `Internal error while parsing the query: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** A fresh error object each time, so one caller's handling (e.g. a `cause` chain) does not leak into another's. */
function rethrowable (error: FixtureError): FixtureError {
  return new FixtureError(error.code === STATUS.ArgumentError.code ? 'ArgumentError' : 'SyntaxError', error.message)
}

function parseUncached (text: string): Statement {
  const stream = new TokenStream(text)
  if (stream.atEnd) throw new FixtureError('SyntaxError', 'Invalid input \'\': expected a statement (the query is empty)')
  if (isAdminCommand(stream)) return parseAdminCommand(stream)
  const schema = unsupportedSchemaCommand(stream)
  if (schema !== null) throw stream.unsupported(schema)
  return analyzeQuery(text, parseClauses(stream))
}

/** For tests and diagnostics. */
export function clearParseCache (): void {
  cache.clear()
}
