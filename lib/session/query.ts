// Query text and parameters as the official API accepts them: a string (or
// String) plus a parameter object, or `{ text, parameters, parameterRules }`.
// Core's validator gives the official error messages for anything else and
// applies record-object-mapping rules to the parameters.

import { internal, type Rules, type types } from 'neo4j-driver-core'

export type Query = types.Query

export function prepareQuery (query: Query, parameters?: unknown, parameterRules?: Rules): { text: string, params: Record<string, unknown> } {
  const { validatedQuery, params } = internal.util.validateQueryAndParameters(query, parameters, { parameterRules })
  return { text: validatedQuery, params: params as Record<string, unknown> }
}
