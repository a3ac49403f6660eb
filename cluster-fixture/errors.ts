// Errors the fixture reports to clients as Bolt FAILURE messages. Every layer
// (store, raft, cluster, bolt) throws FixtureError; the Bolt layer turns it into
// the pre-5.7 `{code, message}` or the 5.7+ GQL form.
//
// The GQLSTATUS beside each Neo4j code, and its title (the part of the GQL
// status description before the first full stop), were checked against
// neo4j/docs-status-codes (`errors/gql-errors.adoc`) and Neo4j's own
// GqlStatusInfoCodes. Where Neo4j has no status dedicated to a legacy code we
// use the closest one of the same class and say so next to it.

export type ErrorClassification = 'CLIENT_ERROR' | 'TRANSIENT_ERROR' | 'DATABASE_ERROR'

/** Neo4j status codes the fixture uses, with the GQLSTATUS (and its title) it reports beside each. */
export const STATUS = {
  NotALeader: { code: 'Neo.ClientError.Cluster.NotALeader', gql: '08N07', title: 'connection exception - not the leader' },
  ForbiddenOnReadOnlyDatabase: { code: 'Neo.ClientError.General.ForbiddenOnReadOnlyDatabase', gql: '08N08', title: 'connection exception - database is read only' },
  DatabaseUnavailable: { code: 'Neo.TransientError.General.DatabaseUnavailable', gql: '08N09', title: 'connection exception - database unavailable' },
  DatabaseNotFound: { code: 'Neo.ClientError.Database.DatabaseNotFound', gql: '22N51', title: 'data exception - database or alias does not exist' },
  ExistingDatabaseFound: { code: 'Neo.ClientError.Database.ExistingDatabaseFound', gql: '42N11', title: 'syntax error or access rule violation - database or alias already exists' },
  BookmarkTimeout: { code: 'Neo.TransientError.Transaction.BookmarkTimeout', gql: '08N13', title: 'connection exception - database not up to requested bookmark' },
  InvalidBookmark: { code: 'Neo.ClientError.Transaction.InvalidBookmark', gql: '08N12', title: 'connection exception - failed to parse bookmark' },
  // No GQLSTATUS of its own: a mixture is reported as an unparsable bookmark set.
  InvalidBookmarkMixture: { code: 'Neo.ClientError.Transaction.InvalidBookmarkMixture', gql: '08N12', title: 'connection exception - failed to parse bookmark' },
  SyntaxError: { code: 'Neo.ClientError.Statement.SyntaxError', gql: '42001', title: 'syntax error or access rule violation - invalid syntax' },
  // 42N00 (formerly here) means "no such database"; a semantic error has only the class status.
  SemanticError: { code: 'Neo.ClientError.Statement.SemanticError', gql: '42000', title: 'syntax error or access rule violation' },
  TypeError: { code: 'Neo.ClientError.Statement.TypeError', gql: '22G03', title: 'data exception - invalid value type' },
  ArgumentError: { code: 'Neo.ClientError.Statement.ArgumentError', gql: '22N00', title: 'data exception - unsupported value' },
  // Integer division or modulo by zero (`RETURN 10 / 0`); Neo4j's description has no detail after the title.
  DivisionByZero: { code: 'Neo.ClientError.Statement.ArithmeticError', gql: '22012', title: 'data exception - division by zero', fixedDescription: true },
  // An Integer result outside 64 bits (`RETURN 9223372036854775807 + 1`, message "long overflow").
  NumericOutOfRange: { code: 'Neo.ClientError.Statement.ArithmeticError', gql: '22003', title: 'data exception - numeric value out of range' },
  ParameterMissing: { code: 'Neo.ClientError.Statement.ParameterMissing', gql: '42N51', title: 'syntax error or access rule violation - invalid parameter' },
  EntityNotFound: { code: 'Neo.ClientError.Statement.EntityNotFound', gql: '22N00', title: 'data exception - unsupported value' },
  // 08N01 (formerly here) is "server-side routing disabled"; 42N02 is Neo4j's "writing in read access mode".
  AccessMode: { code: 'Neo.ClientError.Statement.AccessMode', gql: '42N02', title: 'syntax error or access rule violation - writing in read access mode' },
  NotSystemDatabaseError: { code: 'Neo.ClientError.Statement.NotSystemDatabaseError', gql: '51N28', title: 'system configuration or operation exception - not supported by this database' },
  UnsupportedAdministrationCommand: { code: 'Neo.ClientError.Statement.UnsupportedAdministrationCommand', gql: '42N17', title: 'syntax error or access rule violation - unsupported request' },
  ConstraintValidationFailed: { code: 'Neo.ClientError.Schema.ConstraintValidationFailed', gql: '22N41', title: 'data exception - merge node uniqueness constraint violation' },
  Unauthorized: { code: 'Neo.ClientError.Security.Unauthorized', gql: '42NFF', title: 'syntax error or access rule violation - permission/access denied' },
  TokenExpired: { code: 'Neo.ClientError.Security.TokenExpired', gql: '42NFF', title: 'syntax error or access rule violation - permission/access denied' },
  AuthorizationExpired: { code: 'Neo.ClientError.Security.AuthorizationExpired', gql: '42NFF', title: 'syntax error or access rule violation - permission/access denied' },
  // Neo4j describes every protocol error with the same sentence; the detail is in the message and the cause.
  RequestInvalid: { code: 'Neo.ClientError.Request.Invalid', gql: '08N06', title: 'connection exception - protocol error', detail: 'General network protocol error.' },
  // A request field of the wrong type (docs-bolt message.adoc, TELEMETRY "oh no!": 22G03 with a 22N01 cause).
  RequestInvalidType: { code: 'Neo.ClientError.Request.Invalid', gql: '22G03', title: 'data exception - invalid value type', fixedDescription: true },
  RequestInvalidFormat: { code: 'Neo.ClientError.Request.InvalidFormat', gql: '08N06', title: 'connection exception - protocol error' },
  TransactionNotFound: { code: 'Neo.ClientError.Transaction.TransactionNotFound', gql: '25N05', title: 'invalid transaction state - transaction terminated or closed' },
  // 25N11 (formerly here) is "conflicting transaction state"; Neo4j reports timeouts as a terminated transaction.
  TransactionTimedOut: { code: 'Neo.ClientError.Transaction.TransactionTimedOut', gql: '25N14', title: 'invalid transaction state - transaction termination client error' },
  // 50N11 (formerly here) is "constraint creation failed"; a lock timeout terminates the transaction (transient).
  LockAcquisitionTimeout: { code: 'Neo.TransientError.Transaction.LockAcquisitionTimeout', gql: '25N16', title: 'invalid transaction state - transaction termination transient error' },
  LeaderSwitch: { code: 'Neo.TransientError.Transaction.LeaderSwitch', gql: '51N34', title: 'system configuration or operation exception - write transaction failed due to leader change' },
  // 51N34 (formerly here) is the leader switch; 51N33 is "replication error".
  ReplicationFailure: { code: 'Neo.TransientError.Cluster.ReplicationFailure', gql: '51N33', title: 'system configuration or operation exception - replication error' },
  // 25N09 (formerly here) is "internal transaction failure" (a database error).
  Terminated: { code: 'Neo.TransientError.Transaction.Terminated', gql: '25N16', title: 'invalid transaction state - transaction termination transient error' },
  GeneralUnknownError: { code: 'Neo.DatabaseError.General.UnknownError', gql: '50N42', title: 'general processing exception - unexpected error' }
} as const satisfies Record<string, StatusEntry>

interface StatusEntry {
  code: string
  gql: string
  title: string
  /** Neo4j's description is the title alone ("error: data exception - division by zero"), not title + message. */
  fixedDescription?: boolean
  /** Neo4j's description is the title and this sentence, whatever the message. */
  detail?: string
}

export type StatusName = keyof typeof STATUS

/**
 * A GQL status object in a FAILURE's `cause` chain, as Neo4j nests them
 * (docs-bolt message.adoc, LOGOFF and TELEMETRY failures): a status, its
 * title and the detail that fills its description, no Neo4j code of its own.
 */
export class GqlCause {
  constructor (
    readonly gqlStatus: string,
    readonly title: string,
    readonly detail: string,
    readonly cause: GqlCause | null = null
  ) {}

  /** "error: <title>. <detail>" (just "error: <title>" without a detail). */
  get description (): string {
    return this.detail === '' ? `error: ${this.title}` : `error: ${this.title}. ${this.detail}`
  }

  /** "<status>: <detail>", as Neo4j words a cause's message. */
  get message (): string {
    return `${this.gqlStatus}: ${this.detail === '' ? this.title : this.detail}`
  }
}

export class FixtureError extends Error {
  readonly code: string
  readonly gqlStatus: string
  /** The GQL status title, e.g. "connection exception - not the leader" (the start of a GQL description). */
  readonly gqlTitle: string
  /** Whether the connection must be closed after reporting (failed auth, protocol violations). */
  readonly fatal: boolean
  /** Sent as the FAILURE's `cause` on Bolt 5.7+. */
  readonly gqlCause: FixtureError | GqlCause | null
  private readonly status: StatusEntry

  constructor (status: StatusName, message: string, options: { fatal?: boolean, cause?: FixtureError | GqlCause } = {}) {
    super(message, options.cause ? { cause: options.cause } : undefined)
    this.name = 'FixtureError'
    this.status = STATUS[status]
    this.code = this.status.code
    this.gqlStatus = this.status.gql
    this.gqlTitle = this.status.title
    this.fatal = options.fatal ?? false
    this.gqlCause = options.cause ?? null
  }

  get classification (): ErrorClassification {
    if (this.code.startsWith('Neo.TransientError.')) return 'TRANSIENT_ERROR'
    if (this.code.startsWith('Neo.DatabaseError.')) return 'DATABASE_ERROR'
    return 'CLIENT_ERROR'
  }

  /** The GQL status description as Neo4j words it: "error: <title>. <message>" (or its fixed sentence). */
  get gqlDescription (): string {
    if (this.status.fixedDescription === true) return `error: ${this.gqlTitle}`
    return `error: ${this.gqlTitle}. ${this.status.detail ?? this.message}`
  }
}

export function fixtureError (status: StatusName, message: string, options?: { fatal?: boolean, cause?: FixtureError | GqlCause }): FixtureError {
  return new FixtureError(status, message, options)
}

/** Anything thrown that is not a FixtureError becomes a DatabaseError with its message (never a crash). */
export function asFixtureError (error: unknown): FixtureError {
  if (error instanceof FixtureError) return error
  const message = error instanceof Error ? error.message : String(error)
  return new FixtureError('GeneralUnknownError', `Internal error in the cluster fixture: ${message}`)
}
