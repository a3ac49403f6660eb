// FAILURE metadata per protocol version. Before 5.7: `{code, message}`.
// From 5.7: the GQL form `{neo4j_code, message, gql_status, description,
// diagnostic_record, cause?}` — clients read the legacy code from
// `neo4j_code` (JS: bolt-protocol-v5x7.js), so `code` must not be sent there.
// A cause is a GQL status object of its own: gql_status, description,
// message and a diagnostic record with the classification, but no
// neo4j_code (docs-bolt message.adoc, the LOGOFF and TELEMETRY failures).

import { FixtureError, type GqlCause } from '../errors.js'
import type { CypherMap } from '../values.js'
import { type BoltVersion, features } from './versions.js'

const MAX_CAUSE_DEPTH = 8

export function failureMetadata (error: FixtureError, version: BoltVersion): CypherMap {
  if (!features.gqlErrors(version)) return { code: error.code, message: error.message }
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
  if (error.gqlCause !== null) metadata.cause = causeMetadata(error.gqlCause, error.classification, 1)
  return metadata
}

function causeMetadata (cause: FixtureError | GqlCause, classification: string, depth: number): CypherMap {
  const isError = cause instanceof FixtureError
  const metadata: CypherMap = {
    message: cause.message,
    gql_status: cause.gqlStatus,
    description: isError ? cause.gqlDescription : cause.description,
    diagnostic_record: { _classification: isError ? cause.classification : classification }
  }
  const next = isError ? cause.gqlCause : cause.cause
  if (next !== null && depth < MAX_CAUSE_DEPTH) metadata.cause = causeMetadata(next, classification, depth + 1)
  return metadata
}
