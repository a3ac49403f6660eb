// Query text and parameters as the official API accepts them: a string plus a
// parameter object, or `{ text, parameters }`. Core's validator gives the
// official error messages for anything else.

import { internal } from 'neo4j-driver-core'

export type Query = string | { text: string, parameters?: Record<string, unknown> }

export function prepareQuery (query: Query, parameters?: Record<string, unknown>): { text: string, params: Record<string, unknown> } {
  const { validatedQuery, params } = internal.util.validateQueryAndParameters(query, parameters)
  return { text: validatedQuery, params: params as Record<string, unknown> }
}
