// Failures as testkit responses. A driver error becomes DriverError and is
// kept under its id (a later RetryableNegative{errorId} rethrows that very
// object, so the driver decides retries on its real error); the client code's
// failure comes back as FrontendError; anything the backend could not do is
// BackendError.

import { GQLError, isRetryableError, Neo4jError } from '../../lib/index.js'
import type { Context } from '../context.js'
import { toCypher } from '../protocol/cypher-values.js'
import { BackendProblem, frontendProblemIn } from '../protocol/problems.js'
import type { Reply } from './reply.js'

function diagnosticRecord (record: unknown): Record<string, unknown> | null {
  if (record === null || record === undefined || typeof record !== 'object') return null
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(record)) out[key] = toCypher(value)
  return out
}

/**
 * The GQL cause chain the server sent (Bolt 5.7+). Causes our driver adds
 * itself (a DiscoveryError's deciding error, a RetriesExhaustedError's last
 * attempt) are Neo4jErrors, not server causes, and are left out.
 */
function gqlCause (cause: unknown, depth = 0): Record<string, unknown> | null {
  if (!(cause instanceof GQLError) || cause instanceof Neo4jError || depth > 10) return null
  return {
    name: 'GqlError',
    data: {
      msg: cause.message,
      gqlStatus: cause.gqlStatus,
      statusDescription: cause.gqlStatusDescription,
      diagnosticRecord: diagnosticRecord(cause.diagnosticRecord),
      cause: gqlCause(cause.cause, depth + 1),
      classification: cause.classification,
      rawClassification: rawClassification(cause)
    }
  }
}

/** The server's `_classification` as sent when it is a string; anything else a server sent there is no classification (null). */
function rawClassification (error: GQLError): string | null {
  const raw: unknown = error.rawClassification
  return typeof raw === 'string' ? raw : null
}

/**
 * `notHandled`: security codes the test's token manager said it did not
 * handle (answered after the driver had to decide; see
 * Context.securityDecisions): such an error is not retryable after all.
 * AuthorizationExpired always is.
 */
function driverError (context: Context, error: Error, notHandled: ReadonlySet<string>): Reply {
  const id = context.errors.add(context.nextId(), error)
  const gql = error instanceof GQLError ? error : undefined
  const code = (error as { code?: unknown }).code
  return {
    name: 'DriverError',
    data: {
      id,
      errorType: error.name,
      msg: error.message,
      code: typeof code === 'string' ? code : null,
      retryable: isRetryableError(error) && !(typeof code === 'string' && notHandled.has(code) && code !== 'Neo.ClientError.Security.AuthorizationExpired'),
      gqlStatus: gql?.gqlStatus ?? null,
      statusDescription: gql?.gqlStatusDescription ?? null,
      diagnosticRecord: diagnosticRecord(gql?.diagnosticRecord),
      cause: gqlCause(gql?.cause),
      classification: gql?.classification ?? null,
      rawClassification: gql === undefined ? null : rawClassification(gql)
    }
  }
}

/** The response for a failed request. */
export function errorReply (context: Context, error: unknown, notHandled: ReadonlySet<string> = new Set()): Reply {
  const frontend = frontendProblemIn(error)
  if (frontend !== undefined) return { name: 'FrontendError', data: { msg: frontend.message } }
  if (error instanceof BackendProblem) return { name: 'BackendError', data: { msg: error.message } }
  if (error instanceof Error) {
    try {
      return driverError(context, error, notHandled)
    } catch (encodingFailure) {
      return { name: 'BackendError', data: { msg: `could not encode ${error.name}: ${(encodingFailure as Error).message}` } }
    }
  }
  return { name: 'BackendError', data: { msg: `a non-Error was thrown: ${String(error)}` } }
}
