// Error codes and classification. Every error that crosses the public API is a
// neo4j-driver-core Neo4jError (so `instanceof Neo4jError` and core's
// `isRetryableError` agree with ours); the classes below add what the official
// driver does not tell users: which routers discovery tried and why, every
// attempt a retry loop made, and whether a commit's outcome is unknown.

import { Neo4jError, error as coreErrorCodes } from 'neo4j-driver-core'
import { conciseCause, firstLine } from './messages.js'

/**
 * Codes the driver itself raises (the server's codes start with `Neo.`). Every
 * error a user can meet carries one of these or a server's code, never 'N/A'
 * (README "Errors" lists which error has which; spec/unit/error-codes.spec.ts
 * holds them to it). The first three are the official driver's.
 */
export const SERVICE_UNAVAILABLE = coreErrorCodes.SERVICE_UNAVAILABLE
export const SESSION_EXPIRED = coreErrorCodes.SESSION_EXPIRED
export const PROTOCOL_ERROR = coreErrorCodes.PROTOCOL_ERROR
export const COMMIT_OUTCOME_UNKNOWN = 'CommitOutcomeUnknown'
export const CONFIGURATION_ERROR = 'ConfigurationError'
export const CONNECTION_ACQUISITION_TIMEOUT = 'ConnectionAcquisitionTimeout'
export const DRIVER_CLOSED = 'DriverClosed'
/**
 * The call does not fit the state of what it was made on: a closed session,
 * a transaction already committed or rolled back, a session with a
 * transaction open, a result already consumed, a connection discarded.
 */
export const ILLEGAL_STATE = 'IllegalState'
/** An argument that is not what the call takes (a transaction function that is not a function). */
export const INVALID_ARGUMENT = 'InvalidArgument'
/** An official API whose behaviour this driver does not implement yet (the message says which and what to do instead). */
export const NOT_SUPPORTED = 'NotSupported'

/** Server codes the driver reacts to. */
export const NOT_A_LEADER = 'Neo.ClientError.Cluster.NotALeader'
export const FORBIDDEN_ON_READ_ONLY_DATABASE = 'Neo.ClientError.General.ForbiddenOnReadOnlyDatabase'
export const DATABASE_UNAVAILABLE = 'Neo.TransientError.General.DatabaseUnavailable'
export const DATABASE_NOT_FOUND = 'Neo.ClientError.Database.DatabaseNotFound'
export const AUTHORIZATION_EXPIRED = 'Neo.ClientError.Security.AuthorizationExpired'
export const INVALID_BOOKMARK = 'Neo.ClientError.Transaction.InvalidBookmark'
export const INVALID_BOOKMARK_MIXTURE = 'Neo.ClientError.Transaction.InvalidBookmarkMixture'
export const TRANSACTION_TERMINATED = 'Neo.TransientError.Transaction.Terminated'
export const LOCK_CLIENT_STOPPED = 'Neo.TransientError.Transaction.LockClientStopped'
export const REPLICATION_FAILURE = 'Neo.TransientError.Cluster.ReplicationFailure'

/**
 * Server codes that mean "the write may or may not have been committed": the
 * leader lost its majority after appending the entry (the fixture reports this
 * as ReplicationFailure on COMMIT). Treated like a COMMIT whose connection died.
 */
export const OUTCOME_UNKNOWN_SERVER_CODES: ReadonlySet<string> = new Set([REPLICATION_FAILURE])

type CoreCode = ConstructorParameters<typeof Neo4jError>[1]

/** A Neo4jError with any code (core's constructor types the code narrowly). */
export function neo4jError (message: string, code: string, cause?: Error): Neo4jError {
  // GQL status 50N42 = "general processing exception": core uses it for driver-side errors too.
  return new Neo4jError(message, code as CoreCode, '50N42', 'error: general processing exception - unexpected error', undefined, cause)
}

/** A call that does not fit the state of what it was made on (code IllegalState, not retryable). */
export function illegalState (message: string, cause?: Error): Neo4jError {
  return neo4jError(message, ILLEGAL_STATE, cause)
}

function setRetryable (error: Neo4jError, retryable: boolean): void {
  error.retryable = retryable
  error.retriable = retryable
}

/**
 * Where a bad option was given: the message starts with "Invalid <scope>
 * configuration", so a bad session or transaction option is not reported as
 * a driver() problem.
 */
export type ConfigurationScope = 'driver' | 'session' | 'transaction' | 'executeQuery' | 'refreshRoutingTable' | 'verifyConnectivity' | 'bookmarkManager'

/**
 * The cause of a member's failure when the rest of the cluster replaced it
 * while it was silent (another member became the leader of what it led).
 */
export class MemberReplacedError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'MemberReplacedError'
  }
}

/** A bad option or URL (driver(), session(), a transaction config, executeQuery); `key` names the option, `scope` where it was given. */
export class ConfigurationError extends Neo4jError {
  readonly key: string
  readonly scope: ConfigurationScope
  constructor (key: string, message: string, scope: ConfigurationScope = 'driver') {
    super(`Invalid ${scope} configuration: ${message}`, CONFIGURATION_ERROR as CoreCode, '22N00', 'error: data exception - invalid configuration')
    ownError(this, ConfigurationError)
    this.key = key
    this.scope = scope
  }
}

export type RouterFailureReason =
  | 'refused' | 'timeout' | 'tls' | 'auth' | 'unknown database' | 'protocol' | 'dns' | 'connection lost' | 'other'

export interface RouterAttempt {
  /** 'host:port' of the router (or seed address) tried. */
  readonly address: string
  readonly reason: RouterFailureReason
  readonly error: Error
}

/**
 * Discovery failed. Lists every router tried and why, never just "no routing
 * servers available". The code is ServiceUnavailable (retryable) when every
 * router failed for transient reasons, or the deciding error's code (auth,
 * unknown database, …: not retryable) when discovery stopped early.
 */
export class DiscoveryError extends Neo4jError {
  readonly database: string | null
  readonly attempts: readonly RouterAttempt[]
  constructor (database: string | null, attempts: readonly RouterAttempt[], decidingError?: Neo4jError) {
    const target = database === null ? 'the home database' : `database '${database}'`
    const tried = attempts.length === 0
      ? 'no router address was known (the seed resolved to nothing)'
      : attempts.map(a => `${a.address}: ${a.reason} (${conciseCause(a.error.message, QUOTED_LINE_MAX)})`).join('; ')
    const hints = [...new Set(attempts.map(a => REASON_HINTS[a.reason]).filter((h): h is string => h !== undefined))]
    const head = decidingError !== undefined
      ? `Routing discovery for ${target} stopped: ${firstLine(decidingError.message, QUOTED_LINE_MAX).replace(/\.$/, '')}.`
      : `Could not get a routing table for ${target}: every router failed.`
    super(`${head} Routers tried: ${tried}${hints.length > 0 ? `. ${hints.join(' ')}` : ''}`, (decidingError?.code ?? SERVICE_UNAVAILABLE) as CoreCode,
      decidingError?.gqlStatus ?? '08N00', decidingError?.gqlStatusDescription ?? 'error: connection exception',
      decidingError?.diagnosticRecord, decidingError ?? attempts.at(-1)?.error)
    ownError(this, DiscoveryError)
    this.database = database
    this.attempts = attempts
    // A certificate we do not trust will not become trusted by retrying.
    const tlsOnly = attempts.length > 0 && attempts.every(a => a.reason === 'tls')
    setRetryable(this, !tlsOnly && (decidingError === undefined || isRetryableError(decidingError)))
    if (attempts.length > 0 && attempts.every(a => isBudgetSpent(a.error))) tagBudgetSpent(this)
  }
}

const REASON_HINTS: Partial<Record<RouterFailureReason, string>> = {
  tls: "TLS failed: for a self-signed certificate use neo4j+ssc://, for a private CA set trust: 'TRUST_CUSTOM_CA_SIGNED_CERTIFICATES' " +
    'with trustedCertificates; against a server without TLS use neo4j://.',
  refused: 'Connection refused: check the host and port, and that the member is running.',
  auth: 'Authentication failed: check the user name and password.',
  protocol: 'A member did not speak Bolt as expected (or closed the connection during the handshake): if it serves TLS use ' +
    'neo4j+s:// or neo4j+ssc://, and check the port is the Bolt port (7687), not HTTP (7474).',
  dns: 'The host name did not resolve: check it, or pass a resolver.'
}

/**
 * A COMMIT whose connection died before the server answered (or that the
 * server reported with an outcome-unknown code): the transaction may or may
 * not have been applied, so the work is not re-run. `commitOutcome` is always
 * 'unknown'; `cause` is the error seen at COMMIT.
 */
export class CommitOutcomeUnknownError extends Neo4jError {
  readonly commitOutcome = 'unknown' as const
  readonly address: string | undefined
  constructor (cause: Error, address: string | undefined) {
    super(`commit outcome unknown: the connection${address !== undefined ? ` to ${address}` : ''} failed before COMMIT was answered ` +
      `(${firstLine(cause.message, QUOTED_LINE_MAX)}). The transaction may or may not have been applied, so it was not re-run. ` +
      'Check the data, or mark idempotent work with { idempotent: true } to let the driver retry it.',
    COMMIT_OUTCOME_UNKNOWN as CoreCode, '08N00', 'error: connection exception', undefined, cause)
    ownError(this, CommitOutcomeUnknownError)
    this.address = address
    setRetryable(this, false)
  }
}

export interface AttemptRecord {
  readonly attempt: number
  /** When this attempt started, in ms since the first attempt started (0 for the first). */
  readonly startedAtMs: number
  /** When this attempt failed, in ms since the first attempt started. */
  readonly atMs: number
  readonly error: Error
  /** How long the retry engine waited before the next attempt (undefined for the last). */
  readonly delayMs?: number
}

/**
 * The retry budget ran out (or a non-retryable error ended the loop after
 * retries). Keeps the last error's code, so code-based handling still works,
 * and carries every attempt's error in `attempts`.
 */
export class RetriesExhaustedError extends Neo4jError {
  readonly attempts: readonly AttemptRecord[]
  readonly elapsedMs: number
  readonly budgetMs: number
  constructor (attempts: readonly AttemptRecord[], elapsedMs: number, budgetMs: number, why: string) {
    // An attempt cut short only because the budget ran out says nothing about
    // the cluster: the code is the last real failure's.
    const last = [...attempts].reverse().find(a => !isBudgetSpent(a.error))?.error ?? attempts.at(-1)?.error
    const lastCode = last instanceof Neo4jError ? last.code : SERVICE_UNAVAILABLE
    super(`Transaction failed after ${attempts.length} attempt(s) in ${(elapsedMs / 1000).toFixed(1)} s ` +
      `(maxTransactionRetryTime ${budgetMs} ms): ${why}. Causes: ${summarizeCauses(attempts)} (every attempt is in error.attempts)`,
    lastCode as CoreCode, last instanceof Neo4jError ? last.gqlStatus : '50N42',
    last instanceof Neo4jError ? last.gqlStatusDescription : 'error: general processing exception - unexpected error',
    last instanceof Neo4jError ? last.diagnosticRecord : undefined, last)
    ownError(this, RetriesExhaustedError)
    this.attempts = attempts
    this.elapsedMs = elapsedMs
    this.budgetMs = budgetMs
    // The caller's budget is spent: another blind retry by the application
    // would defeat the deadline, but the underlying cause may still be transient.
    setRetryable(this, last instanceof Neo4jError ? last.retryable : false)
  }
}

/** Causes listed in a RetriesExhaustedError message; the rest are counted. */
const MAX_CAUSES_LISTED = 5

/**
 * Identical causes once, with how many attempts met them, in the order they
 * first appeared: "70 × SessionExpired: connect ECONNREFUSED 127.0.0.1:9011".
 * A message listing all 70 attempts would be 20 KB nobody reads.
 */
export function summarizeCauses (attempts: readonly AttemptRecord[]): string {
  const counts = new Map<string, number>()
  for (const { error } of attempts) {
    const label = causeLabel(error)
    counts.set(label, (counts.get(label) ?? 0) + 1)
  }
  const groups = [...counts].map(([label, count]) => `${count} × ${label}`)
  const listed = groups.slice(0, MAX_CAUSES_LISTED).join('; ')
  const rest = groups.length - MAX_CAUSES_LISTED
  return rest > 0 ? `${listed}; and ${rest} other kind(s) of failure` : listed
}

/** An error's code and its own first line, without bolt-connection's advice in front of "Caused by: …". */
function causeLabel (error: Error): string {
  const code = error instanceof Neo4jError ? error.code : error.name
  return `${code}: ${conciseCause(error.message, QUOTED_LINE_MAX)}`
}

export class AcquisitionTimeoutError extends Neo4jError {
  readonly address: string | undefined
  constructor (message: string, address?: string) {
    super(message, CONNECTION_ACQUISITION_TIMEOUT as CoreCode, '08N00', 'error: connection exception')
    ownError(this, AcquisitionTimeoutError)
    this.address = address
    setRetryable(this, false)
  }
}

/** Messages quote other errors by one line, at most this long. */
const QUOTED_LINE_MAX = 300

/** "code: first line" of an error (its name when it has no code), for logs. */
export function errorSummary (error: unknown): string {
  if (error instanceof Neo4jError) return `${error.code}: ${firstLine(error.message, QUOTED_LINE_MAX)}`
  if (error instanceof Error) return `${error.name}: ${firstLine(error.message, QUOTED_LINE_MAX)}`
  return String(error)
}

// ---------------------------------------------------------------------------
// Classification: labels
//
// What the driver learnt about an error, put on it as a non-enumerable
// property keyed by a registered symbol (Symbol.for): readable with
// errorLabels(e) / hasErrorLabel(e, label), invisible to JSON, and the same
// key in every installed copy of this package (two copies in one app agree on
// what they tagged, as undici's brands do).

/**
 * - ConnectionLost: the connection died (network error, not a server FAILURE).
 * - MemberUnresponsive: a black-holed member, found by a failed probe (implies ConnectionLost).
 * - AwaitingLeader: the routing table has no writer yet (an election): worth polling, not backing off far.
 * - BudgetSpent: nothing was tried, the time budget had run out (a deadline, not a failure of the cluster).
 * - CertificateRejected: the member's TLS certificate is not trusted (a failed connection, never retryable).
 * - SecurityHandled: the auth token manager handled this security error (a transaction function retries it).
 */
export const ERROR_LABELS = ['ConnectionLost', 'MemberUnresponsive', 'AwaitingLeader', 'BudgetSpent', 'CertificateRejected', 'SecurityHandled'] as const
export type ErrorLabel = typeof ERROR_LABELS[number]

const brandOf = (label: string): symbol => Symbol.for(`neo4j-cluster-driver.${label}`)
const BRANDS = new Map<ErrorLabel, symbol>(ERROR_LABELS.map(label => [label, brandOf(label)]))

function isObject (value: unknown): value is object {
  return value !== null && typeof value === 'object'
}

function label (error: unknown, name: ErrorLabel): void {
  const brand = BRANDS.get(name) as symbol
  if (isObject(error) && !(brand in error)) Object.defineProperty(error, brand, { value: true, enumerable: false })
}

/** Whether the driver put `name` on this error (any installed copy of it). */
export function hasErrorLabel (error: unknown, name: ErrorLabel): boolean {
  const brand = BRANDS.get(name)
  return brand !== undefined && isObject(error) && brand in error
}

/** Every label the driver put on this error, in ERROR_LABELS order. */
export function errorLabels (error: unknown): ErrorLabel[] {
  return ERROR_LABELS.filter(name => hasErrorLabel(error, name))
}

export const tagConnectionLost = (error: unknown): void => { label(error, 'ConnectionLost') }
export const tagAwaitingLeader = (error: unknown): void => { label(error, 'AwaitingLeader') }
export const tagBudgetSpent = (error: unknown): void => { label(error, 'BudgetSpent') }
export function tagMemberUnresponsive (error: unknown): void {
  label(error, 'ConnectionLost')
  label(error, 'MemberUnresponsive')
}
/** A failed connection for the routing layer, but never retryable (trust does not come with time). */
export function tagCertificateRejected (error: unknown): void {
  label(error, 'ConnectionLost')
  label(error, 'CertificateRejected')
  if (error instanceof Neo4jError) setRetryable(error, false)
}
/** The driver's auth token manager handled this security error (e.g. a bearer manager fetched a new token after TokenExpired): retryable, as in the official driver. */
export function markSecurityHandled (error: unknown): void {
  label(error, 'SecurityHandled')
  if (error instanceof Neo4jError) setRetryable(error, true)
}

/**
 * A network-level failure: the socket closed, reset, timed out or never
 * opened. Only the connection layer knows (it labels such errors); a
 * ServiceUnavailable code alone does not say it (a DiscoveryError has it too).
 */
export const isConnectionLost = (error: unknown): boolean => hasErrorLabel(error, 'ConnectionLost')
export const isMemberUnresponsive = (error: unknown): boolean => hasErrorLabel(error, 'MemberUnresponsive')
export const isAwaitingLeader = (error: unknown): boolean => hasErrorLabel(error, 'AwaitingLeader')
export const isBudgetSpent = (error: unknown): boolean => hasErrorLabel(error, 'BudgetSpent')
export const isCertificateRejected = (error: unknown): boolean => hasErrorLabel(error, 'CertificateRejected')

/**
 * This package's own error classes, branded (like the labels) so a second
 * installed copy recognises them where `instanceof` would not: they decide
 * their own retryability.
 */
const OWN_ERROR = brandOf('OwnError')

/** What each of our classes' constructors does first: a Neo4jError subclass that keeps its prototype, name and brand. */
function ownError (error: Neo4jError, type: abstract new (...args: never[]) => Neo4jError): void {
  Object.setPrototypeOf(error, type.prototype)
  error.name = type.name
  Object.defineProperty(error, OWN_ERROR, { value: true, enumerable: false })
}

export function codeOf (error: unknown): string | undefined {
  if (error !== null && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code
  return undefined
}

export function isWriterLost (error: unknown): boolean {
  const code = codeOf(error)
  return code === NOT_A_LEADER || code === FORBIDDEN_ON_READ_ONLY_DATABASE
}

/** What the routing layer does about an error seen on a member. */
export type RoutingReaction = 'forget-server' | 'forget-writer' | 'none'

export function routingReaction (error: unknown): RoutingReaction {
  if (isWriterLost(error)) return 'forget-writer'
  if (isConnectionLost(error) || codeOf(error) === DATABASE_UNAVAILABLE) return 'forget-server'
  return 'none'
}

/**
 * Retryable by a transaction function: ServiceUnavailable,
 * SessionExpired, transient errors except Terminated / LockClientStopped,
 * NotALeader and ForbiddenOnReadOnlyDatabase, AuthorizationExpired.
 * Not retryable: everything else, including any non-Neo4j error thrown by user code.
 */
export function isRetryableError (error: unknown): boolean {
  if (!(error instanceof Neo4jError)) return false
  // Our own error classes decide for themselves (e.g. a TLS-only DiscoveryError is not retryable).
  if (OWN_ERROR in error) return error.retryable
  if (isCertificateRejected(error)) return false
  const code = error.code
  if (code === TRANSACTION_TERMINATED || code === LOCK_CLIENT_STOPPED) return false
  if (code === SERVICE_UNAVAILABLE || code === SESSION_EXPIRED || code === AUTHORIZATION_EXPIRED) return true
  if (hasErrorLabel(error, 'SecurityHandled')) return true
  if (isWriterLost(error)) return true
  return typeof code === 'string' && code.includes('TransientError')
}

/**
 * Whether the next attempt may start at once (a fresh routing table is the
 * fix) rather than after a backoff delay (the cluster needs time).
 */
export function isFastRetryCause (error: unknown): boolean {
  return routingReaction(error) !== 'none'
}

/** Server-reported "your commit may or may not have happened". */
export function isOutcomeUnknownCode (error: unknown): boolean {
  const code = codeOf(error)
  return code !== undefined && OUTCOME_UNKNOWN_SERVER_CODES.has(code)
}

/** Make a routing-reacted server error visibly retryable to core's isRetryableError too. */
export function markRetryable (error: unknown): void {
  if (error instanceof Neo4jError && isRetryableError(error) && !error.retryable) setRetryable(error, true)
}
