// FAILURE metadata per protocol version. Before 5.7: `{code, message}`.
// From 5.7: the GQL form `{neo4j_code, message, gql_status, description,
// diagnostic_record, cause?}` — clients read the legacy code from
// `neo4j_code` (JS: bolt-protocol-v5x7.js), so `code` must not be sent there.

import { FixtureError } from '../errors.js'
import type { CypherMap } from '../values.js'
import { type BoltVersion, features } from './versions.js'

const MAX_CAUSE_DEPTH = 8

export function failureMetadata (error: FixtureError, version: BoltVersion): CypherMap {
  if (!features.gqlErrors(version)) return { code: error.code, message: error.message }
  return gqlError(error, 0)
}

function gqlError (error: FixtureError, depth: number): CypherMap {
  const metadata: CypherMap = {
    neo4j_code: error.code,
    message: error.message,
    gql_status: error.gqlStatus,
    description: error.gqlDescription,
    diagnostic_record: {
      OPERATION: '',
      OPERATION_CODE: '0',
      CURRENT_SCHEMA: '/',
      _classification: error.classification
    }
  }
  const cause = error.cause
  if (depth < MAX_CAUSE_DEPTH && cause instanceof FixtureError) metadata.cause = gqlError(cause, depth + 1)
  return metadata
}

